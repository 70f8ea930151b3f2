import type { Logger } from 'pino';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import { openBuiltBlock } from '../store/block-reader';
import { writeBlock } from '../store/block-writer';
import type { Blocklist } from '../store/blocklist';
import { openSearchSidecar } from '../store/search/search-sidecar';
import type { StorageConfig } from '../store/store-config';
import type { WalLocation } from '../wal/segments';
import { BlockBuilder } from './block-builder';
import { toBlockJob } from './block-job';
import type { HeadBlock, TenantInstance } from './tenant-instance';

export interface BlockFlusherDeps {
  /** Where the WAL lives and how blocks are built (`storage.trace`). */
  storage: Pick<StorageConfig, 'walPath' | 'bloomFalsePositive' | 'bloomShardSizeBytes'>;
  /** The tenant's limits (`Overrides.forTenant`): `max_bytes_per_trace` cuts spans in the block job. */
  limits: (tenantId: string) => { maxBytesPerTrace: number };
  backend: Backend;
  blocklist: Blocklist;
  logger: Logger;
  metrics: SelfMetrics;
  /** Releases the WAL records of a block once it is written (`Wal.release`). */
  release: (locations: WalLocation[]) => Promise<void>;
  /** True once the ingester is stopping: a failed flush is then not retried. */
  stopping: () => boolean;
}

/** A failed flush is retried after this, doubling per failure up to `FLUSH_RETRY_MAX_MS`, with jitter. */
const FLUSH_RETRY_MS = 1_000;
const FLUSH_RETRY_MAX_MS = 60_000;

/**
 * Turns sealed head blocks into backend blocks through the block-builder worker, retrying with
 * backoff while the backend fails, and makes each block visible in the blocklist before it leaves
 * its tenant's flushing set.
 */
export class BlockFlusher {
  private readonly builder = new BlockBuilder();
  private readonly inFlight = new Set<Promise<void>>();
  /** Set while flushes fail (the backend unreachable, full, refusing): `/ready` reports it. */
  private failing: { since: number; error: string } | undefined;

  constructor(private readonly deps: BlockFlusherDeps) {}

  /** Builds and writes a head block sealed under `blockId` (`TenantInstance.cutHeadBlock`) in the background. */
  flush(instance: TenantInstance, blockId: string, head: HeadBlock): void {
    const task = this.buildAndWrite(instance, blockId, head).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Waits until every flush started so far (and any started meanwhile) has ended. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Why the backend is not taking blocks, or undefined when the last flush went through. Spans
   * stay acknowledged and queryable meanwhile: they wait in the WAL, and flushes are retried.
   */
  backendFailure(): string | undefined {
    if (!this.failing) return undefined;
    return `storage backend failing since ${new Date(this.failing.since).toISOString()} (${this.failing.error}); acknowledged spans are kept in the WAL and flushes are retried`;
  }

  /** Stops the block-builder worker. */
  async close(): Promise<void> {
    await this.builder.close();
  }

  private async buildAndWrite(instance: TenantInstance, blockId: string, head: HeadBlock): Promise<void> {
    const { storage } = this.deps;
    const job = toBlockJob(head, {
      blockId,
      tenantId: instance.tenantId,
      walDir: storage.walPath,
      bloomFalsePositive: storage.bloomFalsePositive,
      bloomShardSizeBytes: storage.bloomShardSizeBytes,
      maxBytesPerTrace: this.deps.limits(instance.tenantId).maxBytesPerTrace,
    });
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.builder.build(job);
        this.deps.metrics.blockBuildSeconds.observe(result.buildMs / 1000);
        const built = { meta: result.meta, objects: result.objects };
        await writeBlock(this.deps.backend, built);
        this.failing = undefined;
        this.deps.metrics.backendFailing.set(0);
        // Visible in the blocklist before it leaves the flushing set: a lookup always finds it somewhere.
        this.deps.blocklist.add(
          result.meta,
          openBuiltBlock(this.deps.backend, built),
          openSearchSidecar(this.deps.backend, result.meta, built.objects),
        );
        instance.flushing.delete(blockId);
        const locations: WalLocation[] = [];
        for (const [key, trace] of head.traces) {
          locations.push(...trace.locations);
          instance.recentlyFlushed.add(key);
        }
        await this.deps.release(locations);
        this.deps.metrics.blocksFlushed.inc({ tenant: instance.tenantId });
        this.deps.metrics.spansFlushed.inc({ tenant: instance.tenantId }, result.meta.totalSpans);
        this.deps.logger.info(
          {
            tenant: instance.tenantId,
            blockId,
            traces: result.meta.totalTraces,
            spans: result.meta.totalSpans,
          },
          'block flushed',
        );
        return;
      } catch (err) {
        this.deps.metrics.blockFlushFailures.inc({ tenant: instance.tenantId });
        this.deps.metrics.backendFailing.set(1);
        this.failing ??= { since: Date.now(), error: describeFailure(err) };
        this.deps.logger.error({ err, blockId, tenant: instance.tenantId }, 'block flush failed; retrying');
        if (this.deps.stopping()) return;
        // Backoff with jitter: many queued blocks do not all retry against a recovering store at once.
        const delay = Math.min(FLUSH_RETRY_MAX_MS, FLUSH_RETRY_MS * 2 ** attempt);
        await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
      }
    }
  }
}

/** An error as `/ready` shows it: its name, message and, from an object store, the HTTP status. */
function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const message = e?.message || String(err);
  const named =
    e?.name && e.name !== 'Error' && !message.includes(e.name) ? `${e.name}: ${message}` : message;
  const status = e?.$metadata?.httpStatusCode;
  return status ? `${named}, HTTP ${status}` : named;
}
