import type { Backend } from '../backend/backend';
import { buildBlock } from '../block-writer';
import type { BlockReader, BuiltBlock } from '../encoding/block-format';
import { blockFormatFor, WRITE_FORMAT } from '../encoding/registry';
import { openSearchSidecar } from '../search/search-sidecar';
import {
  groupsOf,
  MIN_COPIED_ROW_GROUP_ROWS,
  type SearchReuse,
  type SidecarSource,
} from '../search/sidecar-merge';
import type { SidecarReader } from '../search/sidecar-reader';
import { traceIdToHex } from '../trace-id';
import type { BlockMeta, TraceRecord } from '../types';
import { mergeSortedRecords, readSortedInputs } from './merge-traces';
import { readSearchSources } from './search-sources';

export interface CompactOptions {
  /** The new block's ID. */
  blockId: string;
  bloomFalsePositive: number;
  bloomShardSizeBytes: number;
  /** A trace combined from several inputs is cut here, as at ingest (0: no limit). */
  maxBytesPerTrace: number;
}

/** A block to compact, as the blocklist holds it: its reader, and its search sidecar's if it has one. */
export interface CompactionInput {
  meta: BlockMeta;
  reader: BlockReader;
  search?: SidecarReader;
}

/** What a compaction builds its block from. */
export interface CompactionSource {
  tenantId: string;
  /** Every trace of the inputs, each once, in trace ID order (`mergeSortedTraces`). */
  traces: TraceRecord[];
  /** The inputs' search sidecars to copy row groups from, when any can give one. */
  search?: SearchReuse;
}

/**
 * The inputs (blocks of one tenant) read for a compaction: their traces merged, each trace once
 * with its spans deduplicated, and beside them their search sidecars, whose row groups the new
 * block copies where it can instead of building them again (`buildSearchObjects`).
 */
export async function readCompactionInputs(
  backend: Backend,
  inputs: readonly CompactionInput[],
  maxBytesPerTrace: number,
): Promise<CompactionSource> {
  if (inputs.length === 0) throw new RangeError('compaction needs at least one block');
  const tenantId = inputs[0].meta.tenantId;
  const other = inputs.find((input) => input.meta.tenantId !== tenantId);
  if (other) {
    throw new Error(
      `compaction mixes tenants: ${tenantId} and ${other.meta.tenantId} (${other.meta.blockId})`,
    );
  }
  const byInput = await readSearchSources(backend, inputs);
  // An input in the format being written whose spans are its search file's rows (loupe-v2):
  // its big row groups whose traces are in no other input are copied by the build as they are
  // (ADR 008), so their traces come without their OTLP, not rebuilt only to be dropped. Every
  // other input (and trace) is read whole, as before.
  const copyRows = WRITE_FORMAT.compactionRecords;
  const groups = inputs.map((input, i) => {
    const source = byInput[i];
    const deferrable =
      copyRows !== undefined &&
      blockFormatFor(input.meta.format) === WRITE_FORMAT &&
      source !== undefined &&
      !input.meta.search?.unsearchableTraces;
    return deferrable ? groupsOf(source.parquet) : undefined;
  });
  const lists = await readSortedInputs(
    inputs.map((input, i) => (groups[i] ? noTraces() : input.reader.traces())),
  );
  const inputsOf = new Map<string, number>();
  const seen = (id: string) => inputsOf.set(id, (inputsOf.get(id) ?? 0) + 1);
  for (const list of lists) for (const record of list) seen(traceIdToHex(record.traceId));
  for (const input of groups) for (const group of input ?? []) for (const id of group.ids) seen(id);
  const sources: SidecarSource[] = [];
  const sourceOf = byInput.map((source) => (source ? sources.push(source) - 1 : -1));
  for (let i = 0; i < inputs.length; i++) {
    const input = groups[i];
    if (!input) continue;
    const deferred = new Set<number>();
    input.forEach((group, g) => {
      if (group.rows >= MIN_COPIED_ROW_GROUP_ROWS && group.ids.every((id) => inputsOf.get(id) === 1))
        deferred.add(g);
    });
    lists[i] = await copyRows!(backend, inputs[i].meta, sources[sourceOf[i]].parquet, deferred, sourceOf[i]);
  }
  const splitTraceIds: Uint8Array[] = [];
  const traces = mergeSortedRecords(lists, maxBytesPerTrace, splitTraceIds);
  return { tenantId, traces, ...(sources.length > 0 ? { search: { sources, splitTraceIds } } : {}) };
}

async function* noTraces(): AsyncGenerator<TraceRecord> {}

/**
 * The input sidecars' memory, for a caller to hand to the build worker rather than copy (tens of
 * MB for big blocks; nothing reads them after the build). A job retried after a worker crash then
 * has empty ones, which the build treats as unreadable: it builds those traces' search data from
 * their records. Only a buffer that is the whole of its ArrayBuffer moves.
 */
export function transferableSources(search: SearchReuse | undefined): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { parquet } of search?.sources ?? []) {
    const buffer = parquet.buffer;
    if (buffer instanceof ArrayBuffer && parquet.byteOffset === 0 && parquet.byteLength === buffer.byteLength)
      buffers.add(buffer);
  }
  return [...buffers];
}

/**
 * One block holding every trace of `inputs`, built in this thread exactly as the compactor
 * builds it on its worker (`readCompactionInputs`, then `buildBlock`): fresh pages, index and
 * bloom, search row groups copied where they can be, so a block written before search data
 * existed comes out searchable. Writing it (`writeBlock`) and retiring the inputs are the caller's.
 */
export async function compactBlocks(
  backend: Backend,
  inputs: readonly BlockReader[],
  options: CompactOptions,
): Promise<BuiltBlock> {
  const { tenantId, traces, search } = await readCompactionInputs(
    backend,
    inputs.map((reader) => ({ meta: reader.meta, reader, search: openSearchSidecar(backend, reader.meta) })),
    options.maxBytesPerTrace,
  );
  const built = buildBlock(
    {
      tenantId,
      blockId: options.blockId,
      traces,
      bloomFalsePositive: options.bloomFalsePositive,
      bloomShardSizeBytes: options.bloomShardSizeBytes,
    },
    search,
  );
  return { ...built, meta: { ...built.meta, ...compactionFields(inputs.map((input) => input.meta)) } };
}

/** The meta fields that mark a block as compacted from `inputs`. */
export function compactionFields(
  inputs: readonly BlockMeta[],
): Pick<BlockMeta, 'compactedFrom' | 'compactionLevel' | 'rawBytes'> {
  return {
    // The inputs' OTLP bytes (an upper bound: spans found in several inputs count once per
    // input). Traces copied as rows were never rebuilt as OTLP, so the build cannot count them.
    rawBytes: inputs.reduce((sum, meta) => sum + meta.rawBytes, 0),
    compactedFrom: inputs.map((meta) => meta.blockId),
    compactionLevel: Math.max(...inputs.map((meta) => meta.compactionLevel ?? 0)) + 1,
  };
}
