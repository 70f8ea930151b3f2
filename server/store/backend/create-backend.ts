import { ConfigError } from '../../config-reader/config-values';
import type { StorageConfig } from '../store-config';
import type { Backend, BackendLogger } from './backend';
import { BLOCK_CACHE_DEFAULTS } from './cache/block-cache-config';
import { type CacheMetrics, CachingBackend } from './cache/caching-backend';
import { DiskCache } from './cache/disk-cache';
import { LocalBackend } from './local-backend';
import { type BackendMetrics, MeteredBackend } from './metered-backend';
import { BackendPool } from './pool';
import { checkS3Access } from './s3-access-check';
import { S3Backend } from './s3-backend';

export interface BackendDeps {
  /** For backends with something to report (an object store's retries); the local one has none. */
  logger?: BackendLogger;
  /** Calls, bytes and times by operation (`MeteredBackend`), and the block cache's; none when absent. */
  metrics?: BackendMetrics & CacheMetrics;
}

/**
 * The configured backend inside the bounded `BackendPool`, without the block cache (`openBackend`
 * adds it). A new backend is a member of `BackendKind` and a case here, and passes
 * `describeBackendContract`.
 */
export function createBackend(config: StorageConfig, deps: BackendDeps = {}): BackendPool {
  return new BackendPool(metered(createRawBackend(config, deps), deps), config.pool);
}

/**
 * What every module stores through: `createBackend`, after making sure the store answers (an
 * object store is asked once, and a wrong bucket, key or endpoint fails here with a
 * `ConfigError` naming the setting), behind the block cache (`storage.trace.block_cache`).
 * The cache sits above the pool and the metered layer: a hit waits for no worker and is no
 * backend request, so `loupe_backend_requests_total` still counts only what reached the store.
 */
export async function openBackend(config: StorageConfig, deps: BackendDeps = {}): Promise<CachingBackend> {
  const raw = createRawBackend(config, deps);
  if (raw instanceof S3Backend && config.s3) await checkS3Access(raw, config.s3);
  const cache = config.blockCache ?? BLOCK_CACHE_DEFAULTS;
  const { metrics } = deps;
  const disk = cache.diskPath
    ? await DiskCache.open({
        dir: cache.diskPath,
        maxBytes: cache.maxDiskBytes,
        onBytes: (bytes) => metrics?.cacheBytes.set({ tier: 'disk' }, bytes),
        onEvict: () => metrics?.cacheEvictions.inc({ tier: 'disk' }),
      }).catch((err: Error) => {
        throw new ConfigError(
          `storage.trace.block_cache.disk_path "${cache.diskPath}" cannot be used: ${err.message}`,
        );
      })
    : undefined;
  return new CachingBackend(new BackendPool(metered(raw, deps), config.pool), {
    maxMemoryBytes: cache.maxMemoryBytes,
    disk,
    metrics,
  });
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
        onHedge: () => deps.metrics?.backendHedgedRequests?.inc(),
      });
    default:
      // The config reader refuses every other kind; this line makes a new kind without a case a type error.
      return unknownBackend(config.backend);
  }
}

function unknownBackend(kind: never): never {
  throw new Error(`unknown storage backend ${JSON.stringify(kind)}`);
}
