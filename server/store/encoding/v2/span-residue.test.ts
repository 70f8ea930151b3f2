import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../../otlp/proto-writer';
import { appendSearchSpans } from '../../../search-model/otlp-to-search';
import type { AttributeValue, SearchSpan } from '../../../search-model/search-trace';
import { seededRandom } from '../../store-test-support';
import {
  type ColumnSpan,
  RESIDUE_KEY_MARKER,
  rebuildSpan,
  rebuildTracesData,
  resourcePart,
  scopePart,
  spanResidue,
} from './span-residue';

// ---------------------------------------------------------------------------------------------
// An independent protobuf decoder (no project reader): each message by a schema, in proto3's
// meaning. Strings are compared as their bytes (hex), numbers as exact integers or raw bits; a
// scalar's last occurrence wins, a message field's occurrences merge (and are there even when
// empty), a scalar holding its default counts as absent, an AnyValue member is kept even when it
// is a default (it says the type), attributes are compared as a multiset, unknown fields in order.
// ---------------------------------------------------------------------------------------------

type FieldType = 'bytes' | 'varint' | 'bool' | 'fixed64' | 'fixed32' | Schema;
interface FieldSpec {
  name: string;
  type: FieldType;
  repeated?: boolean;
  oneof?: boolean;
  /** Order does not matter (attributes). */
  unordered?: boolean;
}
type Schema = Record<number, FieldSpec>;

const ANY_VALUE_SCHEMA: Schema = {};
const KEY_VALUE_SCHEMA: Schema = {
  1: { name: 'key', type: 'bytes' },
  2: { name: 'value', type: ANY_VALUE_SCHEMA },
};
Object.assign(ANY_VALUE_SCHEMA, {
  1: { name: 'string', type: 'bytes', oneof: true },
  2: { name: 'bool', type: 'bool', oneof: true },
  3: { name: 'int', type: 'varint', oneof: true },
  4: { name: 'double', type: 'fixed64', oneof: true },
  5: { name: 'array', type: { 1: { name: 'values', type: ANY_VALUE_SCHEMA, repeated: true } }, oneof: true },
  6: { name: 'kvlist', type: { 1: { name: 'values', type: KEY_VALUE_SCHEMA, repeated: true } }, oneof: true },
  7: { name: 'bytes', type: 'bytes', oneof: true },
} satisfies Schema);
const ATTRIBUTES = (field: number): Schema => ({
  [field]: { name: 'attributes', type: KEY_VALUE_SCHEMA, repeated: true, unordered: true },
});
const SPAN_SCHEMA: Schema = {
  1: { name: 'trace_id', type: 'bytes' },
  2: { name: 'span_id', type: 'bytes' },
  3: { name: 'trace_state', type: 'bytes' },
  4: { name: 'parent_span_id', type: 'bytes' },
  5: { name: 'name', type: 'bytes' },
  6: { name: 'kind', type: 'varint' },
  7: { name: 'start', type: 'fixed64' },
  8: { name: 'end', type: 'fixed64' },
  ...ATTRIBUTES(9),
  10: { name: 'dropped_attributes_count', type: 'varint' },
  11: {
    name: 'events',
    repeated: true,
    type: {
      1: { name: 'time', type: 'fixed64' },
      2: { name: 'name', type: 'bytes' },
      ...ATTRIBUTES(3),
      4: { name: 'dropped_attributes_count', type: 'varint' },
    },
  },
  12: { name: 'dropped_events_count', type: 'varint' },
  13: {
    name: 'links',
    repeated: true,
    type: {
      1: { name: 'trace_id', type: 'bytes' },
      2: { name: 'span_id', type: 'bytes' },
      3: { name: 'trace_state', type: 'bytes' },
      ...ATTRIBUTES(4),
      5: { name: 'dropped_attributes_count', type: 'varint' },
      6: { name: 'flags', type: 'fixed32' },
    },
  },
  14: { name: 'dropped_links_count', type: 'varint' },
  15: {
    name: 'status',
    type: { 2: { name: 'message', type: 'bytes' }, 3: { name: 'code', type: 'varint' } },
  },
  16: { name: 'flags', type: 'fixed32' },
};
const SCOPE_SPANS_SCHEMA: Schema = {
  1: {
    name: 'scope',
    type: {
      1: { name: 'name', type: 'bytes' },
      2: { name: 'version', type: 'bytes' },
      ...ATTRIBUTES(3),
      4: { name: 'dropped_attributes_count', type: 'varint' },
    },
  },
  2: { name: 'spans', type: SPAN_SCHEMA, repeated: true },
  3: { name: 'schema_url', type: 'bytes' },
};
const RESOURCE_SPANS_SCHEMA: Schema = {
  1: {
    name: 'resource',
    type: { ...ATTRIBUTES(1), 2: { name: 'dropped_attributes_count', type: 'varint' } },
  },
  2: { name: 'scope_spans', type: SCOPE_SPANS_SCHEMA, repeated: true },
  3: { name: 'schema_url', type: 'bytes' },
};
const TRACES_DATA_SCHEMA: Schema = {
  1: { name: 'resource_spans', type: RESOURCE_SPANS_SCHEMA, repeated: true },
};

const WIRE_OF: Record<string, number> = { bytes: 2, varint: 0, bool: 0, fixed64: 1, fixed32: 5 };
/** A scalar field holding its default is as good as absent (proto3). */
const DEFAULTS: Record<string, unknown> = {
  bytes: '',
  varint: '0',
  bool: false,
  fixed64: '0000000000000000',
  fixed32: '00000000',
};

function readVarint(b: Uint8Array, pos: number): [bigint, number] {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return [BigInt.asUintN(64, value), pos];
  }
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

type Decoded = Record<string, unknown>;

function decode(b: Uint8Array, schema: Schema): Decoded {
  const out: Decoded = {};
  const unknown: string[] = [];
  const merged = new Map<number, Uint8Array[]>();
  let pos = 0;
  while (pos < b.length) {
    const [tag, afterTag] = readVarint(b, pos);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let valueAt = afterTag;
    let valueEnd: number;
    if (wire === 0) valueEnd = readVarint(b, afterTag)[1];
    else if (wire === 1) valueEnd = afterTag + 8;
    else if (wire === 5) valueEnd = afterTag + 4;
    else if (wire === 2) {
      const [length, at] = readVarint(b, afterTag);
      valueAt = at;
      valueEnd = at + Number(length);
    } else throw new Error(`wire type ${wire}`);
    if (valueEnd > b.length) throw new Error('truncated field');
    pos = valueEnd;
    const spec = schema[field];
    const expectedWire = spec === undefined ? -1 : typeof spec.type === 'string' ? WIRE_OF[spec.type] : 2;
    if (spec === undefined || expectedWire !== wire) {
      unknown.push(`${field}/${wire}/${hex(b.subarray(afterTag, valueEnd))}`);
      continue;
    }
    const raw = b.subarray(valueAt, valueEnd);
    if (typeof spec.type !== 'string' && !spec.repeated && !spec.oneof) {
      // A message field's occurrences merge: decoding their concatenation is that merge.
      merged.set(field, [...(merged.get(field) ?? []), raw]);
      continue;
    }
    let value: unknown;
    if (typeof spec.type !== 'string') value = decode(raw, spec.type);
    else if (spec.type === 'bytes' || spec.type === 'fixed64' || spec.type === 'fixed32') value = hex(raw);
    else {
      const n = readVarint(b, valueAt)[0];
      value = spec.type === 'bool' ? n !== 0n : n.toString();
    }
    if (spec.repeated) {
      if (out[spec.name] === undefined) out[spec.name] = [];
      (out[spec.name] as unknown[]).push(value);
    } else if (spec.oneof) {
      for (const other of Object.values(schema)) if (other.oneof) delete out[other.name];
      out[spec.name] = value;
    } else out[spec.name] = value;
  }
  for (const [field, parts] of merged) {
    const spec = schema[field];
    // A message field is there or not, even empty (proto3 presence).
    out[spec.name] = decode(Buffer.concat(parts), spec.type as Schema);
  }
  for (const spec of Object.values(schema)) {
    const value = out[spec.name];
    if (spec.oneof || value === undefined) continue;
    if (value === DEFAULTS[String(spec.type)]) delete out[spec.name];
    if (spec.unordered && Array.isArray(value))
      value.sort((a, c) => (JSON.stringify(a) < JSON.stringify(c) ? -1 : 1));
  }
  if (unknown.length > 0) out.unknown = unknown;
  // Keys in one order, so that JSON.stringify compares too.
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// ---------------------------------------------------------------------------------------------
// Encoding helpers and a seeded generator of spans covering every field.
// ---------------------------------------------------------------------------------------------

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const len = (field: number, bytes: Uint8Array | string) =>
  new ProtoWriter(16).bytesField(field, typeof bytes === 'string' ? utf8(bytes) : bytes).finish();
const varint = (field: number, v: bigint | number) =>
  new ProtoWriter(16).tag(field, 0).varintBig(BigInt(v)).finish();
const fixed64 = (field: number, v: bigint) => new ProtoWriter(16).tag(field, 1).fixed64Big(v).finish();
const fixed32 = (field: number, v: number) => new ProtoWriter(16).tag(field, 5).fixed32(v).finish();
const double = (field: number, v: number) => new ProtoWriter(16).tag(field, 1).double(v).finish();
const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);

class Gen {
  constructor(readonly random: () => number) {}
  chance(p: number): boolean {
    return this.random() < p;
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

const INVALID_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0xfe]),
  Buffer.from([0x61, 0xc3]),
  Buffer.from([0xed, 0xa0, 0x80]),
];
const STRINGS: readonly (string | Buffer)[] = [
  'GET',
  '/api/v1/items?id=42',
  '',
  'héllo wörld ✓ 😀',
  '\uFFFD',
  'ключ',
  ...INVALID_UTF8,
];
const KEYS: readonly (string | Buffer)[] = [
  'http.method',
  'http.status_code',
  'db.statement',
  'dup',
  'dup',
  'ключ',
  '\uFFFD',
  '',
  Buffer.from([0xff]),
  Buffer.from([0xfe]),
];
const INTS: readonly bigint[] = [
  0n,
  1n,
  42n,
  -1n,
  -42n,
  2n ** 53n - 1n,
  2n ** 53n + 1n,
  -(2n ** 63n),
  2n ** 63n - 1n,
];
const DOUBLES: readonly number[] = [
  3.0,
  -0,
  0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -Infinity,
  0.1,
  -2.5,
  1e300,
  2 ** 60,
];

/** An AnyValue message: every member type, including the ones the columns cannot hold. */
function anyValue(g: Gen, depth = 0): Buffer {
  switch (g.int(depth > 1 ? 9 : 12)) {
    case 0:
    case 1:
      return len(1, g.pick(STRINGS));
    case 2:
      // A bool written as 2 is true too.
      return varint(2, g.pick([0, 1, 1, 2]));
    case 3:
    case 4:
      return varint(3, g.pick(INTS));
    case 5:
    case 6:
      return double(4, g.pick(DOUBLES));
    case 7:
      return len(7, g.bytes(g.int(5)));
    case 8:
      return Buffer.alloc(0);
    case 9: {
      const values = Array.from({ length: g.int(4) }, () => len(1, anyValue(g, depth + 1)));
      return len(5, cat(...values));
    }
    case 10: {
      const values = Array.from({ length: g.int(3) }, () => len(1, keyValue(g, depth + 1)));
      return len(6, cat(...values));
    }
    default:
      // Two members: the last wins (a protobuf decoder's and the model's reading alike).
      return cat(len(1, g.pick(STRINGS)), varint(3, g.pick(INTS)));
  }
}

function keyValue(g: Gen, depth = 0): Buffer {
  const key = len(1, g.pick(KEYS));
  const value = len(2, anyValue(g, depth));
  const r = g.random();
  if (r < 0.03) return value; // no key: ''
  if (r < 0.06) return key; // no value
  if (r < 0.09) return cat(value, key);
  if (r < 0.11) return cat(key, value, varint(9, 7)); // an unknown field in the KeyValue
  return cat(key, value);
}

/** A plain scalar value the columns hold exactly. */
function plainValue(g: Gen): Buffer {
  switch (g.int(4)) {
    case 0:
      return len(1, g.pick(['GET', 'héllo ✓', '', '/x/y']));
    case 1:
      return varint(2, g.int(2));
    case 2:
      return varint(3, g.pick([0n, 7n, -3n, 2n ** 53n - 1n, -(2n ** 53n - 1n)]));
    default:
      return double(4, g.pick([0.1, -2.5, 1e300, 2 ** 60, 1.5e-300]));
  }
}

const BASE_NANOS = 1_700_000_000_000_000_000n;

function times(g: Gen): Buffer[] {
  const start = BASE_NANOS + BigInt(g.int(1e9)) * 1000n;
  const duration = BigInt(g.int(1e9));
  switch (g.int(12)) {
    case 0:
      return [fixed64(7, start)];
    case 1:
      return [fixed64(8, start)];
    case 2:
      return [];
    case 3:
      return [fixed64(7, start), fixed64(8, start - duration - 1n)]; // end before start
    case 4:
      return [fixed64(7, start), fixed64(8, 0n)];
    case 5:
      return [fixed64(7, 1n), fixed64(8, 2n ** 64n - 1n)]; // a duration past 2^53
    case 6:
      return [fixed64(7, 0n), fixed64(8, start)];
    default:
      return [fixed64(7, start), fixed64(8, start + duration)];
  }
}

function status(g: Gen): Buffer[] {
  const message = g.pick<string | Buffer>(['timeout', 'ошибка', '', ...INVALID_UTF8]);
  const code = g.pick([0, 1, 2, 2, 7]);
  switch (g.int(9)) {
    case 0:
      return [];
    case 1:
      return [len(15, Buffer.alloc(0))];
    case 2:
      return [len(15, varint(3, code))];
    case 3:
      return [len(15, len(2, message))];
    case 4:
      return [len(15, cat(varint(1, 2), varint(3, code)))]; // deprecated_code
    case 5:
      return [len(15, varint(3, code)), len(15, len(2, message))]; // repeated: they merge
    default:
      return [len(15, cat(len(2, message), varint(3, code)))];
  }
}

function name(g: Gen): Buffer[] {
  switch (g.int(10)) {
    case 0:
      return [];
    case 1:
      return [len(5, '')];
    case 2:
      return [len(5, `${'x'.repeat(70_000)}€`)];
    case 3:
      return [len(5, g.pick(INVALID_UTF8))];
    case 4:
      return [len(5, 'first'), len(5, 'second')];
    case 5:
      return [len(5, 'résumé ✓')];
    default:
      return [len(5, g.pick(['GET /api', 'SELECT', 'render']))];
  }
}

function event(g: Gen): Buffer {
  const fields = [fixed64(1, BASE_NANOS + BigInt(g.int(1e9))), len(2, g.pick(['exception', 'log', '']))];
  for (let i = g.int(4); i > 0; i--) fields.push(len(3, keyValue(g)));
  if (g.chance(0.3)) fields.push(varint(4, g.int(5)));
  return len(11, cat(...fields));
}

function link(g: Gen): Buffer {
  const fields = [len(1, g.bytes(16)), len(2, g.bytes(8))];
  if (g.chance(0.5)) fields.push(len(3, 'congo=t61rcWkgMzE'));
  for (let i = g.int(3); i > 0; i--) fields.push(len(4, keyValue(g)));
  if (g.chance(0.3)) fields.push(varint(5, g.int(5)));
  if (g.chance(0.5)) fields.push(fixed32(6, 0x301));
  return len(13, cat(...fields));
}

/** Any span: every field, default or not, lossy or not. */
function anySpan(g: Gen): Buffer {
  const fields: Buffer[] = [];
  if (!g.chance(0.05)) fields.push(len(1, g.bytes(16)));
  if (!g.chance(0.05)) fields.push(len(2, g.bytes(g.chance(0.05) ? 4 : 8)));
  if (g.chance(0.2)) fields.push(len(3, 'rojo=00f067aa0ba902b7'));
  const parent = g.random();
  if (parent < 0.1) fields.push(len(4, Buffer.alloc(0)));
  else if (parent < 0.2) fields.push(len(4, Buffer.alloc(8)));
  else if (parent < 0.6) fields.push(len(4, g.bytes(8)));
  fields.push(...name(g));
  if (!g.chance(0.1)) fields.push(g.chance(0.03) ? varint(6, -1n) : varint(6, g.pick([0, 1, 2, 3, 4, 5, 9])));
  fields.push(...times(g));
  for (let i = g.int(12); i > 0; i--) fields.push(len(9, keyValue(g)));
  if (g.chance(0.1)) fields.push(varint(10, g.int(100)));
  if (g.chance(0.25)) for (let i = 1 + g.int(3); i > 0; i--) fields.push(event(g));
  if (g.chance(0.1)) fields.push(varint(12, g.int(100)));
  if (g.chance(0.2)) for (let i = 1 + g.int(2); i > 0; i--) fields.push(link(g));
  if (g.chance(0.1)) fields.push(varint(14, g.int(100)));
  fields.push(...status(g));
  if (g.chance(0.3)) fields.push(fixed32(16, g.pick([0x101, 0x301, 1])));
  if (g.chance(0.05)) fields.push(varint(50, 123));
  if (g.chance(0.05)) fields.push(len(RESIDUE_KEY_MARKER, len(1, 'dup'))); // the marker's number
  return cat(...(g.chance(0.2) ? g.shuffle(fields) : fields));
}

/** What most spans are: IDs, a name, kind, times, status and scalar attributes the columns hold. */
function plainSpan(g: Gen, i: number): Buffer {
  const start = BASE_NANOS + BigInt(g.int(1e9)) * 1000n;
  const fields = [len(1, g.bytes(16)), len(2, g.bytes(8))];
  if (g.chance(0.7)) fields.push(len(4, g.bytes(8)));
  fields.push(len(5, g.pick(['GET /api/items', 'SELECT orders', 'résumé ✓'])), varint(6, 1 + g.int(5)));
  fields.push(fixed64(7, start), fixed64(8, start + BigInt(g.int(1e9))));
  for (let k = g.int(15); k > 0; k--)
    fields.push(len(9, cat(len(1, `attr.${k}.${i % 3}`), len(2, plainValue(g)))));
  const code = g.int(3);
  if (code !== 0) fields.push(len(15, cat(...(code === 2 ? [len(2, 'boom ✗')] : []), varint(3, code))));
  return cat(...fields);
}

function tracesData(
  resources: readonly { resource: Buffer; scopes: readonly { scope: Buffer; spans: Buffer[] }[] }[],
) {
  return cat(
    ...resources.map(({ resource, scopes }) =>
      len(
        1,
        cat(
          resource,
          ...scopes.map(({ scope, spans }) => len(2, cat(scope, ...spans.map((s) => len(2, s))))),
        ),
      ),
    ),
  );
}

const RESOURCE = cat(
  len(1, cat(len(1, cat(len(1, 'service.name'), len(2, len(1, 'shop')))))),
  len(3, 'https://s/1'),
);
const SCOPE = len(1, cat(len(1, 'io.opentelemetry.http'), len(2, '1.2.3')));

interface Visited {
  original: Buffer;
  columns: ColumnSpan;
  residue: Uint8Array;
  rebuilt: Uint8Array;
}

/** Every span of `data` through the model, `spanResidue` and `rebuildSpan`. */
function roundTrip(data: Buffer, adjust?: (columns: ColumnSpan) => void): Visited[] {
  const out: Visited[] = [];
  appendSearchSpans(data, [], new Set(), (view, span) => {
    const columns: ColumnSpan = { ...span, traceId: view.idHex(view.traceIdAt, view.traceIdLength) };
    adjust?.(columns);
    const residue = spanResidue(view.buf, view.spanAt, view.spanEnd, columns);
    const rebuilt = rebuildSpan(columns, residue);
    out.push({
      original: Buffer.from(view.buf.subarray(view.spanAt, view.spanEnd)),
      columns,
      residue,
      rebuilt,
    });
  });
  return out;
}

/** The search model of one span, attributes as sorted entries. */
function modelOf(span: Uint8Array): Omit<SearchSpan, 'attributes'> & { attributes: unknown[] } {
  const spans: SearchSpan[] = [];
  appendSearchSpans(
    tracesData([{ resource: RESOURCE, scopes: [{ scope: SCOPE, spans: [Buffer.from(span)] }] }]),
    spans,
    new Set(),
  );
  const [model] = spans;
  return { ...model, attributes: [...model.attributes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}

function expectSameSpan(visited: Visited): void {
  expect(decode(visited.rebuilt, SPAN_SCHEMA)).toEqual(decode(visited.original, SPAN_SCHEMA));
}

describe('spanResidue and rebuildSpan', () => {
  it('rebuild every kind of span with the same meaning, and the same search model', () => {
    const g = new Gen(seededRandom(20260601));
    let spans = 0;
    let empty = 0;
    for (let request = 0; request < 400; request++) {
      const data = tracesData([
        {
          resource: RESOURCE,
          scopes: [{ scope: SCOPE, spans: Array.from({ length: 1 + g.int(8) }, () => anySpan(g)) }],
        },
      ]);
      for (const visited of roundTrip(data)) {
        expectSameSpan(visited);
        expect(modelOf(visited.rebuilt)).toEqual(modelOf(visited.original));
        spans++;
        if (visited.residue.length === 0) empty++;
      }
    }
    expect(spans).toBeGreaterThan(1500);
    // The generator makes most spans lossy somewhere; some still come out plain.
    expect(empty).toBeGreaterThan(0);
  });

  it('leave nothing in the residue of a plain span', () => {
    const g = new Gen(seededRandom(7));
    const spans = Array.from({ length: 500 }, (_, i) => plainSpan(g, i));
    const visited = roundTrip(tracesData([{ resource: RESOURCE, scopes: [{ scope: SCOPE, spans }] }]));
    expect(visited).toHaveLength(500);
    for (const v of visited) {
      expect(v.residue).toEqual(new Uint8Array(0));
      expectSameSpan(v);
    }
  });

  it('keep each field the columns do not give back exactly, and only that', () => {
    const id = Buffer.from('0102030405060708', 'hex');
    const start = fixed64(7, BASE_NANOS);
    const end = fixed64(8, BASE_NANOS + 5n);
    const base = [len(1, Buffer.alloc(16, 9)), len(2, id), len(5, 'op'), start, end];
    const residueOf = (...fields: Buffer[]) => {
      const [v] = roundTrip(
        tracesData([{ resource: RESOURCE, scopes: [{ scope: SCOPE, spans: [cat(...fields)] }] }]),
      );
      expectSameSpan(v);
      return Buffer.from(v.residue);
    };
    const attribute = (key: string, value: Buffer) => len(9, cat(len(1, key), len(2, value)));
    const marker = (...keys: string[]) => len(RESIDUE_KEY_MARKER, cat(...keys.map((k) => len(1, k))));

    expect(residueOf(...base, len(4, Buffer.alloc(8)))).toEqual(len(4, Buffer.alloc(8))); // a zero parent
    expect(residueOf(...base, len(4, Buffer.alloc(0)))).toHaveLength(0);
    const unnamed = base.filter((f) => f[0] !== 0x2a);
    expect(residueOf(...unnamed, len(5, Buffer.from([0xff])))).toEqual(len(5, Buffer.from([0xff])));
    // Duplicates: the last one is the model's; when it does not round-trip, all stay.
    expect(residueOf(...unnamed, len(5, 'a'), len(5, 'b'))).toHaveLength(0);
    expect(residueOf(...unnamed, len(5, 'a'), len(5, Buffer.from([0xff])))).toEqual(
      cat(len(5, 'a'), len(5, Buffer.from([0xff]))),
    );
    // No end: flagged in the marker field (an explicit 0 would read back as another duration).
    expect(residueOf(len(1, Buffer.alloc(16, 9)), len(2, id), start)).toEqual(
      len(RESIDUE_KEY_MARKER, varint(2, 1)),
    );
    expect(residueOf(len(1, Buffer.alloc(16, 9)), len(2, id), end)).toEqual(end); // no start
    expect(residueOf(...unnamed.filter((f) => f !== end), fixed64(8, 0n))).toEqual(fixed64(8, 0n));
    const shortEnd = fixed64(8, 5n);
    expect(residueOf(...unnamed.filter((f) => f !== start && f !== end), fixed64(7, 0n), shortEnd)).toEqual(
      fixed64(7, 0n),
    );
    const trace = fixed64(7, 1n);
    expect(residueOf(len(2, id), trace, fixed64(8, 2n ** 64n - 1n))).toEqual(fixed64(8, 2n ** 64n - 1n));
    const withDeprecated = len(15, cat(varint(1, 2), varint(3, 2)));
    expect(residueOf(...base, withDeprecated)).toEqual(withDeprecated);
    expect(residueOf(...base, len(15, cat(len(2, 'boom'), varint(3, 2))))).toHaveLength(0);
    // An empty Status is there (proto3 message presence): it stays, as the columns write none.
    expect(residueOf(...base, len(15, Buffer.alloc(0)))).toEqual(len(15, Buffer.alloc(0)));
    expect(residueOf(...base, len(15, varint(3, 0)))).toEqual(len(15, varint(3, 0)));

    const three = attribute('n', double(4, 3));
    expect(residueOf(...base, three)).toEqual(cat(three, marker('n')));
    const nan = attribute('n', double(4, Number.NaN));
    expect(residueOf(...base, nan)).toEqual(cat(nan, marker('n')));
    const negativeZero = attribute('z', double(4, -0));
    expect(residueOf(...base, negativeZero)).toEqual(cat(negativeZero, marker('z')));
    const big = attribute('b', varint(3, 2n ** 53n + 1n));
    expect(residueOf(...base, big)).toEqual(cat(big, marker('b')));
    expect(residueOf(...base, attribute('i', varint(3, -(2n ** 53n - 1n))))).toHaveLength(0);
    // Only the last scalar occurrence is the column's; earlier ones and non-scalars stay.
    const first = attribute('k', len(1, 'a'));
    const array = attribute('k', len(5, len(1, len(1, 'x'))));
    expect(residueOf(...base, first, array, attribute('k', len(1, 'b')))).toEqual(cat(first, array));
    expect(residueOf(...base, attribute('k', len(1, 'b')), array)).toEqual(array);
    // Keys that are not UTF-8 read as U+FFFD: a valid U+FFFD key before one of them stays too.
    const replacement = attribute('\uFFFD', len(1, 'v'));
    const invalid = len(9, cat(len(1, Buffer.from([0xff])), len(2, len(1, 'w'))));
    expect(residueOf(...base, replacement, invalid)).toEqual(cat(replacement, invalid, marker('\uFFFD')));
    expect(residueOf(...base, invalid, replacement)).toEqual(invalid);
    // The span's own field with the marker's number, last: an empty marker field follows it.
    const own = len(RESIDUE_KEY_MARKER, len(1, 'x'));
    expect(residueOf(...base, own)).toEqual(cat(own, marker()));
  });

  it('keep what a model read short or not at all', () => {
    const fields = cat(
      len(1, Buffer.alloc(16, 1)),
      len(2, Buffer.alloc(8, 2)),
      len(5, 'a long operation name'),
      len(9, cat(len(1, 'k'), len(2, len(1, 'v')))),
      len(15, cat(len(2, 'the message'), varint(3, 2))),
    );
    const data = tracesData([{ resource: RESOURCE, scopes: [{ scope: SCOPE, spans: [fields] }] }]);
    // A capped name, an unread status message, another attribute value, another trace ID.
    const [v] = roundTrip(data, (columns) => {
      columns.name = columns.name.slice(0, 6);
      columns.statusMessage = '';
      columns.attributes = new Map<string, AttributeValue>([
        ['k', 'other'],
        ['extra', 1],
      ]);
      columns.traceId = '';
    });
    expectSameSpan(v);
    const residue = decode(v.residue, SPAN_SCHEMA);
    expect(residue.name).toBe(hex(utf8('a long operation name')));
    expect(residue.status).toEqual({ message: hex(utf8('the message')), code: '2' });
    expect(residue.trace_id).toBe(hex(Buffer.alloc(16, 1)));
    const marks = len(RESIDUE_KEY_MARKER, cat(len(1, 'k'), len(1, 'extra')));
    // The marker field (its value after the two-byte tag): the key the model has another value for, and the key the span lacks.
    expect(residue.unknown).toEqual([`${RESIDUE_KEY_MARKER}/2/${hex(marks.subarray(2))}`]);
    // A trace ID the span does not have: an explicit empty one keeps the column's out.
    const [w] = roundTrip(
      tracesData([{ resource: RESOURCE, scopes: [{ scope: SCOPE, spans: [len(2, Buffer.alloc(8, 2))] }] }]),
      (c) => {
        c.traceId = 'ab'.repeat(16);
      },
    );
    expect(Buffer.from(w.residue)).toEqual(len(1, Buffer.alloc(0)));
    expectSameSpan(w);
    // No Status, where the columns have a code: flagged, so none is written.
    const [u] = roundTrip(
      tracesData([{ resource: RESOURCE, scopes: [{ scope: SCOPE, spans: [len(2, Buffer.alloc(8, 3))] }] }]),
      (c) => {
        c.statusCode = 2;
      },
    );
    expect(Buffer.from(u.residue)).toEqual(len(RESIDUE_KEY_MARKER, varint(2, 2)));
    expectSameSpan(u);
    // Spans of one trace, the last one's column with another trace ID.
    const trace = len(1, Buffer.alloc(16, 7));
    const spans = [1, 2, 3].map((i) => cat(trace, len(2, Buffer.alloc(8, i))));
    let n = 0;
    const visited = roundTrip(
      tracesData([{ resource: RESOURCE, scopes: [{ scope: SCOPE, spans }] }]),
      (c) => {
        if (++n === 3) c.traceId = `${'07'.repeat(15)}08`;
      },
    );
    expect(visited.map((x) => Buffer.from(x.residue))).toEqual([Buffer.alloc(0), Buffer.alloc(0), trace]);
    for (const x of visited) expectSameSpan(x);
  });
});

describe('resource and scope parts', () => {
  it('strip exactly field 2, and rebuildTracesData groups byte-equal parts in order of first appearance', () => {
    const g = new Gen(seededRandom(99));
    const resources = [
      RESOURCE,
      cat(len(1, cat(len(1, cat(len(1, 'service.name'), len(2, len(1, 'cart')))), varint(2, 3)))),
      Buffer.alloc(0),
    ];
    const scopes = [SCOPE, cat(SCOPE, len(3, 'https://s/2')), Buffer.alloc(0)];
    // The same resource in several ResourceSpans and the same scope in several ScopeSpans; every
    // span its own span ID last (the search model skips a span ID it has seen).
    const layout = Array.from({ length: 12 }, () => ({
      resource: g.pick(resources),
      scopes: Array.from({ length: 1 + g.int(3) }, () => ({
        scope: g.pick(scopes),
        spans: Array.from({ length: 1 + g.int(4) }, (_, i) =>
          cat(g.chance(0.5) ? plainSpan(g, i) : anySpan(g), len(2, g.bytes(8))),
        ),
      })),
    }));
    const data = tracesData(layout);
    const parts: { resource: Uint8Array; scope: Uint8Array; span: Uint8Array }[] = [];
    const rebuiltParts: typeof parts = [];
    appendSearchSpans(data, [], new Set(), (view, model) => {
      const resource = resourcePart(view.buf, view.resourceSpansAt, view.resourceSpansEnd);
      const scope = scopePart(view.buf, view.scopeSpansAt, view.scopeSpansEnd);
      const columns = { ...model, traceId: view.idHex(view.traceIdAt, view.traceIdLength) };
      const residue = spanResidue(view.buf, view.spanAt, view.spanEnd, columns);
      parts.push({ resource, scope, span: Buffer.from(view.buf.subarray(view.spanAt, view.spanEnd)) });
      rebuiltParts.push({ resource, scope, span: rebuildSpan(columns, residue) });
    });

    // Exactly field 2 stripped: the parts are the messages' other fields.
    const original = decode(data, TRACES_DATA_SCHEMA).resource_spans as Decoded[];
    const byPart = new Set(parts.map((p) => hex(p.resource)));
    for (const rs of original) {
      const { scope_spans: _, ...rest } = rs;
      expect(
        [...byPart].some(
          (p) =>
            JSON.stringify(decode(Buffer.from(p, 'hex'), RESOURCE_SPANS_SCHEMA)) === JSON.stringify(rest),
        ),
      ).toBe(true);
    }
    for (const p of parts) {
      expect(decode(p.resource, RESOURCE_SPANS_SCHEMA).scope_spans).toBeUndefined();
      expect(decode(p.scope, SCOPE_SPANS_SCHEMA).spans).toBeUndefined();
    }
    expect(hex(parts[0].resource)).toBe(hex(RESOURCE));
    const scopeSpans = cat(len(2, 'span'), SCOPE, len(2, 'span'), len(3, 'u'));
    expect(hex(scopePart(scopeSpans, 0, scopeSpans.length))).toBe(hex(cat(SCOPE, len(3, 'u'))));

    const triples = (d: Uint8Array) =>
      (decode(d, TRACES_DATA_SCHEMA).resource_spans as Decoded[]).flatMap((rs) =>
        ((rs.scope_spans ?? []) as Decoded[]).flatMap((ss) =>
          ((ss.spans ?? []) as Decoded[]).map((span) =>
            JSON.stringify([rs.resource, rs.schema_url, ss.scope, ss.schema_url, span]),
          ),
        ),
      );
    for (const input of [parts, rebuiltParts]) {
      const rebuilt = rebuildTracesData(input);
      expect(triples(rebuilt).sort()).toEqual(triples(data).sort());
      const groups = decode(rebuilt, TRACES_DATA_SCHEMA).resource_spans as Decoded[];
      expect(groups).toHaveLength(new Set(input.map((p) => hex(p.resource))).size);
      // In order of first appearance, one ScopeSpans per distinct scope part within each.
      const firstResources = [...new Set(input.map((p) => hex(p.resource)))];
      expect(groups.map((rs) => JSON.stringify([rs.resource, rs.schema_url]))).toEqual(
        firstResources.map((r) => {
          const d = decode(Buffer.from(r, 'hex'), RESOURCE_SPANS_SCHEMA);
          return JSON.stringify([d.resource, d.schema_url]);
        }),
      );
      for (const [i, rs] of groups.entries()) {
        const scopesHere = new Set(
          input.filter((p) => hex(p.resource) === firstResources[i]).map((p) => hex(p.scope)),
        );
        expect((rs.scope_spans as Decoded[]).length).toBe(scopesHere.size);
      }
    }
    expect(rebuildTracesData([])).toHaveLength(0);
  });
});
