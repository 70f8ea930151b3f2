import type { BlockBuilder } from '../ingester/block-builder';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import type { Blocklist } from '../store/blocklist';
import type { CompactorLease } from './compactor-lease';
import type { PickOptions } from './pick-inputs';

/** What the compactor and its clean-up steps are given: a module of its own, below both. */
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
    | 'compactionSearchRows'
    | 'compactedBlocksDeleted'
    | 'compactionFailures'
    | 'compactorLeaseHeld'
  >;
  /** Who may compact the bucket now; by default a lease of its own on `backend`. */
  lease?: CompactorLease;
}
