import { compareTraceIds, TRACE_ID_BYTES } from '../../trace-id';
import type { TraceRecord } from '../../types';

/**
 * An uncompressed page is a run of trace records sorted by trace ID, with nothing between them:
 *
 *   offset  size  field
 *        0    16  trace ID
 *       16     1  flags (bit 0: truncated at max_bytes_per_trace)
 *       17     4  span count, u32 LE
 *       21     8  start, ms since epoch, f64 LE
 *       29     8  end, ms since epoch, f64 LE
 *       37     4  data length, u32 LE
 *       41     …  data: OTLP TracesData protobuf bytes
 *
 * The summary fields make a page enough to rebuild every TraceRecord (compaction needs them).
 */
export const RECORD_HEADER_BYTES = 41;
const FLAG_TRUNCATED = 1;

export function recordSize(trace: TraceRecord): number {
  return RECORD_HEADER_BYTES + trace.data.byteLength;
}

/** Encodes traces[from, to) into one page of exactly `size` bytes (the sum of their record sizes). */
export function encodePage(traces: readonly TraceRecord[], from: number, to: number, size: number): Buffer {
  const page = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = from; i < to; i++) {
    const trace = traces[i];
    page.set(trace.traceId, at);
    page[at + 16] = trace.truncated ? FLAG_TRUNCATED : 0;
    page.writeUInt32LE(trace.spanCount, at + 17);
    page.writeDoubleLE(trace.startMs, at + 21);
    page.writeDoubleLE(trace.endMs, at + 29);
    page.writeUInt32LE(trace.data.byteLength, at + 37);
    page.set(trace.data, at + RECORD_HEADER_BYTES);
    at += RECORD_HEADER_BYTES + trace.data.byteLength;
  }
  if (at !== size) throw new Error(`page size mismatch: wrote ${at} of ${size} bytes`);
  return page;
}

function readRecord(page: Buffer, at: number): { record: TraceRecord; next: number } {
  if (at + RECORD_HEADER_BYTES > page.length)
    throw new Error(`corrupt page: record header at ${at} is cut off`);
  const length = page.readUInt32LE(at + 37);
  const dataStart = at + RECORD_HEADER_BYTES;
  if (dataStart + length > page.length) throw new Error(`corrupt page: record data at ${at} is cut off`);
  const record: TraceRecord = {
    traceId: page.subarray(at, at + TRACE_ID_BYTES),
    truncated: (page[at + 16] & FLAG_TRUNCATED) !== 0,
    spanCount: page.readUInt32LE(at + 17),
    startMs: page.readDoubleLE(at + 21),
    endMs: page.readDoubleLE(at + 29),
    data: page.subarray(dataStart, dataStart + length),
  };
  return { record, next: dataStart + length };
}

/**
 * The record for `traceId`, or undefined. Walks record headers only: even a page of hundreds of
 * tiny traces takes microseconds, next to a millisecond of decompression.
 */
export function findRecordInPage(page: Buffer, traceId: Uint8Array): TraceRecord | undefined {
  let at = 0;
  while (at < page.length) {
    if (at + RECORD_HEADER_BYTES > page.length)
      throw new Error(`corrupt page: record header at ${at} is cut off`);
    const order = compareTraceIds(page, traceId, at);
    if (order === 0) return readRecord(page, at).record;
    // Sorted: once past the ID, it is not in this page.
    if (order > 0) return undefined;
    at += RECORD_HEADER_BYTES + page.readUInt32LE(at + 37);
  }
  return undefined;
}

/** Every record of a page, in trace ID order. */
export function* pageRecords(page: Buffer): Generator<TraceRecord> {
  let at = 0;
  while (at < page.length) {
    const { record, next } = readRecord(page, at);
    yield record;
    at = next;
  }
}
