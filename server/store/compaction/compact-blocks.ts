import { buildBlock } from '../block-writer';
import type { BlockReader, BuiltBlock } from '../encoding/block-format';
import type { BlockMeta } from '../types';
import { mergeSortedTraces } from './merge-traces';

export interface CompactOptions {
  /** The new block's ID. */
  blockId: string;
  bloomFalsePositive: number;
  bloomShardSizeBytes: number;
  /** A trace combined from several inputs is cut here, as at ingest (0: no limit). */
  maxBytesPerTrace: number;
}

/**
 * One block holding every trace of `inputs` (blocks of one tenant), each trace once with its
 * spans deduplicated, in the format new blocks are written in and with fresh bloom, index and
 * search data, so a block written before search data existed comes out searchable. Built in
 * memory, like a flushed block; writing it (`writeBlock`) and retiring the inputs are the
 * caller's.
 */
export async function compactBlocks(
  inputs: readonly BlockReader[],
  options: CompactOptions,
): Promise<BuiltBlock> {
  if (inputs.length === 0) throw new RangeError('compaction needs at least one block');
  const tenantId = inputs[0].meta.tenantId;
  const other = inputs.find((input) => input.meta.tenantId !== tenantId);
  if (other) {
    throw new Error(
      `compaction mixes tenants: ${tenantId} and ${other.meta.tenantId} (${other.meta.blockId})`,
    );
  }
  const traces = await mergeSortedTraces(
    inputs.map((input) => input.traces()),
    options.maxBytesPerTrace,
  );
  const built = buildBlock({
    tenantId,
    blockId: options.blockId,
    traces,
    bloomFalsePositive: options.bloomFalsePositive,
    bloomShardSizeBytes: options.bloomShardSizeBytes,
  });
  return { ...built, meta: { ...built.meta, ...compactionFields(inputs.map((input) => input.meta)) } };
}

/** The meta fields that mark a block as compacted from `inputs`. */
export function compactionFields(
  inputs: readonly BlockMeta[],
): Pick<BlockMeta, 'compactedFrom' | 'compactionLevel'> {
  return {
    compactedFrom: inputs.map((meta) => meta.blockId),
    compactionLevel: Math.max(...inputs.map((meta) => meta.compactionLevel ?? 0)) + 1,
  };
}
