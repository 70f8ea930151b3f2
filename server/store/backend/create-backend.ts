import type { StorageConfig } from '../store-config';
import type { Backend, BackendLogger } from './backend';
import { LocalBackend } from './local-backend';
import { type BackendMetrics, MeteredBackend } from './metered-backend';
import { BackendPool } from './pool';
import { checkS3Access } from './s3-access-check';
import { S3Backend } from './s3-backend';

export interface BackendDeps {
  /** For backends with something to report (an object store's retries); the local one has none. */
  logger?: BackendLogger;
  /** Calls, bytes and times by operation (`MeteredBackend`); none when absent. */
  metrics?: BackendMetrics;
}

/**
 * The configured backend inside the bounded `BackendPool`: what every module stores through.
 * A new backend is a member of `BackendKind` and a case here, and passes `describeBackendContract`.
 */
export function createBackend(config: StorageConfig, deps: BackendDeps = {}): BackendPool {
  return new BackendPool(metered(createRawBackend(config, deps), deps), config.pool);
}

/**
 * `createBackend`, after making sure the store answers: an object store is asked once, and a
 * wrong bucket, key or endpoint fails here with a `ConfigError` naming the setting.
 */
export async function openBackend(config: StorageConfig, deps: BackendDeps = {}): Promise<BackendPool> {
  const raw = createRawBackend(config, deps);
  if (raw instanceof S3Backend && config.s3) await checkS3Access(raw, config.s3);
  return new BackendPool(metered(raw, deps), config.pool);
}

function metered(backend: Backend, deps: BackendDeps): Backend {
  return deps.metrics ? new MeteredBackend(backend, deps.metrics) : backend;
}

function createRawBackend(config: StorageConfig, deps: BackendDeps): Backend {
  switch (config.backend) {
    case 'local':
      return new LocalBackend(config.localPath);
    case 's3':
      if (!config.s3) throw new Error('storage.trace.backend is s3 but the config has no s3 section');
      // As many connections as the pool lets operations run at once: none wait on a socket.
      return new S3Backend(config.s3, {
        logger: deps.logger,
        tuning: { maxSockets: config.pool.maxWorkers },
      });
    default:
      // The config reader refuses every other kind; this line makes a new kind without a case a type error.
      return unknownBackend(config.backend);
  }
}

function unknownBackend(kind: never): never {
  throw new Error(`unknown storage backend ${JSON.stringify(kind)}`);
}
