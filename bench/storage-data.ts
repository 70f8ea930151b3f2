import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { BlockBuilder } from '../server/ingester/block-builder';
import { splitTracesByTraceId } from '../server/otlp/split-traces';
import type { Backend } from '../server/store/backend/backend';
import { buildBlock, writeBlock } from '../server/store/block-writer';
import type { BuiltBlock } from '../server/store/encoding/block-format';
import { forEachLimited } from '../server/store/for-each-limited';
import type { TraceRecord } from '../server/store/types';
import { SearchData } from './search-data';

/**
 * The storage benchmark's blocks: the search benchmark's traces (`SearchData`, seeded), cut into
 * blocks of consecutive traces (so each block covers a slice of time, as an ingester's flushes
 * do; trace IDs are random, so every block spans nearly the whole ID range), built in this
 * process exactly as the block-builder worker builds them (`buildBlock`: data, index, bloom,
 * search sidecar) and written with `writeBlock` (objects first, meta.json last).
 */

export const BENCH_TENANT = 'single-tenant';
export const BLOOM_FALSE_POSITIVE = 0.01;
export const BLOOM_SHARD_SIZE_BYTES = 100 * 1024;

export interface Dataset {
  data: SearchData;
  /** Trace i of the data, in trace index (= time) order. */
  records: TraceRecord[];
  spans: number;
  /** OTLP protobuf bytes of the export requests the traces came in. */
  rawBytes: number;
}

/** Every trace of a `SearchData` as a block's record (each trace is whole in one request). */
export function makeDataset(options: {
  traces: number;
  spansPerTrace: number;
  seed: number;
  startMs: number;
  chosen: number;
}): Dataset {
  const data = new SearchData(options);
  const records: TraceRecord[] = [];
  let spans = 0;
  let rawBytes = 0;
  for (let r = 0; r < data.requests; r++) {
    const { body } = data.request(r);
    rawBytes += body.length;
    for (const fragment of splitTracesByTraceId(body).fragments) {
      spans += fragment.spanCount;
      records.push({
        traceId: fragment.traceId,
        data: fragment.data,
        spanCount: fragment.spanCount,
        startMs: fragment.startMs,
        endMs: fragment.endMs,
        truncated: false,
      });
    }
  }
  return { data, records, spans, rawBytes };
}

/** Consecutive slices of `records`, `blocks` of them as even as can be. */
export function sliceIntoBlocks(records: readonly TraceRecord[], blocks: number): TraceRecord[][] {
  const out: TraceRecord[][] = [];
  for (let b = 0; b < blocks; b++) {
    const from = Math.floor((b * records.length) / blocks);
    const to = Math.floor(((b + 1) * records.length) / blocks);
    if (to > from) out.push(records.slice(from, to));
  }
  return out;
}

/** One block of these traces, built as the block-builder worker builds one. */
export function buildBenchBlock(traces: readonly TraceRecord[]): BuiltBlock {
  return buildBlock({
    tenantId: BENCH_TENANT,
    blockId: randomUUID(),
    traces: [...traces].sort((a, b) => Buffer.compare(a.traceId, b.traceId)),
    bloomFalsePositive: BLOOM_FALSE_POSITIVE,
    bloomShardSizeBytes: BLOOM_SHARD_SIZE_BYTES,
  });
}

/**
 * `buildBenchBlock` for every slice, on two threads: this one and Loupe's block-builder worker
 * (the same `buildBlock`), each taking the next slice when done. Same blocks, in slice order.
 */
export async function buildBenchBlocks(slices: readonly (readonly TraceRecord[])[]): Promise<BuiltBlock[]> {
  const out: BuiltBlock[] = new Array(slices.length);
  let next = 0;
  const builder = new BlockBuilder();
  const worker = async () => {
    while (next < slices.length) {
      const i = next++;
      const result = await builder.build({
        kind: 'records',
        blockId: randomUUID(),
        tenantId: BENCH_TENANT,
        bloomFalsePositive: BLOOM_FALSE_POSITIVE,
        bloomShardSizeBytes: BLOOM_SHARD_SIZE_BYTES,
        traces: [...slices[i]].sort((a, b) => Buffer.compare(a.traceId, b.traceId)),
      });
      out[i] = { meta: result.meta, objects: result.objects };
    }
  };
  const here = async () => {
    while (next < slices.length) {
      const i = next++;
      out[i] = buildBenchBlock(slices[i]);
      await nextTurn(); // lets the worker's reply in, and its next job out
    }
  };
  try {
    await Promise.all([worker(), here()]);
  } finally {
    await builder.close();
  }
  return out;
}

export function builtBytes(blocks: readonly BuiltBlock[]): number {
  let bytes = 0;
  for (const block of blocks) {
    for (const object of block.objects) bytes += object.data.byteLength;
    bytes += Buffer.byteLength(`${JSON.stringify(block.meta, null, 2)}\n`);
  }
  return bytes;
}

/**
 * Writes the blocks to every backend, `concurrency` blocks at a time per backend (each block's
 * objects one after the other, meta.json last, as `writeBlock` does).
 */
export async function writeBlocks(
  backends: readonly Backend[],
  blocks: readonly BuiltBlock[],
  concurrency: number,
): Promise<void> {
  await Promise.all(
    backends.map((backend) => forEachLimited(blocks, concurrency, (block) => writeBlock(backend, block))),
  );
}
