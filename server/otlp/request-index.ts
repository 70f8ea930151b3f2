import { RESOURCE_SPANS, SCOPE_SPANS, SPAN, TRACES_DATA } from './trace-fields';
import {
  checkField,
  checkKeyValue,
  checkMessage,
  REQUEST_SHAPE,
  RESOURCE_SHAPE,
  RESOURCE_SPANS_SHAPE,
  SCOPE_SHAPE,
  SCOPE_SPANS_SHAPE,
  SPAN_SHAPE,
} from './trace-schema';
import { asBuffer, ProtoReader } from './wire';

// The tags the reader switches on, as local constants (see trace-fields.ts).
const TAG_RESOURCE_SPANS = TRACES_DATA.tag.resource_spans;
const TAG_RESOURCE = RESOURCE_SPANS.tag.resource;
const TAG_SCOPE_SPANS = RESOURCE_SPANS.tag.scope_spans;
const TAG_SCOPE = SCOPE_SPANS.tag.scope;
const TAG_SPAN = SCOPE_SPANS.tag.spans;
const TAG_TRACE_ID = SPAN.tag.trace_id;
const TAG_SPAN_ID = SPAN.tag.span_id;
const TAG_START_TIME = SPAN.tag.start_time_unix_nano;
const TAG_END_TIME = SPAN.tag.end_time_unix_nano;
const TAG_ATTRIBUTE = SPAN.tag.attributes;

/** Adds [start, end) to a list of ranges, extending the last one when adjacent. */
function addRange(ranges: number[], start: number, end: number): void {
  if (ranges.length > 0 && ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = end;
  else ranges.push(start, end);
}

/** The little-endian 32-bit word at `pos` (IDs are compared and hashed a word at a time). */
function word(b: Buffer, pos: number): number {
  return b[pos] | (b[pos + 1] << 8) | (b[pos + 2] << 16) | (b[pos + 3] << 24);
}

/**
 * The splitter's first pass over a request: checks its structure and records where every
 * resource, scope and span is, grouping valid spans by trace. Only offsets are kept, so
 * reading allocates almost nothing; the fragments are written from them afterwards.
 */
export class RequestIndex {
  readonly buf: Buffer;
  readonly bytes: Uint8Array;
  private readonly r: ProtoReader;
  /** Spans rejected per reason (see REJECTIONS in split-traces). */
  readonly rejections = [0, 0, 0, 0];

  // Fields of a ResourceSpans/ScopeSpans other than its list ("headers"), as [start, end) pairs.
  readonly headerRanges: number[] = [];
  readonly rsHeaderFirst: number[] = [];
  readonly rsHeaderLength: number[] = [];
  readonly ssResource: number[] = [];
  readonly ssHeaderFirst: number[] = [];
  readonly ssHeaderLength: number[] = [];

  // Accepted spans, in request order; each trace's spans form a linked list through spanNext.
  readonly spanStart: number[] = [];
  readonly spanEnd: number[] = [];
  readonly spanScope: number[] = [];
  readonly spanNext: number[] = [];

  // Traces, in order of first appearance, found by a hash of the ID's four 32-bit words.
  private readonly buckets = new Map<number, number>();
  private readonly traceBucketNext: number[] = [];
  private readonly traceWords: number[] = [];
  readonly traceIdPos: number[] = [];
  readonly traceHead: number[] = [];
  private readonly traceTail: number[] = [];
  readonly traceSpans: number[] = [];
  readonly traceStartNs: number[] = [];
  readonly traceEndNs: number[] = [];

  constructor(body: Uint8Array) {
    this.buf = asBuffer(body);
    this.bytes = new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.r = new ProtoReader(this.buf);
  }

  read(): void {
    const r = this.r;
    const end = this.buf.length;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag !== TAG_RESOURCE_SPANS) {
        checkField(r, tag, end, REQUEST_SHAPE, 0);
        continue;
      }
      const length = r.len(end);
      this.readResourceSpans(r.pos + length);
    }
  }

  private readResourceSpans(end: number): void {
    const r = this.r;
    const rs = this.rsHeaderFirst.length;
    const scopesBefore = this.ssResource.length;
    // Collected apart because this resource's own fields may come after its scope spans.
    const header: number[] = [];
    while (r.pos < end) {
      const fieldStart = r.pos;
      const tag = r.tag(end);
      if (tag === TAG_SCOPE_SPANS) {
        const length = r.len(end);
        this.readScopeSpans(rs, r.pos + length);
        continue;
      }
      if (tag === TAG_RESOURCE) {
        const length = r.len(end);
        checkMessage(r, r.pos + length, RESOURCE_SHAPE, 2);
      } else checkField(r, tag, end, RESOURCE_SPANS_SHAPE, 1);
      addRange(header, fieldStart, r.pos);
    }
    // Only resources with a kept span are recorded: 10 million empty ones (a 20 KB gzip body)
    // would otherwise cost some 400 MB of offsets that no fragment uses.
    if (this.ssResource.length === scopesBefore) return;
    this.rsHeaderFirst.push(this.headerRanges.length);
    this.rsHeaderLength.push(this.pushRanges(header));
  }

  private readScopeSpans(rs: number, end: number): void {
    const r = this.r;
    const ss = this.ssResource.length;
    const spansBefore = this.spanStart.length;
    const header: number[] = [];
    while (r.pos < end) {
      const fieldStart = r.pos;
      const tag = r.tag(end);
      if (tag === TAG_SPAN) {
        const length = r.len(end);
        this.readSpan(ss, r.pos, r.pos + length);
        continue;
      }
      if (tag === TAG_SCOPE) {
        const length = r.len(end);
        checkMessage(r, r.pos + length, SCOPE_SHAPE, 3);
      } else checkField(r, tag, end, SCOPE_SPANS_SHAPE, 2);
      addRange(header, fieldStart, r.pos);
    }
    if (this.spanStart.length === spansBefore) return; // as for resources: only with a kept span
    this.ssResource.push(rs);
    this.ssHeaderFirst.push(this.headerRanges.length);
    this.ssHeaderLength.push(this.pushRanges(header));
  }

  /** Appends a header's ranges to the shared list; returns their total length. */
  private pushRanges(ranges: number[]): number {
    let length = 0;
    for (let i = 0; i < ranges.length; i += 2) {
      this.headerRanges.push(ranges[i], ranges[i + 1]);
      length += ranges[i + 1] - ranges[i];
    }
    return length;
  }

  private readSpan(ss: number, start: number, end: number): void {
    const r = this.r;
    const buf = this.buf;
    let traceIdPos = 0;
    let traceIdLength = 0;
    let spanIdPos = 0;
    let spanIdLength = 0;
    let startNs = 0;
    let endNs = 0;
    while (r.pos < end) {
      const tag = r.tag(end);
      switch (tag) {
        case TAG_TRACE_ID:
          traceIdLength = r.len(end);
          traceIdPos = r.pos;
          r.pos += traceIdLength;
          break;
        case TAG_SPAN_ID:
          spanIdLength = r.len(end);
          spanIdPos = r.pos;
          r.pos += spanIdLength;
          break;
        case TAG_START_TIME:
          startNs = r.fixed64(end);
          break;
        case TAG_END_TIME:
          endNs = r.fixed64(end);
          break;
        case TAG_ATTRIBUTE: {
          const length = r.len(end);
          checkKeyValue(r, r.pos + length, 4);
          break;
        }
        default:
          // Everything else, including known fields with a wrong wire type, via the shape table.
          checkField(r, tag, end, SPAN_SHAPE, 3);
      }
    }
    if (traceIdLength !== 16) {
      this.rejections[0]++;
      return;
    }
    const w0 = word(buf, traceIdPos);
    const w1 = word(buf, traceIdPos + 4);
    const w2 = word(buf, traceIdPos + 8);
    const w3 = word(buf, traceIdPos + 12);
    let rejection = -1;
    if ((w0 | w1 | w2 | w3) === 0) rejection = 1;
    else if (spanIdLength !== 8) rejection = 2;
    else if ((word(buf, spanIdPos) | word(buf, spanIdPos + 4)) === 0) rejection = 3;
    if (rejection >= 0) {
      this.rejections[rejection]++;
      return;
    }

    const trace = this.traceFor(w0, w1, w2, w3, traceIdPos);
    const span = this.spanStart.length;
    this.spanStart.push(start);
    this.spanEnd.push(end);
    this.spanScope.push(ss);
    this.spanNext.push(-1);
    if (this.traceHead[trace] < 0) this.traceHead[trace] = span;
    else this.spanNext[this.traceTail[trace]] = span;
    this.traceTail[trace] = span;
    this.traceSpans[trace]++;
    if (startNs < this.traceStartNs[trace]) this.traceStartNs[trace] = startNs;
    if (endNs > this.traceEndNs[trace]) this.traceEndNs[trace] = endNs;
  }

  /** The trace with this ID (its four words, found at `pos`), created on first sight. */
  private traceFor(w0: number, w1: number, w2: number, w3: number, pos: number): number {
    const hash = Math.imul(Math.imul(Math.imul(w0, 0x9e3779b1) ^ w1, 0x85ebca6b) ^ w2, 0xc2b2ae35) ^ w3;
    const words = this.traceWords;
    let trace = this.buckets.get(hash) ?? -1;
    while (trace >= 0) {
      const w = trace * 4;
      if (words[w] === w0 && words[w + 1] === w1 && words[w + 2] === w2 && words[w + 3] === w3) return trace;
      trace = this.traceBucketNext[trace];
    }
    trace = this.traceIdPos.length;
    this.traceBucketNext.push(this.buckets.get(hash) ?? -1);
    this.buckets.set(hash, trace);
    words.push(w0, w1, w2, w3);
    this.traceIdPos.push(pos);
    this.traceHead.push(-1);
    this.traceTail.push(-1);
    this.traceSpans.push(0);
    this.traceStartNs.push(Number.POSITIVE_INFINITY);
    this.traceEndNs.push(0);
    return trace;
  }
}
