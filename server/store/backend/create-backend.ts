import type { StorageConfig } from '../store-config';
import type { Backend } from './backend';
import { LocalBackend } from './local-backend';
import { BackendPool } from './pool';

/** The part of a pino logger a backend may use. */
export interface BackendLogger {
  warn(details: object, message: string): void;
}

export interface BackendDeps {
  /** For backends with something to report (an object store's retries); the local one has none. */
  logger?: BackendLogger;
}

/**
 * The configured backend inside the bounded `BackendPool`: what every module stores through.
 * A new backend is a member of `BackendKind` and a case here, and passes `describeBackendContract`.
 */
export function createBackend(config: StorageConfig, deps: BackendDeps = {}): BackendPool {
  return new BackendPool(createRawBackend(config, deps), config.pool);
}

function createRawBackend(config: StorageConfig, _deps: BackendDeps): Backend {
  switch (config.backend) {
    case 'local':
      return new LocalBackend(config.localPath);
    default:
      // The config reader refuses every other kind; this line makes a new kind without a case a type error.
      return unknownBackend(config.backend);
  }
}

function unknownBackend(kind: never): never {
  throw new Error(`unknown storage backend ${JSON.stringify(kind)}`);
}
