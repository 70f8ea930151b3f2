import { compareTraceIds, TRACE_ID_BYTES, traceIdFromHex, traceIdToHex } from '../trace-id';
import type { BlockMeta, TraceRecord } from '../types';
import type { BlockObject, BuildBlockOptions } from './block-format';

/**
 * What every block format does alike with a block's traces: checks them, sums them up for
 * meta.json, and tells a trace ID outside the block's range without any I/O.
 */

/** Every format's input contract: 16-byte IDs, sorted, each once. */
export function checkSortedUnique(traces: readonly TraceRecord[]): void {
  for (let i = 0; i < traces.length; i++) {
    if (traces[i].traceId.length !== TRACE_ID_BYTES) {
      throw new RangeError(`trace ${i} has a ${traces[i].traceId.length}-byte ID; 16 bytes expected`);
    }
    if (i > 0 && compareTraceIds(traces[i - 1].traceId, traces[i].traceId) >= 0) {
      throw new RangeError(`traces must be sorted by trace ID without duplicates (at index ${i})`);
    }
  }
}

/** The traces' sums for meta.json. */
export interface TraceTotals {
  rawBytes: number;
  totalSpans: number;
  startMs: number;
  endMs: number;
}

/** One pass over the traces: their totals, and `each` (a bloom filter's `add`) called per trace. */
export function traceTotals(traces: readonly TraceRecord[], each: (trace: TraceRecord) => void): TraceTotals {
  const totals = {
    rawBytes: 0,
    totalSpans: 0,
    startMs: Number.POSITIVE_INFINITY,
    endMs: Number.NEGATIVE_INFINITY,
  };
  for (const trace of traces) {
    each(trace);
    totals.rawBytes += trace.data.byteLength;
    totals.totalSpans += trace.spanCount;
    if (trace.startMs < totals.startMs) totals.startMs = trace.startMs;
    if (trace.endMs > totals.endMs) totals.endMs = trace.endMs;
  }
  return totals;
}

/** A built block's meta.json; `objects` sizes what the format names data, index and bloom. */
export function blockMetaOf(
  format: string,
  opts: BuildBlockOptions,
  totals: TraceTotals,
  objects: { dataBytes: number; indexBytes: number; bloom: readonly BlockObject[]; pages: number },
): BlockMeta {
  const { traces } = opts;
  return {
    format,
    blockId: opts.blockId,
    tenantId: opts.tenantId,
    minTraceId: traceIdToHex(traces[0].traceId),
    maxTraceId: traceIdToHex(traces[traces.length - 1].traceId),
    startTime: new Date(totals.startMs).toISOString(),
    endTime: new Date(totals.endMs).toISOString(),
    startMs: totals.startMs,
    endMs: totals.endMs,
    totalTraces: traces.length,
    totalSpans: totals.totalSpans,
    dataBytes: objects.dataBytes,
    indexBytes: objects.indexBytes,
    bloomBytes: objects.bloom.reduce((sum, object) => sum + object.data.byteLength, 0),
    bloomShards: objects.bloom.length,
    pages: objects.pages,
    rawBytes: totals.rawBytes,
    createdAt: new Date().toISOString(),
  };
}

/** A block's trace ID range, from its meta.json (which must name its bloom shards). */
export class TraceIdRange {
  private readonly min: Uint8Array;
  private readonly max: Uint8Array;

  constructor(meta: BlockMeta) {
    if (!Number.isInteger(meta.bloomShards) || meta.bloomShards < 1) {
      throw new Error(`block ${meta.blockId}: meta.json has no bloom shards`);
    }
    this.min = traceIdFromHex(meta.minTraceId);
    this.max = traceIdFromHex(meta.maxTraceId);
  }

  /** False when the ID is outside [min, max]: the block cannot hold it. */
  holds(traceId: Uint8Array): boolean {
    return compareTraceIds(traceId, this.min) >= 0 && compareTraceIds(traceId, this.max) <= 0;
  }
}
