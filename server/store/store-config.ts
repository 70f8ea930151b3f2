import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  ConfigError,
  readBool,
  readBytes,
  readDuration,
  readEnum,
  readFraction,
  readNonEmptyPath,
  readPositiveDuration,
  readPositiveInt,
  readString,
} from '../config-reader/config-values';
import { ignoring, type Section } from '../config-reader/schema-node';
import type { ConfigGetter, ValueReader } from '../config-reader/types';
import { type BlockCacheConfig, readBlockCacheConfig } from './backend/cache/block-cache-config';
import type { BackendPoolOptions } from './backend/pool';
import type { S3Options } from './backend/s3-client';
import { buildS3Options, S3_SCHEMA } from './s3-config';

/** The backends `createBackend` can build; a new one is a member here and a case there. */
export const BACKEND_KINDS = ['local', 's3'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/**
 * The `storage.trace` section of the config, owned by the store: readers in `STORAGE_SCHEMA`,
 * defaults in `buildStorageConfig`. Paths are absolute once built.
 */
export interface StorageConfig {
  backend: BackendKind;
  /** The local backend's blocks root. */
  localPath: string;
  /** The S3 backend's bucket and connection: present when `backend` is `s3`. */
  s3?: S3Options;
  /** The trace WAL folder; the logs and metrics WALs are folders inside it. */
  walPath: string;
  pool: BackendPoolOptions;
  bloomFalsePositive: number; // 0.01
  bloomShardSizeBytes: number; // Tempo default 100 KiB
  /** `blocklist_poll`: how often the backend is listed again for blocks other processes wrote or deleted. */
  blocklistPollMs: number;
  /**
   * `blocklist_poll_stale_tenant_index`: the oldest tenant index a poller uses instead of listing
   * (0: any age); absent when not set, see `tenantIndexOptions` for the default.
   */
  blocklistPollStaleTenantIndexMs?: number;
  /** `blocklist_poll_fallback`: list a tenant whose index is missing, unreadable or stale (default true). */
  blocklistPollFallback?: boolean;
  /** `block_cache` (Loupe's own): absent when the file sets none of its keys; `BLOCK_CACHE_DEFAULTS` apply. */
  blockCache?: BlockCacheConfig;
}

export const STORAGE_DEFAULTS = {
  localPath: './data/blocks',
  // Its own default, not derived from the blocks root: a backend without a local folder (S3)
  // still needs a local WAL. With neither set, the layout is ./data/{blocks,wal}, as it always was.
  walPath: './data/wal',
  poolMaxWorkers: 400,
  poolQueueDepth: 20000,
  bloomFalsePositive: 0.01,
  bloomShardSizeBytes: 100 * 1024,
  blocklistPollMs: 5 * 60_000, // Tempo's 5m
  /** A tenant index older than this many `blocklist_poll`s is stale: its compactor is likely gone. */
  staleTenantIndexPolls: 10,
} as const;

/** How pollers use tenant indexes (`Blocklist`'s `tenantIndex` option), defaults applied. */
export function tenantIndexOptions(storage: StorageConfig): { staleMs: number; fallback: boolean } {
  return {
    staleMs:
      storage.blocklistPollStaleTenantIndexMs ??
      STORAGE_DEFAULTS.staleTenantIndexPolls * storage.blocklistPollMs,
    fallback: storage.blocklistPollFallback ?? true,
  };
}

/** `storage.trace.backend`: a member of `BACKEND_KINDS`; the others fail with the reason. */
const readBackend: ValueReader<BackendKind> = (value, key) => {
  if (value === 'gcs') {
    throw new ConfigError(
      `config key "${key}": backend "gcs" is not supported; use backend: s3 with endpoint storage.googleapis.com and an HMAC key as access_key/secret_key (GCS's S3-interoperable API, see docs/configuration.md)`,
    );
  }
  if (value === 'azure') {
    throw new ConfigError(`config key "${key}": backend "azure" is not supported; use backend: local or s3`);
  }
  return readEnum(BACKEND_KINDS)(value, key);
};

export const STORAGE_SCHEMA: Section = {
  trace: {
    backend: readBackend,
    local: { path: readNonEmptyPath },
    wal: {
      path: readNonEmptyPath,
      ...ignoring(['v2_encoding', 'encoding', 'search_encoding', 'ingestion_time_range_slack', 'version']),
    },
    pool: { max_workers: readPositiveInt, queue_depth: readPositiveInt },
    block: {
      bloom_filter_false_positive: readFraction,
      bloom_filter_shard_size_bytes: readPositiveInt,
      ...ignoring([
        'version',
        'v2_index_downsample_bytes',
        'v2_index_page_size_bytes',
        'v2_encoding',
        'search_encoding',
        'search_page_size_bytes',
        'parquet_row_group_size_bytes',
        'parquet_dedicated_columns',
        'encoding', // Tempo 1.x names
        'index_downsample_bytes',
        'index_page_size_bytes',
      ]),
    },
    s3: S3_SCHEMA,
    ...ignoring(['gcs', 'azure'], 'only the local and s3 backends are used'),
    blocklist_poll: readPositiveDuration,
    blocklist_poll_stale_tenant_index: readDuration,
    blocklist_poll_fallback: readBool,
    block_cache: { max_memory_bytes: readBytes, disk_path: readString, max_disk_bytes: readBytes },
    ...ignoring([
      'blocklist_poll_concurrency',
      'blocklist_poll_tenant_index_builders',
      'blocklist_poll_jitter_ms',
      'empty_tenant_deletion_enabled',
      'empty_tenant_deletion_age',
      'cache',
      'cache_min_compaction_level',
      'cache_max_block_age',
      'search',
      'background_cache',
      'memcached',
      'redis',
    ]),
    ...ignoring(
      [
        'blocklist_poll_tenant_concurrency',
        'blocklist_poll_tolerate_consecutive_errors',
        'blocklist_poll_tolerate_tenant_failures',
      ],
      'a poll that fails keeps the blocks it knew until the next one',
    ),
  },
};

/** Builds `StorageConfig` from the values under `storage.trace`; throws `ConfigError` on clashing folders. */
export function buildStorageConfig(get: ConfigGetter): StorageConfig {
  const backend = get<BackendKind>('storage.trace.backend', 'local');
  const localPath = resolve(get('storage.trace.local.path', STORAGE_DEFAULTS.localPath));
  const walPath = resolve(get('storage.trace.wal.path', defaultWalPath(backend, get)));
  if (backend === 'local') checkSeparateFolders(localPath, walPath);
  const staleIndexMs = get<number | undefined>('storage.trace.blocklist_poll_stale_tenant_index', undefined);
  const fallback = get<boolean | undefined>('storage.trace.blocklist_poll_fallback', undefined);
  const blockCache = readBlockCacheConfig(get, {
    localPath: backend === 'local' ? localPath : undefined,
    walPath,
  });
  return {
    backend,
    localPath,
    ...(backend === 's3' ? { s3: buildS3Options(get) } : {}),
    walPath,
    pool: {
      maxWorkers: get('storage.trace.pool.max_workers', STORAGE_DEFAULTS.poolMaxWorkers),
      queueDepth: get('storage.trace.pool.queue_depth', STORAGE_DEFAULTS.poolQueueDepth),
    },
    bloomFalsePositive: get(
      'storage.trace.block.bloom_filter_false_positive',
      STORAGE_DEFAULTS.bloomFalsePositive,
    ),
    bloomShardSizeBytes: get(
      'storage.trace.block.bloom_filter_shard_size_bytes',
      STORAGE_DEFAULTS.bloomShardSizeBytes,
    ),
    blocklistPollMs: get('storage.trace.blocklist_poll', STORAGE_DEFAULTS.blocklistPollMs),
    // Left out when not set, so the built config shows only what the file said.
    ...(staleIndexMs === undefined ? {} : { blocklistPollStaleTenantIndexMs: staleIndexMs }),
    ...(fallback === undefined ? {} : { blocklistPollFallback: fallback }),
    ...(blockCache === undefined ? {} : { blockCache }),
  };
}

/**
 * The WAL's own default, except for one case kept for existing files and data dirs: a local
 * backend whose blocks root was moved (`local.path` set, `wal.path` not) has always had its WAL
 * in a `wal` folder beside that root, and keeps it there.
 */
function defaultWalPath(backend: BackendKind, get: ConfigGetter): string {
  const localPath = get<string | undefined>('storage.trace.local.path', undefined);
  if (backend === 'local' && localPath !== undefined) return join(dirname(resolve(localPath)), 'wal');
  return STORAGE_DEFAULTS.walPath;
}

/**
 * The WAL and the blocks root must not contain one another: the blocklist reads every folder
 * under the blocks root as a tenant, and WAL replay reads every file under the WAL folder.
 */
function checkSeparateFolders(localPath: string, walPath: string) {
  const inside = (parent: string, child: string) => {
    const rel = relative(parent, child);
    return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
  };
  if (inside(localPath, walPath)) {
    throw new ConfigError(
      `storage.trace.wal.path "${walPath}" is inside storage.trace.local.path "${localPath}": put the WAL in a folder of its own, such as "${join(dirname(localPath), 'wal')}"`,
    );
  }
  if (inside(walPath, localPath)) {
    throw new ConfigError(
      `storage.trace.local.path "${localPath}" is inside storage.trace.wal.path "${walPath}": the blocks root and the WAL must be separate folders`,
    );
  }
}
