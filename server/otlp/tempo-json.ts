import { SPAN_KIND_NAMES as SPAN_KINDS, STATUS_CODE_NAMES as STATUS_CODES } from './enum-names';
import {
  ANY_VALUE,
  ARRAY_VALUE,
  ENTITY_REF,
  INSTRUMENTATION_SCOPE,
  KEY_VALUE,
  KEY_VALUE_LIST,
  RESOURCE,
  RESOURCE_SPANS,
  SCOPE_SPANS,
  SPAN,
  SPAN_EVENT,
  SPAN_LINK,
  STATUS,
  TRACES_DATA,
} from './trace-fields';
import { MAX_NESTING } from './trace-schema';
import { ProtoReader } from './wire';

type Json = Record<string, unknown>;
type Decode = (r: ProtoReader, end: number, depth: number) => Json;

// Each message's tags (see trace-fields.ts), under short local names.
const TD = TRACES_DATA.tag;
const RS = RESOURCE_SPANS.tag;
const RES = RESOURCE.tag;
const REF = ENTITY_REF.tag;
const SS = SCOPE_SPANS.tag;
const IS = INSTRUMENTATION_SCOPE.tag;
const SP = SPAN.tag;
const EV = SPAN_EVENT.tag;
const LN = SPAN_LINK.tag;
const ST = STATUS.tag;
const KV = KEY_VALUE.tag;
const AV = ANY_VALUE.tag;
const ARRAY_VALUES = ARRAY_VALUE.tag.values;
const KV_LIST_VALUES = KEY_VALUE_LIST.tag.values;

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
    if (tag === TD.resource_spans) resourceSpans.push(nested(r, end, resourceSpansJson, 0));
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
    if (tag === RS.resource) resource = nested(r, end, resourceJson, depth);
    else if (tag === RS.scope_spans) scopeSpans.push(nested(r, end, scopeSpansJson, depth));
    else if (tag === RS.schema_url) schemaUrl = r.string(end);
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
    if (tag === RES.attributes) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === RES.dropped_attributes_count) dropped = r.varint(end);
    else if (tag === RES.entity_refs) entityRefs.push(nested(r, end, entityRefJson, depth));
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
    if (tag === REF.schema_url) schemaUrl = r.string(end);
    else if (tag === REF.type) type = r.string(end);
    else if (tag === REF.id_keys) idKeys.push(r.string(end));
    else if (tag === REF.description_keys) descriptionKeys.push(r.string(end));
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
    if (tag === SS.scope) scope = nested(r, end, scopeJson, depth);
    else if (tag === SS.spans) spans.push(nested(r, end, spanJson, depth));
    else if (tag === SS.schema_url) schemaUrl = r.string(end);
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
    if (tag === IS.name) name = r.string(end);
    else if (tag === IS.version) version = r.string(end);
    else if (tag === IS.attributes) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === IS.dropped_attributes_count) dropped = r.varint(end);
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
    if (tag === SP.trace_id) f.traceId = r.base64(end);
    else if (tag === SP.span_id) f.spanId = r.base64(end);
    else if (tag === SP.trace_state) f.traceState = r.string(end);
    else if (tag === SP.parent_span_id) f.parentSpanId = r.base64(end);
    else if (tag === SP.flags) f.flags = r.fixed32(end);
    else if (tag === SP.name) f.name = r.string(end);
    else if (tag === SP.kind) f.kind = enumName(SPAN_KINDS, r.varint(end));
    else if (tag === SP.start_time_unix_nano) f.start = r.fixed64String(end);
    else if (tag === SP.end_time_unix_nano) f.end = r.fixed64String(end);
    else if (tag === SP.attributes) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === SP.dropped_attributes_count) f.droppedAttributes = r.varint(end);
    else if (tag === SP.events) events.push(nested(r, end, eventJson, depth));
    else if (tag === SP.dropped_events_count) f.droppedEvents = r.varint(end);
    else if (tag === SP.links) links.push(nested(r, end, linkJson, depth));
    else if (tag === SP.dropped_links_count) f.droppedLinks = r.varint(end);
    else if (tag === SP.status) f.status = nested(r, end, statusJson, depth);
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
    if (tag === EV.time_unix_nano) time = r.fixed64String(end);
    else if (tag === EV.name) name = r.string(end);
    else if (tag === EV.attributes) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === EV.dropped_attributes_count) dropped = r.varint(end);
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
    if (tag === LN.trace_id) f.traceId = r.base64(end);
    else if (tag === LN.span_id) f.spanId = r.base64(end);
    else if (tag === LN.trace_state) f.traceState = r.string(end);
    else if (tag === LN.attributes) attributes.push(nested(r, end, keyValueJson, depth));
    else if (tag === LN.dropped_attributes_count) f.dropped = r.varint(end);
    else if (tag === LN.flags) f.flags = r.fixed32(end);
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
    if (tag === ST.message) message = r.string(end);
    else if (tag === ST.code) code = r.varint(end);
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
    if (tag === KV.key) key = r.string(end);
    else if (tag === KV.value) value = nested(r, end, anyValueJson, depth);
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
    if (tag === AV.string_value) value = { stringValue: r.string(end) };
    else if (tag === AV.bool_value) value = { boolValue: r.varint(end) !== 0 };
    else if (tag === AV.int_value) value = { intValue: r.varintInt64(end).toString() };
    else if (tag === AV.double_value) value = { doubleValue: jsonDouble(r.double(end)) };
    else if (tag === AV.array_value)
      value = { arrayValue: nested(r, end, listJson(anyValueJson, ARRAY_VALUES), depth) };
    else if (tag === AV.kvlist_value)
      value = { kvlistValue: nested(r, end, listJson(keyValueJson, KV_LIST_VALUES), depth) };
    else if (tag === AV.bytes_value) value = { bytesValue: r.base64(end) };
    else r.skip(tag & 7, end);
  }
  return value;
};

/** ArrayValue and KeyValueList: one repeated field, `values`, whose tag is `valuesTag`. */
function listJson(item: Decode, valuesTag: number): Decode {
  return (r, end, depth) => {
    const values: Json[] = [];
    while (r.pos < end) {
      const tag = r.tag(end);
      if (tag === valuesTag) values.push(nested(r, end, item, depth));
      else r.skip(tag & 7, end);
    }
    return present([['values', values]]);
  };
}
