import { readKeyValue, readKeyValues } from './proto-values';
import { splitUnixNano, TraceWireReader } from './trace-wire-reader';
import type {
  KeyValue,
  ParsedTrace,
  Resource,
  Scope,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
  TraceSampling,
} from './types';
import { SPAN_KINDS, STATUS_CODES } from './types';

/** Loupe's sampling note: field 1001 of TracesData, length-delimited. */
const SAMPLING_NOTE_TAG = 1001 * 8 + 2;
const NO_EVENTS: SpanEvent[] = [];
const NO_LINKS: SpanLink[] = [];
const NO_ATTRIBUTES: KeyValue[] = [];

/** Decoding state shared by every span of one trace. */
class Decoder {
  readonly r: TraceWireReader;
  /** Set from the first time read; every time is nanoseconds since it. */
  baseSec: number | undefined;
  /** The last trace ID's position and hex, since every span repeats it. */
  private traceIdAt = -1;
  private traceIdLength = 0;
  private traceId = '';
  readonly spans: Span[] = [];
  /**
   * With `deferAttributes`, where each span attribute lies: (span index, start, end) triples, in
   * wire order, decoded by `completeAttributes`.
   */
  readonly attributeRanges: number[] = [];
  /** Loupe's sampling note (TracesData field 1001), when the trace carries one. */
  sampling: TraceSampling | undefined;

  constructor(
    buf: Uint8Array,
    private readonly deferAttributes = false,
  ) {
    this.r = new TraceWireReader(buf);
  }

  /** `resource_spans` = 1 of TracesData (or Tempo's Trace), up to `end`. */
  tracesData(end: number) {
    const r = this.r;
    while (r.pos < end) {
      const tag = r.uint();
      if (tag === 0x0a) this.resourceSpans(r.lengthEnd());
      else if (tag === SAMPLING_NOTE_TAG && !this.sampling) this.sampling = this.samplingNote(r.lengthEnd());
      else r.skip(tag & 7);
    }
  }

  /** `SamplingNote { string policy = 1; string reason = 2; }` up to `end`. */
  private samplingNote(end: number): TraceSampling {
    const r = this.r;
    const note: TraceSampling = { policy: '', reason: '' };
    while (r.pos < end) {
      const tag = r.uint();
      if (tag === 0x0a) note.policy = r.string();
      else if (tag === 0x12) note.reason = r.string();
      else r.skip(tag & 7);
    }
    return note;
  }

  private resourceSpans(end: number) {
    const r = this.r;
    let attributes = NO_ATTRIBUTES;
    const scopes: number[] = [];
    while (r.pos < end) {
      const tag = r.uint();
      if (tag === 0x0a) attributes = readKeyValues(r, r.lengthEnd(), 0x0a);
      else if (tag === 0x12) {
        const scopeEnd = r.lengthEnd();
        scopes.push(r.pos, scopeEnd);
        r.pos = scopeEnd;
      } else r.skip(tag & 7);
    }
    // The resource may follow its spans on the wire; it is read first, then the spans.
    const service = attributes.find((kv) => kv.key === 'service.name')?.value?.stringValue ?? '';
    const resource: Resource = { serviceName: service, attributes };
    for (let i = 0; i < scopes.length; i += 2) {
      r.pos = scopes[i];
      this.scopeSpans(scopes[i + 1], resource);
    }
    r.pos = end;
  }

  private scopeSpans(end: number, resource: Resource) {
    const r = this.r;
    const scope: Scope = { name: '', version: '' };
    while (r.pos < end) {
      const tag = r.uint();
      if (tag === 0x0a) {
        const scopeEnd = r.lengthEnd();
        while (r.pos < scopeEnd) {
          const t = r.uint();
          if (t === 0x0a) scope.name = r.string();
          else if (t === 0x12) scope.version = r.string();
          else r.skip(t & 7);
        }
      } else if (tag === 0x12) this.spans.push(this.span(r.lengthEnd(), resource, scope));
      else r.skip(tag & 7);
    }
  }

  private time(): number {
    this.r.fixed64();
    const [sec, ns] = splitUnixNano(this.r.lo, this.r.hi);
    this.baseSec ??= sec;
    return (sec - this.baseSec) * 1e9 + ns;
  }

  private spanTraceId(): string {
    const r = this.r;
    const at = r.pos;
    const end = r.lengthEnd();
    const length = end - r.pos;
    if (this.traceIdAt >= 0 && length === this.traceIdLength) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (r.buf[r.pos + i] !== r.buf[this.traceIdAt + i]) {
          same = false;
          break;
        }
      }
      if (same) {
        r.pos = end;
        return this.traceId;
      }
    }
    this.traceIdAt = r.pos;
    this.traceIdLength = length;
    r.pos = at;
    this.traceId = r.hex();
    return this.traceId;
  }

  private span(end: number, resource: Resource, scope: Scope): Span {
    const r = this.r;
    let traceId = '';
    let spanId = '';
    let parentSpanId = '';
    let name = '';
    let kind: SpanKind = 'UNSPECIFIED';
    let statusCode: StatusCode = 'UNSET';
    let statusMessage = '';
    let startNs = 0;
    let endNs: number | undefined;
    let attributes = NO_ATTRIBUTES;
    let events = NO_EVENTS;
    let links = NO_LINKS;
    while (r.pos < end) {
      const tag = r.uint();
      switch (tag) {
        case 0x0a:
          traceId = this.spanTraceId();
          break;
        case 0x12:
          spanId = r.hex();
          break;
        case 0x22:
          parentSpanId = r.hex();
          break;
        case 0x2a:
          name = r.string();
          break;
        case 0x30:
          kind = SPAN_KINDS[r.uint()] ?? 'UNSPECIFIED';
          break;
        case 0x39:
          startNs = this.time();
          break;
        case 0x41:
          endNs = this.time();
          break;
        case 0x4a:
          if (this.deferAttributes) {
            const attributeEnd = r.lengthEnd();
            this.attributeRanges.push(this.spans.length, r.pos, attributeEnd);
            r.pos = attributeEnd;
            break;
          }
          if (attributes === NO_ATTRIBUTES) attributes = [];
          attributes.push(readKeyValue(r, r.lengthEnd()));
          break;
        case 0x5a:
          if (events === NO_EVENTS) events = [];
          events.push(this.event(r.lengthEnd()));
          break;
        case 0x6a:
          if (links === NO_LINKS) links = [];
          links.push(this.link(r.lengthEnd()));
          break;
        case 0x7a: {
          const statusEnd = r.lengthEnd();
          while (r.pos < statusEnd) {
            const t = r.uint();
            if (t === 0x12) statusMessage = r.string();
            else if (t === 0x18) statusCode = STATUS_CODES[r.uint()] ?? 'UNSET';
            else r.skip(t & 7);
          }
          break;
        }
        default:
          r.skip(tag & 7);
      }
    }
    const durationNs = endNs === undefined ? 0 : Math.max(0, endNs - startNs);
    return {
      traceId,
      spanId,
      parentSpanId,
      name,
      kind,
      statusCode,
      statusMessage,
      startNs,
      durationNs,
      attributes,
      events,
      links,
      resource,
      scope,
    };
  }

  /** Decodes the attributes `deferAttributes` left out into their spans (once). */
  completeAttributes() {
    const r = this.r;
    const ranges = this.attributeRanges;
    for (let i = 0; i < ranges.length; i += 3) {
      const span = this.spans[ranges[i]];
      if (span.attributes === NO_ATTRIBUTES) span.attributes = [];
      r.pos = ranges[i + 1];
      span.attributes.push(readKeyValue(r, ranges[i + 2]));
    }
    ranges.length = 0;
  }

  private event(end: number): SpanEvent {
    const r = this.r;
    const result: SpanEvent = { timeNs: 0, name: '', attributes: NO_ATTRIBUTES };
    while (r.pos < end) {
      const tag = r.uint();
      if (tag === 0x09) result.timeNs = this.time();
      else if (tag === 0x12) result.name = r.string();
      else if (tag === 0x1a) {
        if (result.attributes === NO_ATTRIBUTES) result.attributes = [];
        result.attributes.push(readKeyValue(r, r.lengthEnd()));
      } else r.skip(tag & 7);
    }
    return result;
  }

  private link(end: number): SpanLink {
    const r = this.r;
    const result: SpanLink = { traceId: '', spanId: '', attributes: NO_ATTRIBUTES };
    while (r.pos < end) {
      const tag = r.uint();
      if (tag === 0x0a) result.traceId = r.hex();
      else if (tag === 0x12) result.spanId = r.hex();
      else if (tag === 0x22) {
        if (result.attributes === NO_ATTRIBUTES) result.attributes = [];
        result.attributes.push(readKeyValue(r, r.lengthEnd()));
      } else r.skip(tag & 7);
    }
    return result;
  }
}

/**
 * Decodes Tempo's protobuf `TraceByIDResponse` (`trace` = 1, `status` = 3, `message` = 4), what
 * `GET /api/v2/traces/<id>` returns for `Accept: application/protobuf`, into the same spans the JSON
 * parsers produce. Linear in the size of the message; IDs become hex, times stay exact.
 */
export function parseTraceByIdResponse(bytes: Uint8Array): ParsedTrace {
  const { parsed, completeAttributes } = parseTraceByIdResponseDeferred(bytes);
  completeAttributes();
  return parsed;
}

/**
 * `parseTraceByIdResponse` in two steps, for the first paint of a big trace: the spans come back
 * without their own attributes (everything the tree and the waterfall need is there: IDs, names,
 * kind, status, times, events, links, resource); `completeAttributes()` then decodes those into the
 * same span objects, from the same bytes. Until it has run, every span's `attributes` is empty.
 */
export function parseTraceByIdResponseDeferred(bytes: Uint8Array): {
  parsed: ParsedTrace;
  completeAttributes: () => void;
} {
  const decoder = new Decoder(bytes, true);
  const r = decoder.r;
  let partial = false;
  let message = '';
  while (r.pos < bytes.length) {
    const tag = r.uint();
    if (tag === 0x0a) decoder.tracesData(r.lengthEnd());
    else if (tag === 0x18) partial = r.uint() === 1;
    else if (tag === 0x22) message = r.string();
    else r.skip(tag & 7);
  }
  const parsed: ParsedTrace = {
    traceId: decoder.spans[0]?.traceId ?? '',
    baseSec: decoder.baseSec ?? 0,
    spans: decoder.spans,
    format: 'tempo',
    ...(decoder.sampling ? { sampling: decoder.sampling } : {}),
  };
  return {
    parsed: partial ? { ...parsed, partialMessage: message } : parsed,
    completeAttributes: () => decoder.completeAttributes(),
  };
}
