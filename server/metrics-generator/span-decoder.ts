import { asBuffer, ProtoReader } from '../otlp/wire';

// Wire types as local constants: imported bindings cost a getter call each on the hot path.
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;

/** What span metrics and the service graph need of one span. Reused between calls: copy what you keep. */
export interface ObservedSpan {
  service: string;
  name: string;
  kind: number;
  statusCode: number;
  statusMessage: string;
  /** End minus start, exact (unix nanoseconds themselves exceed a double's precision). */
  durationNanos: number;
  /**
   * The request bytes the IDs are read from, by offset and length (no Buffer is made per span):
   * use `idHex`/`idLatin1`. A parent length of 0 means a root span.
   */
  buf: Buffer;
  traceIdAt: number;
  traceIdLength: number;
  spanIdAt: number;
  spanIdLength: number;
  parentAt: number;
  parentLength: number;
  /** Values of the configured dimensions, span attribute first, else resource attribute; '' when absent. */
  dimensions: string[];
}

/** An ID of the span (trace, span or parent) as lowercase hex. */
export function idHex(span: ObservedSpan, at: number, length: number): string {
  return span.buf.toString('hex', at, at + length);
}

/** The same bytes as a latin1 string: a cheap map key. */
export function idLatin1(span: ObservedSpan, at: number, length: number): string {
  return span.buf.toString('latin1', at, at + length);
}

/** Whether the span has no parent (absent or all-zero parent span ID). */
export function isRootSpan(span: ObservedSpan): boolean {
  for (let i = 0; i < span.parentLength; i++) if (span.buf[span.parentAt + i] !== 0) return false;
  return true;
}

/**
 * Walks an ExportTraceServiceRequest (already validated by the distributor) and calls `onSpan`
 * for every span, decoding only the fields span metrics use, straight from the bytes.
 * `dimensions` are attribute names looked up on the span, then on its resource.
 */
export function forEachSpan(
  body: Uint8Array,
  dimensions: readonly string[],
  onSpan: (span: ObservedSpan) => void,
): void {
  const r = new ProtoReader(asBuffer(body));
  const end = r.buf.length;
  const span: ObservedSpan = {
    service: '',
    name: '',
    kind: 0,
    statusCode: 0,
    statusMessage: '',
    durationNanos: 0,
    buf: r.buf,
    traceIdAt: 0,
    traceIdLength: 0,
    spanIdAt: 0,
    spanIdLength: 0,
    parentAt: 0,
    parentLength: 0,
    dimensions: dimensions.map(() => ''),
  };
  const resourceDims = dimensions.map(() => '');
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag !== ((1 << 3) | WIRE_LEN)) {
      r.skip(tag & 7, end);
      continue;
    }
    const rsEnd = r.len(end) + r.pos;
    readResourceSpans(r, rsEnd, dimensions, resourceDims, span, onSpan);
    r.pos = rsEnd;
  }
}

function readResourceSpans(
  r: ProtoReader,
  end: number,
  dimensions: readonly string[],
  resourceDims: string[],
  span: ObservedSpan,
  onSpan: (span: ObservedSpan) => void,
): void {
  // The resource comes first in every encoder, but a scope list before it must still see it.
  let service = '';
  resourceDims.fill('');
  const scopes: [number, number][] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) {
      const resEnd = r.len(end) + r.pos;
      while (r.pos < resEnd) {
        const t = r.tag(resEnd);
        if (t !== ((1 << 3) | WIRE_LEN)) {
          r.skip(t & 7, resEnd);
          continue;
        }
        const kvEnd = r.len(resEnd) + r.pos;
        const [key, value] = readKeyValue(r, kvEnd);
        if (key === 'service.name') service = value;
        const i = dimensions.indexOf(key);
        if (i >= 0) resourceDims[i] = value;
        r.pos = kvEnd;
      }
    } else if (tag === ((2 << 3) | WIRE_LEN)) {
      const length = r.len(end);
      scopes.push([r.pos, r.pos + length]);
      r.pos += length;
    } else {
      r.skip(tag & 7, end);
    }
  }
  span.service = service;
  for (const [start, scopeEnd] of scopes) {
    r.pos = start;
    while (r.pos < scopeEnd) {
      const tag = r.tag(scopeEnd);
      if (tag !== ((2 << 3) | WIRE_LEN)) {
        r.skip(tag & 7, scopeEnd);
        continue;
      }
      const spanEnd = r.len(scopeEnd) + r.pos;
      for (let i = 0; i < resourceDims.length; i++) span.dimensions[i] = resourceDims[i];
      readSpan(r, spanEnd, dimensions, span);
      onSpan(span);
      r.pos = spanEnd;
    }
  }
}

function readSpan(r: ProtoReader, end: number, dimensions: readonly string[], span: ObservedSpan): void {
  span.name = '';
  span.kind = 0;
  span.statusCode = 0;
  span.statusMessage = '';
  let start = -1;
  let endTime = -1;
  span.traceIdLength = 0;
  span.spanIdLength = 0;
  span.parentLength = 0;
  const buf = r.buf;
  while (r.pos < end) {
    const tag = r.tag(end);
    switch (tag) {
      case (1 << 3) | WIRE_LEN: {
        span.traceIdLength = r.len(end);
        span.traceIdAt = r.pos;
        r.pos += span.traceIdLength;
        break;
      }
      case (2 << 3) | WIRE_LEN: {
        span.spanIdLength = r.len(end);
        span.spanIdAt = r.pos;
        r.pos += span.spanIdLength;
        break;
      }
      case (4 << 3) | WIRE_LEN: {
        span.parentLength = r.len(end);
        span.parentAt = r.pos;
        r.pos += span.parentLength;
        break;
      }
      case (5 << 3) | WIRE_LEN:
        span.name = r.string(end);
        break;
      case (6 << 3) | WIRE_VARINT:
        span.kind = r.varint(end);
        break;
      case (7 << 3) | WIRE_FIXED64:
        start = r.pos;
        r.fixed64(end);
        break;
      case (8 << 3) | WIRE_FIXED64:
        endTime = r.pos;
        r.fixed64(end);
        break;
      case (9 << 3) | WIRE_LEN: {
        const kvEnd = r.len(end) + r.pos;
        if (dimensions.length > 0) {
          const [key, value] = readKeyValue(r, kvEnd);
          const i = dimensions.indexOf(key);
          if (i >= 0) span.dimensions[i] = value;
        }
        r.pos = kvEnd;
        break;
      }
      case (15 << 3) | WIRE_LEN: {
        const stEnd = r.len(end) + r.pos;
        while (r.pos < stEnd) {
          const t = r.tag(stEnd);
          if (t === ((3 << 3) | WIRE_VARINT)) span.statusCode = r.varint(stEnd);
          else if (t === ((2 << 3) | WIRE_LEN)) span.statusMessage = r.string(stEnd);
          else r.skip(t & 7, stEnd);
        }
        break;
      }
      default:
        r.skip(tag & 7, end);
    }
  }
  span.durationNanos =
    start < 0 || endTime < 0
      ? 0
      : (buf.readUInt32LE(endTime + 4) - buf.readUInt32LE(start + 4)) * 4294967296 +
        (buf.readUInt32LE(endTime) - buf.readUInt32LE(start));
}

/** A KeyValue's key and its value as text (strings as is, numbers and booleans printed). */
function readKeyValue(r: ProtoReader, end: number): [string, string] {
  let key = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) key = r.string(end);
    else if (tag === ((2 << 3) | WIRE_LEN)) {
      const vEnd = r.len(end) + r.pos;
      value = readAnyValueText(r, vEnd);
      r.pos = vEnd;
    } else r.skip(tag & 7, end);
  }
  return [key, value];
}

function readAnyValueText(r: ProtoReader, end: number): string {
  let text = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) text = r.string(end);
    else if (tag === ((2 << 3) | WIRE_VARINT)) text = r.varint(end) !== 0 ? 'true' : 'false';
    else if (tag === ((3 << 3) | WIRE_VARINT)) text = r.varintInt64(end).toString();
    else if (tag === ((4 << 3) | WIRE_FIXED64)) text = String(r.double(end));
    else r.skip(tag & 7, end);
  }
  return text;
}
