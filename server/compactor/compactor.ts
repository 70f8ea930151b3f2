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
import type { TraceRecord } from '../store/types';
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
    'compactions' | 'blocksCompacted' | 'compactionSeconds' | 'compactedBlocksDeleted' | 'compactionFailures'
  >;
}

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
  constructor(private readonly deps: CompactorDeps) {}

  async runCycle(now = Date.now()): Promise<CycleResult> {
    const result: CycleResult = { compacted: [], deleted: 0, incompleteDeleted: 0 };
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
          // One tenant's failure (an input deleted by retention meanwhile, a full disk) does not
          // stop the others; its blocks are tried again next cycle.
          this.deps.metrics?.compactionFailures.inc();
          this.deps.logger.warn({ err, tenant: tenantId }, 'compaction failed; retried next cycle');
          break;
        }
      }
    }
    result.deleted = await this.deleteCompacted(now);
    result.incompleteDeleted = await this.deleteIncomplete(now);
    return result;
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
    await writeBlock(backend, built);
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
