import { asBuffer, ProtoReader } from '../otlp/wire';
import { decodeUtf8Capped } from '../series/label-limits';

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
 * How the values that become labels (service, span name, dimensions, status message) are read:
 * at most `maxBytes` UTF-8 bytes of each (0: all), so a 10 MiB service name costs a 2 KiB string
 * and one series, not 10 MiB per series. Each value cut adds one to `truncated`.
 */
export interface LabelValueReading {
  maxBytes: number;
  /** Whether the status message is read at all (it is a label only with `status_message` on). */
  statusMessage: boolean;
  truncated: number;
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
  values: LabelValueReading = { maxBytes: 0, statusMessage: true, truncated: 0 },
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
    readResourceSpans(r, rsEnd, dimensions, resourceDims, span, onSpan, values);
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
  values: LabelValueReading,
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
        const key = readKey(r, kvEnd);
        const i = dimensions.indexOf(key);
        if (key === 'service.name' || i >= 0) {
          const value = readValueText(r, values);
          if (key === 'service.name') service = value;
          if (i >= 0) resourceDims[i] = value;
        }
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
      readSpan(r, spanEnd, dimensions, span, values);
      onSpan(span);
      r.pos = spanEnd;
    }
  }
}

function readSpan(
  r: ProtoReader,
  end: number,
  dimensions: readonly string[],
  span: ObservedSpan,
  values: LabelValueReading,
): void {
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
        span.name = readLabelValue(r, end, values);
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
          const i = dimensions.indexOf(readKey(r, kvEnd));
          if (i >= 0) span.dimensions[i] = readValueText(r, values);
        }
        r.pos = kvEnd;
        break;
      }
      case (15 << 3) | WIRE_LEN: {
        const stEnd = r.len(end) + r.pos;
        while (r.pos < stEnd) {
          const t = r.tag(stEnd);
          if (t === ((3 << 3) | WIRE_VARINT)) span.statusCode = r.varint(stEnd);
          else if (t === ((2 << 3) | WIRE_LEN) && values.statusMessage)
            span.statusMessage = readLabelValue(r, stEnd, values);
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

/** A length-delimited string field, cut as `values` says. */
function readLabelValue(r: ProtoReader, end: number, values: LabelValueReading): string {
  const length = r.len(end);
  const start = r.pos;
  r.pos += length;
  // Each byte decodes to at most 3 (an invalid one becomes U+FFFD): short fields need no check.
  if (values.maxBytes === 0 || length * 3 <= values.maxBytes) return r.buf.toString('utf8', start, r.pos);
  const { text, truncated } = decodeUtf8Capped(r.buf, start, start + length, values.maxBytes);
  if (truncated) values.truncated++;
  return text;
}

/*
 * Where the last `readKey` found its AnyValue: only the values of wanted keys are decoded (a
 * 10 MiB attribute that is no label is never read, nor counted as cut).
 */
let valueAt = 0;
let valueEnd = -1;

/** A KeyValue's key; the position of its value is kept for `readValueText`. */
function readKey(r: ProtoReader, end: number): string {
  let key = '';
  valueEnd = -1;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) key = r.string(end);
    else if (tag === ((2 << 3) | WIRE_LEN)) {
      valueEnd = r.len(end) + r.pos;
      valueAt = r.pos;
      r.pos = valueEnd;
    } else r.skip(tag & 7, end);
  }
  return key;
}

/** The value of the last key read, as text (strings cut as `values` says; numbers and booleans printed). */
function readValueText(r: ProtoReader, values: LabelValueReading): string {
  if (valueEnd < 0) return '';
  r.pos = valueAt;
  return readAnyValueText(r, valueEnd, values);
}

function readAnyValueText(r: ProtoReader, end: number, values: LabelValueReading): string {
  let text = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | WIRE_LEN)) text = readLabelValue(r, end, values);
    else if (tag === ((2 << 3) | WIRE_VARINT)) text = r.varint(end) !== 0 ? 'true' : 'false';
    else if (tag === ((3 << 3) | WIRE_VARINT)) text = r.varintInt64(end).toString();
    else if (tag === ((4 << 3) | WIRE_FIXED64)) text = String(r.double(end));
    else r.skip(tag & 7, end);
  }
  return text;
}
