import { type ProtoReader, WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire';

/**
 * The shape of the OTLP trace messages, reduced to what a structural check needs: each known
 * field's wire type and, for message fields, the nested message's shape. The splitter walks
 * spans with it so that everything stored is well-formed: a malformed request is refused at
 * ingest instead of breaking every later read of the traces it touched.
 */
export interface MessageShape {
  readonly name: string;
  /** Indexed by field number; -1 for unknown fields (skipped, kept in the raw bytes). */
  readonly wireTypes: number[];
  readonly fieldNames: string[];
  readonly children: (MessageShape | undefined)[];
}

/**
 * How deep OTLP messages may nest, counted from the request (0) down: deeper nesting (of AnyValue
 * arrays and maps) is refused rather than risking the stack. Every signal and both encodings use
 * it: the protobuf checks here, the OTLP/JSON conversion (`otlp-json.ts`).
 */
export const MAX_NESTING = 64;

type FieldSpec = [name: string, wireType: number, child?: MessageShape];

function shape(name: string): MessageShape {
  return { name, wireTypes: [], fieldNames: [], children: [] };
}

function define(target: MessageShape, fields: Record<number, FieldSpec>): MessageShape {
  for (const [id, [fieldName, wireType, child]] of Object.entries(fields)) {
    const n = Number(id);
    while (target.wireTypes.length <= n) target.wireTypes.push(-1);
    target.wireTypes[n] = wireType;
    target.fieldNames[n] = fieldName;
    target.children[n] = child;
  }
  return target;
}

const string = (name: string): FieldSpec => [name, WIRE_LEN];
const bytes = string;
const varint = (name: string): FieldSpec => [name, WIRE_VARINT];

// AnyValue, ArrayValue, KeyValueList and KeyValue refer to each other, so they are created first.
const anyValue = shape('AnyValue');
const arrayValue = shape('ArrayValue');
const keyValueList = shape('KeyValueList');
const KEY_VALUE_SHAPE = shape('KeyValue');

define(anyValue, {
  1: string('string_value'),
  2: varint('bool_value'),
  3: varint('int_value'),
  4: ['double_value', WIRE_FIXED64],
  5: ['array_value', WIRE_LEN, arrayValue],
  6: ['kvlist_value', WIRE_LEN, keyValueList],
  7: bytes('bytes_value'),
});
define(arrayValue, { 1: ['values', WIRE_LEN, anyValue] });
define(keyValueList, { 1: ['values', WIRE_LEN, KEY_VALUE_SHAPE] });
define(KEY_VALUE_SHAPE, { 1: string('key'), 2: ['value', WIRE_LEN, anyValue] });

const attributes: FieldSpec = ['attributes', WIRE_LEN, KEY_VALUE_SHAPE];

const entityRef = define(shape('EntityRef'), {
  1: string('schema_url'),
  2: string('type'),
  3: string('id_keys'),
  4: string('description_keys'),
});

export const RESOURCE_SHAPE = define(shape('Resource'), {
  1: attributes,
  2: varint('dropped_attributes_count'),
  3: ['entity_refs', WIRE_LEN, entityRef],
});

export const SCOPE_SHAPE = define(shape('InstrumentationScope'), {
  1: string('name'),
  2: string('version'),
  3: attributes,
  4: varint('dropped_attributes_count'),
});

const event = define(shape('Span.Event'), {
  1: ['time_unix_nano', WIRE_FIXED64],
  2: string('name'),
  3: attributes,
  4: varint('dropped_attributes_count'),
});

const link = define(shape('Span.Link'), {
  1: bytes('trace_id'),
  2: bytes('span_id'),
  3: string('trace_state'),
  4: ['attributes', WIRE_LEN, KEY_VALUE_SHAPE],
  5: varint('dropped_attributes_count'),
  6: ['flags', WIRE_FIXED32],
});

const status = define(shape('Status'), { 2: string('message'), 3: varint('code') });

export const SPAN_SHAPE = define(shape('Span'), {
  1: bytes('trace_id'),
  2: bytes('span_id'),
  3: string('trace_state'),
  4: bytes('parent_span_id'),
  5: string('name'),
  6: varint('kind'),
  7: ['start_time_unix_nano', WIRE_FIXED64],
  8: ['end_time_unix_nano', WIRE_FIXED64],
  9: attributes,
  10: varint('dropped_attributes_count'),
  11: ['events', WIRE_LEN, event],
  12: varint('dropped_events_count'),
  13: ['links', WIRE_LEN, link],
  14: varint('dropped_links_count'),
  15: ['status', WIRE_LEN, status],
  16: ['flags', WIRE_FIXED32],
});

// The framing messages, for checking the fields the splitter does not read itself.
export const REQUEST_SHAPE = define(shape('ExportTraceServiceRequest'), { 1: ['resource_spans', WIRE_LEN] });
export const RESOURCE_SPANS_SHAPE = define(shape('ResourceSpans'), {
  1: ['resource', WIRE_LEN, RESOURCE_SHAPE],
  2: ['scope_spans', WIRE_LEN],
  3: string('schema_url'),
});
export const SCOPE_SPANS_SHAPE = define(shape('ScopeSpans'), {
  1: ['scope', WIRE_LEN, SCOPE_SHAPE],
  2: ['spans', WIRE_LEN],
  3: string('schema_url'),
});

/**
 * Checks one field whose tag was just read: wire type as declared, nested messages
 * recursively. Leaves the reader after the field.
 */
export function checkField(
  r: ProtoReader,
  tag: number,
  end: number,
  parent: MessageShape,
  depth: number,
): void {
  const field = tag >>> 3;
  const wireType = tag & 7;
  const expected = field < parent.wireTypes.length ? parent.wireTypes[field] : -1;
  if (expected >= 0 && expected !== wireType) {
    r.fail(`${parent.name}.${parent.fieldNames[field]} has wire type ${wireType}, expected ${expected}`);
  }
  if (wireType !== WIRE_LEN) {
    r.skip(wireType, end);
    return;
  }
  const length = r.len(end);
  const childEnd = r.pos + length;
  const child = expected >= 0 ? parent.children[field] : undefined;
  if (child === undefined) r.pos = childEnd;
  else if (child === KEY_VALUE_SHAPE) checkKeyValue(r, childEnd, depth + 1);
  else if (child === anyValue) checkAnyValue(r, childEnd, depth + 1);
  else checkMessage(r, childEnd, child, depth + 1);
}

// Attributes are most of a span's bytes, so KeyValue and AnyValue get hand-written checks:
// first a fast path for the usual encoding (key, then one scalar value, in order), then the
// general rules of checkMessage, without its table lookups.

export function checkKeyValue(r: ProtoReader, end: number, depth: number): void {
  if (isPlainKeyValue(r.buf, r.pos, end)) {
    r.pos = end;
    return;
  }
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a) {
      const length = r.len(end); // key
      r.pos += length;
    } else if (tag === 0x12) {
      const length = r.len(end); // value
      checkAnyValue(r, r.pos + length, depth + 1);
    } else checkField(r, tag, end, KEY_VALUE_SHAPE, depth);
  }
}

/**
 * True when [pos, end) is exactly `key` then a `value` holding one string, bytes, bool, int
 * or double, with lengths under 16 KiB. Anything else (valid or not) is left to the general
 * check, so this only ever says yes to well-formed bytes.
 */
function isPlainKeyValue(b: Buffer, pos: number, end: number): boolean {
  if (end - pos < 4 || b[pos] !== 0x0a) return false;
  const keyEnd = lengthDelimitedEnd(b, pos + 1, end);
  if (keyEnd < 0 || keyEnd + 2 > end || b[keyEnd] !== 0x12) return false;
  if (lengthDelimitedEnd(b, keyEnd + 1, end) !== end) return false;
  const valueStart = keyEnd + 1 + (b[keyEnd + 1] < 0x80 ? 1 : 2);
  if (valueStart === end) return true; // an empty AnyValue
  const tag = b[valueStart];
  if (tag === 0x0a || tag === 0x3a) return lengthDelimitedEnd(b, valueStart + 1, end) === end;
  if (tag === 0x21) return valueStart + 9 === end;
  if (tag === 0x10 || tag === 0x18) {
    let p = valueStart + 1;
    const stop = Math.min(end, p + 10);
    while (p < stop && b[p] >= 0x80) p++;
    return p + 1 === end;
  }
  return false;
}

/** End of the value whose one- or two-byte length prefix is at `pos`; -1 if not that or past `end`. */
function lengthDelimitedEnd(b: Buffer, pos: number, end: number): number {
  if (pos >= end) return -1;
  let length = b[pos++];
  if (length >= 0x80) {
    if (pos >= end || b[pos] >= 0x80) return -1;
    length = (length & 0x7f) | (b[pos++] << 7);
  }
  return length <= end - pos ? pos + length : -1;
}

function checkAnyValue(r: ProtoReader, end: number, depth: number): void {
  if (depth > MAX_NESTING) r.fail(`AnyValue is nested more than ${MAX_NESTING} levels deep`);
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === 0x0a || tag === 0x3a) {
      const length = r.len(end); // string_value, bytes_value
      r.pos += length;
    } else if (tag === 0x10 || tag === 0x18)
      r.varint(end); // bool_value, int_value
    else checkField(r, tag, end, anyValue, depth);
  }
}

/** Checks a whole message ending at `end`; the reader ends at `end`. */
export function checkMessage(r: ProtoReader, end: number, target: MessageShape, depth: number): void {
  if (depth > MAX_NESTING) r.fail(`${target.name} is nested more than ${MAX_NESTING} levels deep`);
  while (r.pos < end) checkField(r, r.tag(end), end, target, depth);
}
