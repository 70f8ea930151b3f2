import { SPAN_KIND_NAMES as SPAN_KINDS, STATUS_CODE_NAMES as STATUS_CODES } from './enum-names';
import { MAX_NESTING } from './trace-schema';
import { ProtoReader } from './wire';

type Json = Record<string, unknown>;
type Decode = (r: ProtoReader, end: number, depth: number) => Json;

const TAG_SPAN_FLAGS = 0x85; // Span.flags = 16 (fixed32) takes a two-byte tag: 0x85 0x01

/**
 * TracesData bytes as Tempo's query API renders them (Go jsonpb over tempopb.Trace):
 * lowerCamelCase names, IDs and bytes in base64, enums by name, 64-bit integers as decimal
 * strings, zero values and empty lists left out, fields in declaration order. Unknown fields
 * (and known ones with an unexpected wire type) are skipped, as Go's decoder does.
 */
export function tracesDataToTempoJson(data: Uint8Array): { resourceSpans: unknown[] } {
  const r = new ProtoReader(data);
  const end = r.buf.length;
  const resourceSpans: Json[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) resourceSpans.push(nested(r, end, resourceSpansJson, 0));
    else r.skip(tag & 7, end);
  }
  return { resourceSpans };
}

// Stored data passed the ingest check (MAX_NESTING); the margin keeps reads from ever being stricter.
const MAX_READ_NESTING = MAX_NESTING * 2;

function nested(r: ProtoReader, end: number, decode: Decode, depth: number): Json {
  if (depth > MAX_READ_NESTING) r.fail(`messages nested more than ${MAX_READ_NESTING} levels deep`);
  const length = r.len(end);
  return decode(r, r.pos + length, depth + 1);
}

/** Builds an object holding only the set values, in the given (declaration) order. */
function present(entries: [string, unknown][]): Json {
  const out: Json = {};
  for (const [key, value] of entries) {
    if (value === undefined || value === '' || value === 0) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out;
}

const enumName = (names: string[], n: number): string | number | undefined =>
  n === 0 ? undefined : (names[n] ?? n);

/** jsonpb writes non-finite doubles as strings. */
const jsonDouble = (n: number): number | string =>
  Number.isFinite(n) ? n : Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';

const resourceSpansJson: Decode = (r, end, depth) => {
  let resource: Json | undefined;
  const scopeSpans: Json[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) resource = nested(r, end, resourceJson, depth);
    else if (tag === 0x12) scopeSpans.push(nested(r, end, scopeSpansJson, depth));
    else if (tag === 0x1a) schemaUrl = r.string(end);
    else r.skip(tag & 7, end);
  }
  return present([
    ['resource', resource],
    ['scopeSpans', scopeSpans],
    ['schemaUrl', schemaUrl],
  ]);
};

const resourceJson: Decode = (r, end, depth) => {
  const attributes: Json[] = [];
  let dropped = 0;
  const entityRefs: Json[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === 0x10) dropped = r.varint(end);
    else if (tag === 0x1a) entityRefs.push(nested(r, end, entityRefJson, depth));
    else r.skip(tag & 7, end);
  }
  return present([
    ['attributes', attributes],
    ['droppedAttributesCount', dropped],
    ['entityRefs', entityRefs],
  ]);
};

const entityRefJson: Decode = (r, end) => {
  let schemaUrl = '';
  let type = '';
  const idKeys: string[] = [];
  const descriptionKeys: string[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) schemaUrl = r.string(end);
    else if (tag === 0x12) type = r.string(end);
    else if (tag === 0x1a) idKeys.push(r.string(end));
    else if (tag === 0x22) descriptionKeys.push(r.string(end));
    else r.skip(tag & 7, end);
  }
  return present([
    ['schemaUrl', schemaUrl],
    ['type', type],
    ['idKeys', idKeys],
    ['descriptionKeys', descriptionKeys],
  ]);
};

const scopeSpansJson: Decode = (r, end, depth) => {
  let scope: Json | undefined;
  const spans: Json[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) scope = nested(r, end, scopeJson, depth);
    else if (tag === 0x12) spans.push(nested(r, end, spanJson, depth));
    else if (tag === 0x1a) schemaUrl = r.string(end);
    else r.skip(tag & 7, end);
  }
  return present([
    ['scope', scope],
    ['spans', spans],
    ['schemaUrl', schemaUrl],
  ]);
};

const scopeJson: Decode = (r, end, depth) => {
  let name = '';
  let version = '';
  const attributes: Json[] = [];
  let dropped = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) name = r.string(end);
    else if (tag === 0x12) version = r.string(end);
    else if (tag === 0x1a) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === 0x20) dropped = r.varint(end);
    else r.skip(tag & 7, end);
  }
  return present([
    ['name', name],
    ['version', version],
    ['attributes', attributes],
    ['droppedAttributesCount', dropped],
  ]);
};

const spanJson: Decode = (r, end, depth) => {
  const f: Record<string, unknown> = {};
  const attributes: Json[] = [];
  const events: Json[] = [];
  const links: Json[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) f.traceId = r.base64(end);
    else if (tag === 0x12) f.spanId = r.base64(end);
    else if (tag === 0x1a) f.traceState = r.string(end);
    else if (tag === 0x22) f.parentSpanId = r.base64(end);
    else if (tag === TAG_SPAN_FLAGS) f.flags = r.fixed32(end);
    else if (tag === 0x2a) f.name = r.string(end);
    else if (tag === 0x30) f.kind = enumName(SPAN_KINDS, r.varint(end));
    else if (tag === 0x39) f.start = r.fixed64String(end);
    else if (tag === 0x41) f.end = r.fixed64String(end);
    else if (tag === 0x4a) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === 0x50) f.droppedAttributes = r.varint(end);
    else if (tag === 0x5a) events.push(nested(r, end, eventJson, depth));
    else if (tag === 0x60) f.droppedEvents = r.varint(end);
    else if (tag === 0x6a) links.push(nested(r, end, linkJson, depth));
    else if (tag === 0x70) f.droppedLinks = r.varint(end);
    else if (tag === 0x7a) f.status = nested(r, end, statusJson, depth);
    else r.skip(tag & 7, end);
  }
  return present([
    ['traceId', f.traceId],
    ['spanId', f.spanId],
    ['traceState', f.traceState],
    ['parentSpanId', f.parentSpanId],
    ['flags', f.flags],
    ['name', f.name],
    ['kind', f.kind],
    ['startTimeUnixNano', f.start === '0' ? undefined : f.start],
    ['endTimeUnixNano', f.end === '0' ? undefined : f.end],
    ['attributes', attributes],
    ['droppedAttributesCount', f.droppedAttributes],
    ['events', events],
    ['droppedEventsCount', f.droppedEvents],
    ['links', links],
    ['droppedLinksCount', f.droppedLinks],
    ['status', f.status],
  ]);
};

const eventJson: Decode = (r, end, depth) => {
  let time = '0';
  let name = '';
  const attributes: Json[] = [];
  let dropped = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x09) time = r.fixed64String(end);
    else if (tag === 0x12) name = r.string(end);
    else if (tag === 0x1a) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === 0x20) dropped = r.varint(end);
    else r.skip(tag & 7, end);
  }
  return present([
    ['timeUnixNano', time === '0' ? undefined : time],
    ['name', name],
    ['attributes', attributes],
    ['droppedAttributesCount', dropped],
  ]);
};

const linkJson: Decode = (r, end, depth) => {
  const f: Record<string, unknown> = {};
  const attributes: Json[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) f.traceId = r.base64(end);
    else if (tag === 0x12) f.spanId = r.base64(end);
    else if (tag === 0x1a) f.traceState = r.string(end);
    else if (tag === 0x22) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === 0x28) f.dropped = r.varint(end);
    else if (tag === 0x35) f.flags = r.fixed32(end);
    else r.skip(tag & 7, end);
  }
  return present([
    ['traceId', f.traceId],
    ['spanId', f.spanId],
    ['traceState', f.traceState],
    ['attributes', attributes],
    ['droppedAttributesCount', f.dropped],
    ['flags', f.flags],
  ]);
};

const statusJson: Decode = (r, end) => {
  let message = '';
  let code = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x12) message = r.string(end);
    else if (tag === 0x18) code = r.varint(end);
    else r.skip(tag & 7, end);
  }
  return present([
    ['message', message],
    ['code', enumName(STATUS_CODES, code)],
  ]);
};

const keyValueJson: Decode = (r, end, depth) => {
  let key = '';
  let value: Json | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) key = r.string(end);
    else if (tag === 0x12) value = nested(r, end, anyValueJson, depth);
    else r.skip(tag & 7, end);
  }
  return present([
    ['key', key],
    ['value', value],
  ]);
};

/** A oneof member is written even when it holds its type's zero value. */
const anyValueJson: Decode = (r, end, depth) => {
  let value: Json = {};
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) value = { stringValue: r.string(end) };
    else if (tag === 0x10) value = { boolValue: r.varint(end) !== 0 };
    else if (tag === 0x18) value = { intValue: r.varintInt64(end).toString() };
    else if (tag === 0x21) value = { doubleValue: jsonDouble(r.double(end)) };
    else if (tag === 0x2a) value = { arrayValue: nested(r, end, listJson(anyValueJson), depth) };
    else if (tag === 0x32) value = { kvlistValue: nested(r, end, listJson(keyValueJson), depth) };
    else if (tag === 0x3a) value = { bytesValue: r.base64(end) };
    else r.skip(tag & 7, end);
  }
  return value;
};

/** ArrayValue and KeyValueList: `values` = 1, repeated. */
function listJson(item: Decode): Decode {
  return (r, end, depth) => {
    const values: Json[] = [];
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === 0x0a) values.push(nested(r, end, item, depth));
      else r.skip(tag & 7, end);
    }
    return present([['values', values]]);
  };
}
