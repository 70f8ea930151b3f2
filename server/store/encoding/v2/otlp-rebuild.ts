import { ProtoWriter } from '../../../otlp/proto-writer';
import {
  ANY_VALUE,
  KEY_VALUE,
  RESOURCE_SPANS,
  SCOPE_SPANS,
  SPAN,
  STATUS,
  TRACES_DATA,
} from '../../../otlp/trace-fields';
import { asBuffer, ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from '../../../otlp/wire';
import type { AttributeValue, SearchSpan } from '../../../search-model/search-trace';

/** The span as the columns give it back: exactly the model's `SearchSpan` fields below, plus the trace ID (lowercase hex). */
export type ColumnSpan = Pick<
  SearchSpan,
  | 'spanId'
  | 'parentSpanId'
  | 'name'
  | 'kind'
  | 'statusCode'
  | 'statusMessage'
  | 'startUnixNano'
  | 'durationNanos'
  | 'attributes'
> & { traceId: string };

/**
 * OTLP again from a block's rows: a span from its columns and its residue (`spanResidue`), and a
 * trace's TracesData from its spans with their resource and scope parts.
 *
 * The rule that makes a span lossless: a field the residue carries is written from the residue
 * alone, never from the columns (a column field is written only when the residue has no field of
 * that number), except the attributes, where the columns write every key but those the residue
 * marks. The marks are the residue's last field, number `RESIDUE_KEY_MARKER` (no OTLP message has
 * it): the keys as repeated field 1 (UTF-8), and field 2, flags: 1 = the span has no end time
 * (write none, though the columns' start + duration is not 0), 2 = it has no Status (write none,
 * though the columns' code or message is not the default). `spanResidue` adds one, empty if
 * need be, whenever the span's own last field has that number, so the last one is always ours.
 */
export const RESIDUE_KEY_MARKER = 1000;

const TAG_KEY_MARKER = RESIDUE_KEY_MARKER * 8 + WIRE_LEN;
const TAG_MARKED_KEY = 0x0a;
const TAG_MARK_FLAGS = 0x10;
const MARK_NO_END = 1;
const MARK_NO_STATUS = 2;
const F = SPAN.field;
const BIT_TRACE_ID = 1 << F.trace_id;
const BIT_SPAN_ID = 1 << F.span_id;
const BIT_PARENT = 1 << F.parent_span_id;
const BIT_NAME = 1 << F.name;
const BIT_KIND = 1 << F.kind;
const BIT_START = 1 << F.start_time_unix_nano;
const BIT_END = 1 << F.end_time_unix_nano;
const BIT_STATUS = 1 << F.status;

/** The end time `rebuildSpan` writes: start plus duration, as a fixed64 (0: none written). */
export function rebuiltEndUnixNano(startUnixNano: bigint, durationNanos: number): bigint {
  return BigInt.asUintN(64, startUnixNano + (Number.isInteger(durationNanos) ? BigInt(durationNanos) : 0n));
}

const writer = new ProtoWriter(1024);
const marked = new Set<string>();
let markFlags = 0;
/** One buffer per ID length (16 and 8, mostly). */
const idScratch: Buffer[] = [];
const TWO_POW_32 = 4294967296;
const MAX_UINT64 = 2n ** 64n - 1n;

/** The Span message again: fields from `columns`, and the residue's fields. */
export function rebuildSpan(columns: ColumnSpan, residue: Uint8Array): Uint8Array {
  let present = 0;
  let residueEnd = residue.length;
  if (marked.size > 0) marked.clear();
  markFlags = 0;
  if (residueEnd > 0) {
    const r = new ProtoReader(residue);
    const end = residue.length;
    while (r.pos < end) {
      const at = r.pos;
      const tag = r.tag(end);
      const field = Math.floor(tag / 8);
      if (field < 31) present |= 1 << field;
      r.skip(tag & 7, end);
      if (tag === TAG_KEY_MARKER && r.pos === end) {
        residueEnd = at;
        readMarkedKeys(residue, at, end);
      }
    }
  }
  const w = writer.reset();
  target = w;
  if ((present & BIT_TRACE_ID) === 0) writeId(w, F.trace_id, columns.traceId);
  if ((present & BIT_SPAN_ID) === 0) writeId(w, F.span_id, columns.spanId);
  if ((present & BIT_PARENT) === 0) writeId(w, F.parent_span_id, columns.parentSpanId);
  if ((present & BIT_NAME) === 0 && columns.name !== '') w.stringField(F.name, columns.name);
  if ((present & BIT_KIND) === 0 && columns.kind !== 0) w.varintField(F.kind, columns.kind);
  if ((present & BIT_START) === 0 || (present & BIT_END) === 0) writeTimes(w, columns, present, markFlags);
  if (
    (present & BIT_STATUS) === 0 &&
    (markFlags & MARK_NO_STATUS) === 0 &&
    (columns.statusCode !== 0 || columns.statusMessage !== '')
  ) {
    w.openMessage(F.status);
    if (columns.statusMessage !== '') w.stringField(STATUS.field.message, columns.statusMessage);
    if (columns.statusCode !== 0) w.varintField(STATUS.field.code, columns.statusCode);
    w.closeMessage();
  }
  if (residueEnd > 0) w.raw(residueEnd === residue.length ? residue : residue.subarray(0, residueEnd));
  // After the residue's attributes: a key's column value was its last scalar occurrence, and
  // stays the last (what a decoder that keeps the last occurrence, like the search model, reads).
  columns.attributes.forEach(writeColumnAttribute);
  return w.finish();
}

function readMarkedKeys(residue: Uint8Array, at: number, end: number): void {
  const r = new ProtoReader(residue, at);
  r.tag(end);
  const keysEnd = r.len(end) + r.pos;
  while (r.pos < keysEnd) {
    const tag = r.tag(keysEnd);
    if (tag === TAG_MARKED_KEY) marked.add(r.string(keysEnd));
    else if (tag === TAG_MARK_FLAGS) markFlags |= r.varint(keysEnd);
    else r.skip(tag & 7, keysEnd);
  }
}

/** Nibble of each hex digit's char code; -1 for other characters. */
const NIBBLE = Int8Array.from({ length: 128 }, (_, c) =>
  '0123456789abcdef'.indexOf(String.fromCharCode(c).toLowerCase()),
);

/** An ID from hex ('' for none), as `Buffer.from(hex, 'hex')` reads it. */
function writeId(w: ProtoWriter, field: number, hex: string): void {
  if (hex === '') return;
  const length = hex.length >>> 1;
  let out = idScratch[length];
  if (out === undefined) {
    out = Buffer.alloc(length);
    if (length <= 64) idScratch[length] = out;
  }
  for (let i = 0; i < length; i++) {
    const c0 = hex.charCodeAt(2 * i);
    const c1 = hex.charCodeAt(2 * i + 1);
    const high = c0 < 128 ? NIBBLE[c0] : -1;
    const low = c1 < 128 ? NIBBLE[c1] : -1;
    if (high < 0 || low < 0) {
      w.bytesField(field, Buffer.from(hex, 'hex'));
      return;
    }
    out[i] = (high << 4) | low;
  }
  w.tag(field, WIRE_LEN).varint(length).raw(out);
}

/**
 * Start and end, each unless the residue has it: the end is start + duration (unless the residue
 * flags it absent), and a time of 0 is not written.
 */
function writeTimes(w: ProtoWriter, columns: ColumnSpan, present: number, flags: number): void {
  const start = columns.startUnixNano;
  const duration = columns.durationNanos;
  if (start === 0n && duration === 0) return;
  // Halves as numbers: cheaper than bigint arithmetic and writes.
  const startHigh = Number(start >> 32n);
  const startLow = Number(start & 0xffffffffn);
  if ((present & BIT_START) === 0 && start !== 0n)
    w.tag(F.start_time_unix_nano, WIRE_FIXED64).fixed64(startLow, startHigh);
  if ((present & BIT_END) !== 0 || (flags & MARK_NO_END) !== 0) return;
  if (!Number.isSafeInteger(duration) || start < 0n || start > MAX_UINT64) {
    const end = rebuiltEndUnixNano(start, duration);
    if (end !== 0n) w.tag(F.end_time_unix_nano, WIRE_FIXED64).fixed64Big(end);
    return;
  }
  // Exact: every term below 2^53. The end wraps at 2^64 as a fixed64 does.
  let low = startLow + (duration % TWO_POW_32);
  let high = startHigh + Math.trunc(duration / TWO_POW_32);
  if (low >= TWO_POW_32) {
    low -= TWO_POW_32;
    high++;
  } else if (low < 0) {
    low += TWO_POW_32;
    high--;
  }
  high = ((high % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
  if (low !== 0 || high !== 0) w.tag(F.end_time_unix_nano, WIRE_FIXED64).fixed64(low, high);
}

let target = writer;

function writeColumnAttribute(value: AttributeValue, key: string): void {
  if (marked.size === 0 || !marked.has(key)) writeAttribute(target, key, value);
}

/**
 * A KeyValue from a column value. A number is an int when it is a safe integer and a double
 * otherwise; the AnyValue member is written even when it holds its default (it says the type).
 */
function writeAttribute(w: ProtoWriter, key: string, value: AttributeValue): void {
  w.openMessage(F.attributes).stringField(KEY_VALUE.field.key, key).openMessage(KEY_VALUE.field.value);
  if (typeof value === 'string') w.stringField(ANY_VALUE.field.string_value, value);
  else if (typeof value === 'boolean') w.varintField(ANY_VALUE.field.bool_value, value ? 1 : 0);
  else if (Number.isSafeInteger(value)) {
    w.tag(ANY_VALUE.field.int_value, WIRE_VARINT);
    if (value >= 0) w.varint(value);
    else w.varintBig(BigInt(value));
  } else w.doubleField(ANY_VALUE.field.double_value, value);
  w.closeMessage().closeMessage();
}

/**
 * ResourceSpans at [at, end) without its scope_spans (field 2): resource + schema_url, as stored
 * once per distinct value. From a `forEachSpan` walk: `view.resourceSpansAt`, `view.resourceSpansEnd`.
 */
export function resourcePart(buf: Uint8Array, at: number, end: number): Uint8Array {
  return withoutField(buf, at, end, RESOURCE_SPANS.field.scope_spans);
}

/** ScopeSpans at [at, end) without its spans (field 2): scope + schema_url (`view.scopeSpansAt`, `view.scopeSpansEnd`). */
export function scopePart(buf: Uint8Array, at: number, end: number): Uint8Array {
  return withoutField(buf, at, end, SCOPE_SPANS.field.spans);
}

function withoutField(buf: Uint8Array, at: number, end: number, field: number): Uint8Array {
  const r = new ProtoReader(buf, at);
  let size = 0;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag(end);
    r.skip(tag & 7, end);
    if (Math.floor(tag / 8) !== field) size += r.pos - start;
  }
  const out = new Uint8Array(size);
  let pos = 0;
  r.pos = at;
  while (r.pos < end) {
    const start = r.pos;
    const tag = r.tag(end);
    r.skip(tag & 7, end);
    if (Math.floor(tag / 8) !== field) pos += r.buf.copy(out, pos, start, r.pos);
  }
  return out;
}

interface ScopeGroup {
  scope: Uint8Array;
  spans: Uint8Array[];
}

interface ResourceGroup {
  resource: Uint8Array;
  scopes: ScopeGroup[];
  byScope: Map<string, ScopeGroup>;
}

/** TracesData of these spans: spans with byte-equal resource parts under one ResourceSpans, and within it byte-equal scope parts under one ScopeSpans, in order of first appearance. */
export function rebuildTracesData(
  spans: readonly { resource: Uint8Array; scope: Uint8Array; span: Uint8Array }[],
): Uint8Array {
  const groups: ResourceGroup[] = [];
  const byResource = new Map<string, ResourceGroup>();
  // Parts are stored once per distinct value, so most spans share the same arrays.
  const contentKeys = new Map<Uint8Array, string>();
  const contentKey = (bytes: Uint8Array): string => {
    let key = contentKeys.get(bytes);
    if (key === undefined) {
      key = asBuffer(bytes).toString('latin1');
      contentKeys.set(bytes, key);
    }
    return key;
  };
  let bytes = 0;
  for (const { resource, scope, span } of spans) {
    const resourceKey = contentKey(resource);
    let group = byResource.get(resourceKey);
    if (group === undefined) {
      group = { resource, scopes: [], byScope: new Map() };
      byResource.set(resourceKey, group);
      groups.push(group);
      bytes += resource.length + 8;
    }
    const scopeKey = contentKey(scope);
    let scopeGroup = group.byScope.get(scopeKey);
    if (scopeGroup === undefined) {
      scopeGroup = { scope, spans: [] };
      group.byScope.set(scopeKey, scopeGroup);
      group.scopes.push(scopeGroup);
      bytes += scope.length + 8;
    }
    scopeGroup.spans.push(span);
    bytes += span.length + 6;
  }
  const w = new ProtoWriter(bytes);
  for (const group of groups) {
    w.openMessage(TRACES_DATA.field.resource_spans).raw(group.resource);
    for (const scopeGroup of group.scopes) {
      w.openMessage(RESOURCE_SPANS.field.scope_spans).raw(scopeGroup.scope);
      for (const span of scopeGroup.spans) w.bytesField(SCOPE_SPANS.field.spans, span);
      w.closeMessage();
    }
    w.closeMessage();
  }
  return w.finish();
}
