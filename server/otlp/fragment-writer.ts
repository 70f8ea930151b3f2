import type { RequestIndex } from './request-index';
import { RESOURCE_SPANS, SCOPE_SPANS, TRACES_DATA } from './trace-fields';
import { lenFieldSize, writeVarint } from './wire';

// The tags written around each span, as local constants (see trace-fields.ts). All take one byte.
const TAG_RESOURCE_SPANS = TRACES_DATA.tag.resource_spans;
const TAG_SCOPE_SPANS = RESOURCE_SPANS.tag.scope_spans;
const TAG_SPAN = SCOPE_SPANS.tag.spans;

/** One trace's share of a request, ready for the WAL. */
export interface TraceFragment {
  /** 16 bytes. */
  traceId: Buffer;
  /** The trace ID as 32 lowercase hex characters. */
  key: string;
  /** An OTLP TracesData encoding holding only this trace's spans, with their resource and scope. */
  data: Buffer;
  spanCount: number;
  /** Earliest span start, unix milliseconds. */
  startMs: number;
  /** Latest span end, unix milliseconds. */
  endMs: number;
}

const BLOCK_BYTES = 64 * 1024;

/**
 * The splitter's second pass: one TracesData per trace, re-framed from the request's bytes.
 * Two walks per trace over its spans: the first sizes every ScopeSpans and ResourceSpans (a
 * length prefix is written before its body), the second copies the bytes.
 */
export function writeFragments(index: RequestIndex): TraceFragment[] {
  const traces = index.traceIdPos.length;
  const rsSizes: number[] = [];
  const ssSizes: number[] = [];
  const fragmentSizes: number[] = [];
  let total = 0;
  for (let t = 0; t < traces; t++) {
    let size = 0;
    let rs = -1;
    let ss = -1;
    let rsBody = 0;
    let ssBody = 0;
    for (let s = index.traceHead[t]; s >= 0; s = index.spanNext[s]) {
      if (index.spanScope[s] !== ss) {
        if (ss >= 0) {
          ssSizes.push(ssBody);
          rsBody += lenFieldSize(ssBody);
        }
        ss = index.spanScope[s];
        if (index.ssResource[ss] !== rs) {
          if (rs >= 0) {
            rsSizes.push(rsBody);
            size += lenFieldSize(rsBody);
          }
          rs = index.ssResource[ss];
          rsBody = index.rsHeaderLength[rs];
        }
        ssBody = index.ssHeaderLength[ss];
      }
      ssBody += lenFieldSize(index.spanEnd[s] - index.spanStart[s]);
    }
    ssSizes.push(ssBody);
    rsBody += lenFieldSize(ssBody);
    rsSizes.push(rsBody);
    size += lenFieldSize(rsBody);
    fragmentSizes.push(size);
    total += size;
  }

  // The request is copied next to the output in one scratch buffer so that every piece is
  // moved with copyWithin (no per-copy view objects, which dominated the cost), then the
  // output is copied out once. Fragments are slices of that one allocation.
  const bodyLength = index.bytes.length;
  const work = scratchFor(bodyLength + total);
  work.set(index.bytes, 0);
  let pos = bodyLength;
  let rsIndex = 0;
  let ssIndex = 0;
  for (let t = 0; t < traces; t++) {
    let rs = -1;
    let ss = -1;
    for (let s = index.traceHead[t]; s >= 0; s = index.spanNext[s]) {
      if (index.spanScope[s] !== ss) {
        ss = index.spanScope[s];
        if (index.ssResource[ss] !== rs) {
          rs = index.ssResource[ss];
          work[pos++] = TAG_RESOURCE_SPANS;
          pos = writeVarint(work, pos, rsSizes[rsIndex++]);
          pos = copyHeader(index, work, pos, index.rsHeaderFirst[rs], index.rsHeaderLength[rs]);
        }
        work[pos++] = TAG_SCOPE_SPANS;
        pos = writeVarint(work, pos, ssSizes[ssIndex++]);
        pos = copyHeader(index, work, pos, index.ssHeaderFirst[ss], index.ssHeaderLength[ss]);
      }
      const spanStart = index.spanStart[s];
      const spanEnd = index.spanEnd[s];
      work[pos++] = TAG_SPAN;
      pos = writeVarint(work, pos, spanEnd - spanStart);
      work.copyWithin(pos, spanStart, spanEnd);
      pos += spanEnd - spanStart;
    }
  }
  return copyOut(index, work.subarray(bodyLength, bodyLength + total), fragmentSizes);
}

/**
 * Copies the fragments out of the work buffer. Consecutive fragments share an allocation of
 * up to BLOCK_BYTES (one allocation per request is far cheaper than one per trace), so a
 * long-lived trace keeps at most that much of its request's output alive with it.
 */
function copyOut(index: RequestIndex, output: Uint8Array, sizes: number[]): TraceFragment[] {
  const fragments: TraceFragment[] = [];
  let block = Buffer.alloc(0);
  let blockStart = 0; // where `block` starts and ends in `output`
  let blockEnd = 0;
  let offset = 0;
  for (let t = 0; t < sizes.length; t++) {
    if (offset >= blockEnd) {
      let end = offset + sizes[t];
      for (let u = t + 1; u < sizes.length && end + sizes[u] - offset <= BLOCK_BYTES; u++) end += sizes[u];
      block = Buffer.allocUnsafe(end - offset);
      block.set(output.subarray(offset, end));
      blockStart = offset;
      blockEnd = end;
    }
    const idPos = index.traceIdPos[t];
    const traceId = Buffer.allocUnsafe(16);
    index.buf.copy(traceId, 0, idPos, idPos + 16);
    fragments.push({
      traceId,
      key: index.buf.toString('hex', idPos, idPos + 16),
      data: block.subarray(offset - blockStart, offset - blockStart + sizes[t]),
      spanCount: index.traceSpans[t],
      startMs: index.traceStartNs[t] / 1e6,
      endMs: index.traceEndNs[t] / 1e6,
    });
    offset += sizes[t];
  }
  return fragments;
}

/** Copies a header's ranges (which add up to `length` bytes) starting at range `first`. */
function copyHeader(
  index: RequestIndex,
  work: Uint8Array,
  pos: number,
  first: number,
  length: number,
): number {
  const ranges = index.headerRanges;
  const stop = pos + length;
  for (let i = first; pos < stop; i += 2) {
    work.copyWithin(pos, ranges[i], ranges[i + 1]);
    pos += ranges[i + 1] - ranges[i];
  }
  return pos;
}

const SCRATCH_KEPT_BYTES = 4 * 1024 * 1024;
let scratch = new Uint8Array(64 * 1024);

/** A reusable work buffer; very large requests get one of their own, so it is not kept. */
function scratchFor(bytes: number): Uint8Array {
  if (bytes <= scratch.length) return scratch;
  if (bytes > SCRATCH_KEPT_BYTES) return new Uint8Array(bytes);
  let size = scratch.length;
  while (size < bytes) size *= 2;
  scratch = new Uint8Array(size);
  return scratch;
}
