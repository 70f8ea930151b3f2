import { AttributeCursor, type LabelValueReading, readCappedString, utf8Key } from './attribute-cursor';
import {
  INSTRUMENTATION_SCOPE,
  RESOURCE,
  RESOURCE_SPANS,
  SCOPE_SPANS,
  SPAN,
  STATUS,
  TRACES_DATA,
} from './trace-fields';
import { asBuffer, ProtoReader } from './wire';

export type { LabelValueReading };

// Tags as local constants: imported bindings cost a getter call each on the hot path.
const TAG_RESOURCE_SPANS = TRACES_DATA.tag.resource_spans;
const TAG_RESOURCE = RESOURCE_SPANS.tag.resource;
const TAG_SCOPE_SPANS = RESOURCE_SPANS.tag.scope_spans;
const TAG_SCOPE = SCOPE_SPANS.tag.scope;
const TAG_SPAN = SCOPE_SPANS.tag.spans;
const TAG_TRACE_ID = SPAN.tag.trace_id;
const TAG_SPAN_ID = SPAN.tag.span_id;
const TAG_PARENT_SPAN_ID = SPAN.tag.parent_span_id;
const TAG_NAME = SPAN.tag.name;
const TAG_KIND = SPAN.tag.kind;
const TAG_START_TIME = SPAN.tag.start_time_unix_nano;
const TAG_END_TIME = SPAN.tag.end_time_unix_nano;
const TAG_STATUS = SPAN.tag.status;
const TAG_STATUS_MESSAGE = STATUS.tag.message;
const TAG_STATUS_CODE = STATUS.tag.code;
const TAG_SPAN_ATTRIBUTES = SPAN.tag.attributes;
const TAG_RESOURCE_ATTRIBUTES = RESOURCE.tag.attributes;
const TAG_SCOPE_ATTRIBUTES = INSTRUMENTATION_SCOPE.tag.attributes;

const SERVICE_NAME = utf8Key('service.name');
const TWO_POW_32 = 4294967296;

/**
 * One span of a request, as `forEachSpan` hands it over: its intrinsics decoded, everything else
 * by offset into the request bytes (`buf`), read when asked. The same object is reused for every
 * span of a request: copy what you keep.
 */
export class SpanView {
  /**
   * Unique to the span's ResourceSpans among every walk this process has made: work done once
   * per resource (its attributes) can be cached on it.
   */
  resourceKey = 0;
  /** The span's ResourceSpans message (its resource, schema URL and every scope's spans). */
  resourceSpansAt = 0;
  resourceSpansEnd = 0;
  /** The span's Resource message, [resourceAt, resourceEnd); empty when it has none. */
  resourceAt = 0;
  resourceEnd = 0;
  /** The span's ScopeSpans message; its scope is found from it when asked (`scopeAt`). */
  scopeSpansAt = 0;
  scopeSpansEnd = 0;
  /** The Span message itself. */
  spanAt = 0;
  spanEnd = 0;

  /** IDs by offset and length (no Buffer is made per span): `idHex`, `idLatin1`. */
  traceIdAt = 0;
  traceIdLength = 0;
  spanIdAt = 0;
  spanIdLength = 0;
  /** A length of 0: no parent. */
  parentAt = 0;
  parentLength = 0;

  /** `service.name` of the resource, as text (read as `LabelValueReading` says); '' when absent. */
  service = '';
  /** Read as `LabelValueReading` says. */
  name = '';
  /** SpanKind and StatusCode enum values. */
  kind = 0;
  statusCode = 0;
  /** Read only when `LabelValueReading.statusMessage` is set; '' otherwise. */
  statusMessage = '';
  /** Where the start and end times (fixed64 unix nanoseconds) are; -1 when absent. */
  startAt = -1;
  endAt = -1;
  /** End minus start, exact (unix nanoseconds themselves pass a double's precision); 0 unless both are set. */
  durationNanos = 0;

  private readonly attributes: AttributeCursor;
  private readonly scopeReader: ProtoReader;
  /** The ScopeSpans (by offset) the scope below was found in; -1: none yet. */
  private scopeOf = -1;
  private foundScopeAt = 0;
  private foundScopeEnd = 0;

  constructor(
    /** The request bytes every offset is into. */
    readonly buf: Buffer,
  ) {
    this.attributes = new AttributeCursor(buf);
    this.scopeReader = new ProtoReader(buf);
  }

  /**
   * The InstrumentationScope message of the span's ScopeSpans, [scopeAt, scopeEnd); empty when
   * it has none. Found when first asked for a ScopeSpans, so a walk that never asks pays nothing.
   */
  get scopeAt(): number {
    if (this.scopeOf !== this.scopeSpansAt) this.findScope();
    return this.foundScopeAt;
  }

  get scopeEnd(): number {
    if (this.scopeOf !== this.scopeSpansAt) this.findScope();
    return this.foundScopeEnd;
  }

  /** An ID of the span (trace, span or parent: pass its offset and length) as lowercase hex. */
  idHex(at: number, length: number): string {
    return this.buf.toString('hex', at, at + length);
  }

  /** The same bytes as a latin1 string: a cheap map key. */
  idLatin1(at: number, length: number): string {
    return this.buf.toString('latin1', at, at + length);
  }

  /** Whether the span has no parent (absent or all-zero parent span ID). */
  isRoot(): boolean {
    const buf = this.buf;
    for (let i = 0; i < this.parentLength; i++) if (buf[this.parentAt + i] !== 0) return false;
    return true;
  }

  /** Start time in unix nanoseconds, exact; 0n when absent. */
  startUnixNano(): bigint {
    return this.startAt < 0 ? 0n : this.buf.readBigUInt64LE(this.startAt);
  }

  endUnixNano(): bigint {
    return this.endAt < 0 ? 0n : this.buf.readBigUInt64LE(this.endAt);
  }

  /** Start time in unix milliseconds (to well under a microsecond); 0 when absent. */
  startUnixMs(): number {
    return this.startAt < 0 ? 0 : this.fixed64At(this.startAt) / 1e6;
  }

  endUnixMs(): number {
    return this.endAt < 0 ? 0 : this.fixed64At(this.endAt) / 1e6;
  }

  /**
   * The span's own attributes. The cursor is shared by the three attribute walks of this view:
   * one walk at a time.
   */
  spanAttributes(): AttributeCursor {
    return this.attributes.reset(this.spanAt, this.spanEnd, TAG_SPAN_ATTRIBUTES);
  }

  /** The attributes of the span's resource. */
  resourceAttributes(): AttributeCursor {
    return this.attributes.reset(this.resourceAt, this.resourceEnd, TAG_RESOURCE_ATTRIBUTES);
  }

  /** The attributes of the span's instrumentation scope. */
  scopeAttributes(): AttributeCursor {
    return this.attributes.reset(this.scopeAt, this.scopeEnd, TAG_SCOPE_ATTRIBUTES);
  }

  /** Encoders write the scope first, but it may be anywhere among the ScopeSpans' fields. */
  private findScope(): void {
    const r = this.scopeReader;
    const end = this.scopeSpansEnd;
    this.scopeOf = this.scopeSpansAt;
    this.foundScopeAt = this.foundScopeEnd = 0;
    r.pos = this.scopeSpansAt;
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === TAG_SCOPE) {
        const length = r.len(end);
        this.foundScopeAt = r.pos;
        this.foundScopeEnd = r.pos + length;
        r.pos += length;
      } else r.skip(tag & 7, end);
    }
  }

  private fixed64At(at: number): number {
    return this.buf.readUInt32LE(at + 4) * TWO_POW_32 + this.buf.readUInt32LE(at);
  }
}

/**
 * Walks an ExportTraceServiceRequest or TracesData (already checked by the splitter: this reader
 * still bounds every read, but does not check wire types) and calls `onSpan` for every span, in
 * request order, straight from the bytes: only the intrinsics are decoded, the rest is found by
 * offset when asked (`SpanView`). `reading` says how much of each text is read; the values it
 * cuts are counted in it.
 *
 * A resource's `service.name` is read once for all its spans. The resource and the scope are
 * found wherever they are among their message's fields; a message field repeated (legal
 * protobuf, which decoders merge; no SDK writes it) counts by its last occurrence, except the
 * service name, which is the last one of all the resource's occurrences.
 */
export function forEachSpan(
  body: Uint8Array,
  onSpan: (span: SpanView) => void,
  reading: LabelValueReading = { maxBytes: 0, statusMessage: true, truncated: 0 },
): void {
  const r = new ProtoReader(asBuffer(body));
  const end = r.buf.length;
  const span = new SpanView(r.buf);
  const scopes: number[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag !== TAG_RESOURCE_SPANS) {
      r.skip(tag & 7, end);
      continue;
    }
    const rsEnd = r.len(end) + r.pos;
    span.resourceSpansAt = r.pos;
    span.resourceSpansEnd = rsEnd;
    readResourceSpans(r, rsEnd, span, scopes, onSpan, reading);
    r.pos = rsEnd;
  }
}

let lastResourceKey = 0;

function readResourceSpans(
  r: ProtoReader,
  end: number,
  span: SpanView,
  scopes: number[],
  onSpan: (span: SpanView) => void,
  reading: LabelValueReading,
): void {
  // The resource comes first in every encoder, but a scope list before it must still see it.
  let service = '';
  span.resourceAt = span.resourceEnd = 0;
  scopes.length = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === TAG_RESOURCE) {
      const resEnd = r.len(end) + r.pos;
      span.resourceAt = r.pos;
      span.resourceEnd = resEnd;
      for (const a = span.resourceAttributes(); a.next(); ) {
        if (a.keyEquals(SERVICE_NAME)) service = a.valueText(reading);
      }
      r.pos = resEnd;
    } else if (tag === TAG_SCOPE_SPANS) {
      const length = r.len(end);
      scopes.push(r.pos, r.pos + length);
      r.pos += length;
    } else {
      r.skip(tag & 7, end);
    }
  }
  span.service = service;
  span.resourceKey = ++lastResourceKey;
  for (let i = 0; i < scopes.length; i += 2) {
    const scopeSpansEnd = scopes[i + 1];
    span.scopeSpansAt = scopes[i];
    span.scopeSpansEnd = scopeSpansEnd;
    r.pos = scopes[i];
    while (r.pos < scopeSpansEnd) {
      const tag = r.tag(scopeSpansEnd);
      if (tag !== TAG_SPAN) {
        r.skip(tag & 7, scopeSpansEnd);
        continue;
      }
      const spanEnd = r.len(scopeSpansEnd) + r.pos;
      readSpan(r, spanEnd, span, reading);
      onSpan(span);
      r.pos = spanEnd;
    }
  }
}

function readSpan(r: ProtoReader, end: number, span: SpanView, reading: LabelValueReading): void {
  span.spanAt = r.pos;
  span.spanEnd = end;
  span.name = '';
  span.kind = 0;
  span.statusCode = 0;
  span.statusMessage = '';
  span.traceIdLength = 0;
  span.spanIdLength = 0;
  span.parentLength = 0;
  let start = -1;
  let endTime = -1;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case TAG_TRACE_ID: {
        span.traceIdLength = r.len(end);
        span.traceIdAt = r.pos;
        r.pos += span.traceIdLength;
        break;
      }
      case TAG_SPAN_ID: {
        span.spanIdLength = r.len(end);
        span.spanIdAt = r.pos;
        r.pos += span.spanIdLength;
        break;
      }
      case TAG_PARENT_SPAN_ID: {
        span.parentLength = r.len(end);
        span.parentAt = r.pos;
        r.pos += span.parentLength;
        break;
      }
      case TAG_NAME:
        span.name = readCappedString(r, end, reading);
        break;
      case TAG_KIND:
        span.kind = r.varint(end);
        break;
      case TAG_START_TIME:
        start = r.pos;
        r.fixed64(end);
        break;
      case TAG_END_TIME:
        endTime = r.pos;
        r.fixed64(end);
        break;
      case TAG_STATUS: {
        const stEnd = r.len(end) + r.pos;
        while (r.pos < stEnd) {
          const t = r.tag(stEnd);
          if (t === TAG_STATUS_CODE) span.statusCode = r.varint(stEnd);
          else if (t === TAG_STATUS_MESSAGE && reading.statusMessage)
            span.statusMessage = readCappedString(r, stEnd, reading);
          else r.skip(t & 7, stEnd);
        }
        break;
      }
      default:
        // Attributes, events, links and the rest: found again by offset when asked.
        r.skip(tag & 7, end);
    }
  }
  span.startAt = start;
  span.endAt = endTime;
  const buf = r.buf;
  span.durationNanos =
    start < 0 || endTime < 0
      ? 0
      : (buf.readUInt32LE(endTime + 4) - buf.readUInt32LE(start + 4)) * TWO_POW_32 +
        (buf.readUInt32LE(endTime) - buf.readUInt32LE(start));
}
