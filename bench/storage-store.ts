import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { type Logger, pino } from 'pino';
import type { LoupeConfig } from '../server/config/types';
import { type SearchModule, startSearch } from '../server/search/search-module';
import { SelfMetrics } from '../server/self-metrics/self-metrics';
import type { Backend } from '../server/store/backend/backend';
import { openBackend } from '../server/store/backend/create-backend';
import type { Blocklist } from '../server/store/blocklist';
import type { StorageConfig } from '../server/store/store-config';
import { Overrides } from '../server/tenancy/overrides';
import { testConfig } from '../server/testing/test-config';
import { startTraces, type TracesModule } from '../server/traces/traces-module';

/**
 * One "process" of Loupe's read and compaction path, composed as `startLoupe` composes it
 * (`openBackend` with its `MeteredBackend` and pool, `startTraces` for the blocklist, trace
 * finder and compactor, `startSearch`), without HTTP or an ingester (`-target=compactor`, with
 * the periodic compaction off: the bench calls `compact`). Opening one loads the blocklist from
 * the backend: everything it caches (the block cache's memory tier of bloom shards, page indexes
 * and Parquet indexes; the search summaries and Parquet footers its readers keep) starts empty —
 * the bench's "cold".
 */
export interface BenchStore {
  backend: Backend;
  traces: TracesModule;
  blocklist: Blocklist;
  search: SearchModule;
  metrics: SelfMetrics;
  /** Backend requests so far, by operation (`MeteredBackend`'s counter). */
  requests(): Promise<RequestCounts>;
  close(): Promise<void>;
}

export interface RequestCounts {
  /** Whole-object GETs (meta.json, bloom shards, page index, search summary…). */
  read: number;
  /** Ranged GETs (pages, Parquet footers and column chunks). */
  readRange: number;
  write: number;
  list: number;
  delete: number;
}

export const NO_REQUESTS: RequestCounts = { read: 0, readRange: 0, write: 0, list: 0, delete: 0 };

export function requestsBetween(before: RequestCounts, after: RequestCounts): RequestCounts {
  return {
    read: after.read - before.read,
    readRange: after.readRange - before.readRange,
    write: after.write - before.write,
    list: after.list - before.list,
    delete: after.delete - before.delete,
  };
}

export const gets = (counts: RequestCounts) => counts.read + counts.readRange;

/** Logs go to stderr at warn: stdout carries the result table. */
export const benchLogger: Logger = pino(
  { level: 'warn', base: { service: 'loupe-bench' } },
  pino.destination(2),
);

/** The config a bench store runs with: the test config's defaults, this storage, compaction by hand. */
export function benchConfig(storage: StorageConfig, dataDir: string): LoupeConfig {
  const config = testConfig({ target: 'compactor' }, dataDir);
  return {
    ...config,
    storage,
    compactor: {
      ...config.compactor,
      disabled: true,
      // Tempo's defaults (the test config's are the same but for being off).
      compactedBlockRetentionMs: 3_600_000,
      windowMs: 3_600_000,
    },
  };
}

export async function openStore(config: LoupeConfig): Promise<BenchStore> {
  const metrics = new SelfMetrics();
  // Behind the block cache (`storage.trace.block_cache`, here its defaults: 256 MiB of memory, no
  // disk tier), which sits above the pool and the metered layer: a hit is no backend request.
  const backend = await openBackend(config.storage, { logger: benchLogger, metrics });
  const overrides = new Overrides({ maxBytesPerTrace: config.overrides.maxBytesPerTrace });
  const traces = await startTraces({ config, backend, overrides, metrics, logger: benchLogger });
  const search = startSearch({
    config: config.search,
    unflushed: traces.unflushed,
    blocks: traces.blocklist,
    lookups: traces.finder,
    staleBlocks: traces.staleBlocks,
  });
  return {
    backend,
    traces,
    blocklist: traces.blocklist,
    search,
    metrics,
    requests: async () => {
      const counts = { ...NO_REQUESTS };
      for (const { labels, value } of (await metrics.backendRequests.get()).values) {
        switch (labels.operation) {
          case 'read':
            counts.read += value;
            break;
          case 'read_range':
            counts.readRange += value;
            break;
          case 'write':
            counts.write += value;
            break;
          case 'list':
            counts.list += value;
            break;
          case 'delete':
            counts.delete += value;
            break;
        }
      }
      return counts;
    },
    close: () => traces.stop(),
  };
}

/** Bytes of the objects under `<tenant>/<blockId>/` of each block, on local disk or in a bucket. */
export async function storedBlockBytes(
  where: { localPath: string } | { client: S3Client; bucket: string },
  tenantId: string,
  blockIds: readonly string[],
): Promise<number> {
  let total = 0;
  if ('localPath' in where) {
    for (const blockId of blockIds) {
      const dir = join(where.localPath, tenantId, blockId);
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isFile()) total += statSync(join(dir, entry.name)).size;
      }
    }
    return total;
  }
  for (const blockId of blockIds) {
    let token: string | undefined;
    do {
      const page = await where.client.send(
        new ListObjectsV2Command({
          Bucket: where.bucket,
          Prefix: `${tenantId}/${blockId}/`,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) total += object.Size ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return total;
}
