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
  type TraceMessage,
} from './trace-fields';
import { type ProtoReader, WIRE_LEN } from './wire';

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

function shape(name: string): MessageShape {
  return { name, wireTypes: [], fieldNames: [], children: [] };
}

/**
 * Fills a shape from the field table: every field of `message` with its wire type, and for the
 * message fields given in `children`, the shape their values are checked with (a message field
 * without one is skipped whole).
 */
function define<F extends string>(
  target: MessageShape,
  message: TraceMessage<F>,
  children: Partial<Record<F, MessageShape>> = {},
): MessageShape {
  for (const fieldName of Object.keys(message.field) as F[]) {
    const n = message.field[fieldName];
    while (target.wireTypes.length <= n) target.wireTypes.push(-1);
    target.wireTypes[n] = message.wireType[fieldName];
    target.fieldNames[n] = fieldName;
    target.children[n] = children[fieldName];
  }
  return target;
}

// AnyValue, ArrayValue, KeyValueList and KeyValue refer to each other, so they are created first.
const anyValue = shape(ANY_VALUE.name);
const arrayValue = shape(ARRAY_VALUE.name);
const keyValueList = shape(KEY_VALUE_LIST.name);
const KEY_VALUE_SHAPE = shape(KEY_VALUE.name);

define(anyValue, ANY_VALUE, { array_value: arrayValue, kvlist_value: keyValueList });
define(arrayValue, ARRAY_VALUE, { values: anyValue });
define(keyValueList, KEY_VALUE_LIST, { values: KEY_VALUE_SHAPE });
define(KEY_VALUE_SHAPE, KEY_VALUE, { value: anyValue });

const attributes = KEY_VALUE_SHAPE;

const entityRef = define(shape(ENTITY_REF.name), ENTITY_REF);

export const RESOURCE_SHAPE = define(shape(RESOURCE.name), RESOURCE, { attributes, entity_refs: entityRef });

export const SCOPE_SHAPE = define(shape(INSTRUMENTATION_SCOPE.name), INSTRUMENTATION_SCOPE, { attributes });

const event = define(shape(SPAN_EVENT.name), SPAN_EVENT, { attributes });

const link = define(shape(SPAN_LINK.name), SPAN_LINK, { attributes });

const status = define(shape(STATUS.name), STATUS);

export const SPAN_SHAPE = define(shape(SPAN.name), SPAN, { attributes, events: event, links: link, status });

// The framing messages, for checking the fields the splitter does not read itself (its lists,
// resource_spans, scope_spans and spans, it reads in place).
export const REQUEST_SHAPE = define(shape('ExportTraceServiceRequest'), TRACES_DATA);
export const RESOURCE_SPANS_SHAPE = define(shape(RESOURCE_SPANS.name), RESOURCE_SPANS, {
  resource: RESOURCE_SHAPE,
});
export const SCOPE_SPANS_SHAPE = define(shape(SCOPE_SPANS.name), SCOPE_SPANS, { scope: SCOPE_SHAPE });

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

// The tags they test, as local constants (see trace-fields.ts).
const TAG_KEY = KEY_VALUE.tag.key;
const TAG_VALUE = KEY_VALUE.tag.value;
const TAG_STRING = ANY_VALUE.tag.string_value;
const TAG_BOOL = ANY_VALUE.tag.bool_value;
const TAG_INT = ANY_VALUE.tag.int_value;
const TAG_DOUBLE = ANY_VALUE.tag.double_value;
const TAG_BYTES = ANY_VALUE.tag.bytes_value;

export function checkKeyValue(r: ProtoReader, end: number, depth: number): void {
  if (isPlainKeyValue(r.buf, r.pos, end)) {
    r.pos = end;
    return;
  }
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === TAG_KEY) {
      const length = r.len(end);
      r.pos += length;
    } else if (tag === TAG_VALUE) {
      const length = r.len(end);
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
  if (end - pos < 4 || b[pos] !== TAG_KEY) return false;
  const keyEnd = lengthDelimitedEnd(b, pos + 1, end);
  if (keyEnd < 0 || keyEnd + 2 > end || b[keyEnd] !== TAG_VALUE) return false;
  if (lengthDelimitedEnd(b, keyEnd + 1, end) !== end) return false;
  const valueStart = keyEnd + 1 + (b[keyEnd + 1] < 0x80 ? 1 : 2);
  if (valueStart === end) return true; // an empty AnyValue
  const tag = b[valueStart];
  if (tag === TAG_STRING || tag === TAG_BYTES) return lengthDelimitedEnd(b, valueStart + 1, end) === end;
  if (tag === TAG_DOUBLE) return valueStart + 9 === end;
  if (tag === TAG_BOOL || tag === TAG_INT) {
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
    if (tag === TAG_STRING || tag === TAG_BYTES) {
      const length = r.len(end);
      r.pos += length;
    } else if (tag === TAG_BOOL || tag === TAG_INT) r.varint(end);
    else checkField(r, tag, end, anyValue, depth);
  }
}

/** Checks a whole message ending at `end`; the reader ends at `end`. */
export function checkMessage(r: ProtoReader, end: number, target: MessageShape, depth: number): void {
  if (depth > MAX_NESTING) r.fail(`${target.name} is nested more than ${MAX_NESTING} levels deep`);
  while (r.pos < end) checkField(r, r.tag(end), end, target, depth);
}
