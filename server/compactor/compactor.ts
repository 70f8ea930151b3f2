import { randomUUID } from 'node:crypto';
import type { BlockBuilder } from '../ingester/block-builder';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import { blockObjectKey, blockPrefix, META_OBJECT } from '../store/block-keys';
import { openBuiltBlock } from '../store/block-reader';
import { writeBlock } from '../store/block-writer';
import type { BlockEntry, Blocklist } from '../store/blocklist';
import { compactionFields } from '../store/compaction/compact-blocks';
import { mergeSortedTraces } from '../store/compaction/merge-traces';
import { openSearchSidecar } from '../store/search/search-sidecar';
import { tenantIndexOf, writeTenantIndex } from '../store/tenant-index';
import type { TraceRecord } from '../store/types';
import { CompactorLease } from './compactor-lease';
import { type PickOptions, pickInputs } from './pick-inputs';

/** Compactions of one tenant in one cycle at most: the cycle ends, and the others' turn comes. */
const MAX_COMPACTIONS_PER_TENANT_CYCLE = 16;

export interface CompactorConfig extends PickOptions {
  /** `compacted_block_retention`: how long compacted inputs stay (for queries already under way). */
  compactedBlockRetentionMs: number;
}

export interface CompactorDeps {
  backend: Backend;
  blocklist: Blocklist;
  builder: Pick<BlockBuilder, 'build'>;
  config: CompactorConfig;
  bloomFalsePositive: number;
  bloomShardSizeBytes: number;
  maxBytesPerTrace: (tenantId: string) => number;
  logger: { info(details: object, message: string): void; warn(details: object, message: string): void };
  metrics?: Pick<
    SelfMetrics,
    | 'compactions'
    | 'blocksCompacted'
    | 'compactionSeconds'
    | 'compactedBlocksDeleted'
    | 'compactionFailures'
    | 'compactorLeaseHeld'
  >;
  /** Who may compact the bucket now; by default a lease of its own on `backend`. */
  lease?: CompactorLease;
}

/** The lease was lost part-way through a cycle: the cycle stops, its unfinished block dropped. */
class LeaseLostError extends Error {}

export interface CycleResult {
  compacted: { tenantId: string; blockId: string; inputs: string[] }[];
  /** Compacted inputs deleted after their retention. */
  deleted: number;
  /** Half-written block directories deleted. */
  incompleteDeleted: number;
}

/**
 * Merges small blocks into bigger ones and deletes what they replaced. One cycle compacts at
 * most one group per tenant; the new block is written whole (meta.json last, naming its inputs
 * in `compactedFrom`) before the blocklist swaps it in, so a query sees the inputs or the new
 * block, and a crash at any point leaves the inputs or the new block (or both, which queries
 * already combine) — never neither. Inputs are deleted `compacted_block_retention` later.
 */
export class Compactor {
  readonly lease: CompactorLease;
  /** The other holder last logged as being waited for, so the wait is logged once per holder. */
  private waitingFor: string | undefined;
  /** Whether the blocklist was listed since this process last gained the lease. */
  private caughtUp = false;

  constructor(private readonly deps: CompactorDeps) {
    this.lease = deps.lease ?? new CompactorLease({ backend: deps.backend, logger: deps.logger });
    deps.metrics?.compactorLeaseHeld.set(0);
    this.lease.onChange((held) => {
      deps.metrics?.compactorLeaseHeld.set(held ? 1 : 0);
      if (!held) this.caughtUp = false;
    });
  }

  /**
   * One cycle, only while this process holds the compactor lease (several compactors may run
   * on one bucket; one works): compactions, deletion of what they replaced and of half-written
   * blocks, then the tenant indexes pollers read. A lease lost part-way ends the cycle there.
   */
  async runCycle(now = Date.now()): Promise<CycleResult> {
    const result: CycleResult = { compacted: [], deleted: 0, incompleteDeleted: 0 };
    if (!(await this.holdLease())) return result;
    try {
      await this.compactTenants(result);
      this.checkLease();
      result.deleted = await this.deleteCompacted(now);
      this.checkLease();
      result.incompleteDeleted = await this.deleteIncomplete(now);
      this.checkLease();
      await this.writeTenantIndexes();
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      this.deps.logger.info({ owner: this.lease.holder()?.owner }, err.message);
    }
    return result;
  }

  /** Gives the lease up (graceful stop), so another compactor can take over at once. */
  async release(): Promise<void> {
    await this.lease.release();
  }

  /** Acquires or renews the lease; logs once per holder while another one has it. */
  private async holdLease(): Promise<boolean> {
    if (await this.lease.tryAcquire()) {
      if (!this.caughtUp) {
        // What a previous holder compacted since this process last listed must not be compacted again.
        await this.deps.blocklist.poll(this.deps.backend, { list: true });
        this.caughtUp = true;
        if (this.waitingFor !== undefined) this.deps.logger.info({}, 'took over the compactor lease');
      }
      this.waitingFor = undefined;
      return true;
    }
    const holder = this.lease.holder();
    const owner = holder?.owner ?? '';
    if (owner !== this.waitingFor) {
      this.waitingFor = owner;
      const until = holder ? new Date(holder.expiresAt).toISOString() : 'it is renewed';
      this.deps.logger.info(
        { owner: holder?.owner, expiresAt: until },
        `waiting for the compactor lease held by ${holder?.owner ?? 'another compactor'} until ${until}`,
      );
    }
    return false;
  }

  private checkLease(): void {
    if (!this.lease.holds()) throw new LeaseLostError('compactor lease lost: cycle stopped');
  }

  private async compactTenants(result: CycleResult): Promise<void> {
    for (const tenantId of this.deps.blocklist.tenantIds()) {
      // Keep going while groups remain (up to a bound), so a tenant flushing small blocks
      // quickly is not left behind by a fixed one-group-per-cycle pace.
      for (let round = 0; round < MAX_COMPACTIONS_PER_TENANT_CYCLE; round++) {
        const inputs = pickInputs(this.deps.blocklist.blocks(tenantId), this.deps.config);
        if (!inputs) break;
        try {
          const blockId = await this.compact(tenantId, inputs);
          result.compacted.push({ tenantId, blockId, inputs: inputs.map((i) => i.meta.blockId) });
        } catch (err) {
          if (err instanceof LeaseLostError) throw err;
          // One tenant's failure (an input deleted by retention meanwhile, a full disk) does not
          // stop the others; its blocks are tried again next cycle.
          this.deps.metrics?.compactionFailures.inc();
          this.deps.logger.warn({ err, tenant: tenantId }, 'compaction failed; retried next cycle');
          break;
        }
      }
    }
  }

  /**
   * Writes `<tenant>/index.json.gz` for every tenant this process knows or last listed (an
   * emptied tenant gets an empty index, not a stale one): what pollers read instead of listing.
   */
  private async writeTenantIndexes(): Promise<void> {
    const { backend, blocklist, logger } = this.deps;
    const listing = blocklist.lastFullListing();
    const tenants = new Set([
      ...(listing?.tenantIds ?? []),
      ...blocklist.tenantIds(),
      ...blocklist.tenantIdsWithCompacted(),
    ]);
    for (const tenantId of tenants) {
      const index = tenantIndexOf(blocklist, tenantId, this.lease.owner);
      try {
        await writeTenantIndex(backend, tenantId, index);
      } catch (err) {
        // Pollers keep using the previous one until it is stale, then list.
        logger.warn({ err, tenant: tenantId }, 'could not write the tenant index');
      }
    }
  }

  /**
   * Deletes block directories that had no meta.json when the store was loaded and still have
   * none `compacted_block_retention` later: left by a crash mid-write (a write under way takes
   * seconds, not an hour). A directory that gained its meta.json meanwhile is a block: left alone.
   */
  private async deleteIncomplete(now: number): Promise<number> {
    const { backend, blocklist, config } = this.deps;
    let deleted = 0;
    for (const { tenantId, blockId, seenAt } of blocklist.incompleteBlocks()) {
      if (seenAt + config.compactedBlockRetentionMs > now) continue;
      try {
        if (!(await backend.read(blockObjectKey(tenantId, blockId, META_OBJECT)))) {
          await backend.delete(blockPrefix(tenantId, blockId));
          deleted++;
          this.deps.logger.info({ tenant: tenantId, blockId }, 'deleted a block left half-written');
        }
        blocklist.forgetIncomplete(tenantId, blockId);
      } catch (err) {
        this.deps.logger.warn({ err, tenant: tenantId, blockId }, 'could not delete a half-written block');
      }
    }
    return deleted;
  }

  private async compact(tenantId: string, inputs: BlockEntry[]): Promise<string> {
    const { backend, blocklist, builder, metrics } = this.deps;
    const began = performance.now();
    const traces: TraceRecord[] = [];
    for await (const record of mergeSortedTraces(
      inputs.map((input) => input.reader.traces()),
      this.deps.maxBytesPerTrace(tenantId),
    )) {
      traces.push(record);
    }
    const blockId = randomUUID();
    const result = await builder.build({
      kind: 'records',
      blockId,
      tenantId,
      bloomFalsePositive: this.deps.bloomFalsePositive,
      bloomShardSizeBytes: this.deps.bloomShardSizeBytes,
      traces,
      meta: compactionFields(inputs.map((input) => input.meta)),
    });
    const built = { meta: result.meta, objects: result.objects };
    for (const object of built.objects) {
      await backend.write(blockObjectKey(tenantId, blockId, object.name), object.data);
    }
    // meta.json is the commit: only while the lease is still ours (renewed if due), so a
    // compactor that lost it mid-merge does not publish a block beside the new holder's.
    if (!(await this.lease.tryAcquire())) {
      await backend.delete(blockPrefix(tenantId, blockId)).catch(() => {});
      throw new LeaseLostError(
        `compactor lease lost before committing a block of ${tenantId}: cycle stopped`,
      );
    }
    await writeBlock(backend, { meta: built.meta, objects: [] }); // meta.json alone, as writeBlock writes it
    blocklist.replace({
      meta: built.meta,
      reader: openBuiltBlock(backend, built),
      search: openSearchSidecar(backend, built.meta, built.objects),
    });
    metrics?.compactions.inc({ tenant: tenantId });
    metrics?.blocksCompacted.inc({ tenant: tenantId }, inputs.length);
    metrics?.compactionSeconds.observe((performance.now() - began) / 1000);
    this.deps.logger.info(
      {
        tenant: tenantId,
        blockId,
        inputs: inputs.map((i) => i.meta.blockId),
        traces: built.meta.totalTraces,
      },
      'blocks compacted',
    );
    return blockId;
  }

  /** Deletes compacted blocks past their retention: meta.json first (invisible), then the rest. */
  private async deleteCompacted(now: number): Promise<number> {
    const { backend, blocklist, config } = this.deps;
    let deleted = 0;
    for (const tenantId of blocklist.tenantIdsWithCompacted()) {
      for (const { entry, since } of blocklist.compactedBlocks(tenantId)) {
        if (since + config.compactedBlockRetentionMs > now) continue;
        const { blockId } = entry.meta;
        try {
          await backend.delete(blockObjectKey(tenantId, blockId, META_OBJECT));
          await backend.delete(blockPrefix(tenantId, blockId));
          blocklist.forgetCompacted(tenantId, blockId);
          this.deps.metrics?.compactedBlocksDeleted.inc();
          deleted++;
        } catch (err) {
          this.deps.logger.warn({ err, tenant: tenantId, blockId }, 'could not delete a compacted block');
        }
      }
    }
    return deleted;
  }
}
