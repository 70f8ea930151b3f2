import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../otlp/proto-writer';
import { splitTracesByTraceId } from '../../otlp/split-traces';
import { searchTraceFromOtlp } from '../../search-model/otlp-to-search';
import type { SearchTrace } from '../../search-model/search-trace';
import { LocalBackend } from '../backend/local-backend';
import { blockObjectKey } from '../block-keys';
import { COLUMN, MAX_DEDICATED_RESOURCE_COLUMNS, MAX_DEDICATED_SPAN_COLUMNS } from './search-layout';
import { buildSearchObjects } from './search-sidecar';
import { SidecarReader } from './sidecar-reader';
import { ALL_COLUMNS, planColumns, tracesFromColumns } from './sidecar-traces';

/**
 * Attribute values of every OTLP type, on spans, resources, events and links, through the
 * sidecar and back: equal whichever column (dedicated or `*_other` JSON) their key landed in.
 */

type Value = string | number | boolean | number[];
type Attrs = Record<string, Value>;
const TENANT = 'attributes';
const T0 = 1_736_942_400_000_000_000n; // 2025-01-15T12:00:00Z in ns

/** A KeyValue of any OTLP type: whole numbers as int64, others double; `doubles` keys always double. */
function kv(w: ProtoWriter, field: number, key: string, value: Value, double = false): void {
  w.openMessage(field).stringField(1, key).openMessage(2);
  if (Array.isArray(value)) {
    w.openMessage(5);
    for (const item of value) w.openMessage(1).tag(3, 0).varintBig(BigInt(item)).closeMessage();
    w.closeMessage();
  } else if (typeof value === 'string') w.stringField(1, value);
  else if (typeof value === 'boolean') w.varintField(2, value ? 1 : 0);
  else if (Number.isInteger(value) && !double) w.tag(3, 0).varintBig(BigInt(value));
  else w.doubleField(4, value);
  w.closeMessage().closeMessage();
}

interface Span {
  id: string;
  parent?: string;
  name: string;
  kind?: number;
  startNs: bigint;
  durationNs: bigint;
  attrs?: Attrs;
  doubles?: Record<string, number>;
  status?: [code: number, message: string];
  events?: [name: string, atNs: bigint, attrs: Attrs][];
  links?: [traceId: string, spanId: string, attrs: Attrs][];
}

/** One ExportTraceServiceRequest of `traceId`: resources (by attributes), each with its spans. */
function encode(traceId: string, resources: [Attrs, Span[]][]): Buffer {
  const w = new ProtoWriter();
  const id = (h: string) => Buffer.from(h, 'hex');
  for (const [resource, spans] of resources) {
    w.openMessage(1).openMessage(1);
    for (const [k, v] of Object.entries(resource)) kv(w, 1, k, v);
    w.closeMessage().openMessage(2).openMessage(1).stringField(1, 'attributes-test').closeMessage();
    for (const s of spans) {
      w.openMessage(2).bytesField(1, id(traceId)).bytesField(2, id(s.id));
      if (s.parent) w.bytesField(4, id(s.parent));
      w.stringField(5, s.name).varintField(6, s.kind ?? 1);
      w.tag(7, 1).fixed64Big(T0 + s.startNs);
      w.tag(8, 1).fixed64Big(T0 + s.startNs + s.durationNs);
      for (const [k, v] of Object.entries(s.attrs ?? {})) kv(w, 9, k, v);
      for (const [k, v] of Object.entries(s.doubles ?? {})) kv(w, 9, k, v, true);
      for (const [name, atNs, attrs] of s.events ?? []) {
        w.openMessage(11)
          .tag(1, 1)
          .fixed64Big(T0 + s.startNs + atNs);
        w.stringField(2, name);
        for (const [k, v] of Object.entries(attrs)) kv(w, 3, k, v);
        w.closeMessage();
      }
      for (const [linkTrace, linkSpan, attrs] of s.links ?? []) {
        w.openMessage(13).bytesField(1, id(linkTrace)).bytesField(2, id(linkSpan));
        for (const [k, v] of Object.entries(attrs)) kv(w, 4, k, v);
        w.closeMessage();
      }
      if (s.status) w.openMessage(15).stringField(2, s.status[1]).varintField(3, s.status[0]).closeMessage();
      w.closeMessage();
    }
    w.closeMessage().closeMessage();
  }
  return w.finish();
}

const TYPED = 'aa'.repeat(16);
const ORPHAN = 'bb'.repeat(16);
const wide = (prefix: string, n: number): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(2, '0')}`, `v${i}`]),
  );
const SCALARS = { str: 'hi', int: 42, neg: -17, big: 5_000_000_123, dbl: 0.125, yes: true, no: false, e: '' };
const RESOURCE = { 'service.name': 'typed-svc', 'r.int': 7, 'r.bool': true, 'r.double': 2.5, 'r.neg': -3 };
const EVENT_ATTRS = { 'exception.type': 'E', count: 3, ratio: 0.5, fatal: true };
const LINK_ATTRS = { reason: 'follows', weight: 1.5, n: 2, ok: false };

/** Every attribute type everywhere; more keys than the column caps; a string/int key; an int/double key. */
const typedRequest = () =>
  encode(TYPED, [
    [
      { ...RESOURCE, ...wide('wide.r', 40) },
      [
        {
          id: '0000000000000a01',
          name: 'root op',
          kind: 2,
          startNs: 60_000_000_000n,
          durationNs: 5_000_000n,
          attrs: {
            ...SCALARS,
            uni: 'naïve ✓ 日本',
            arr: [1, 2],
            mixed: 'text',
            numeric: 1,
            ...wide('wide.s', 70),
          },
          status: [2, 'boom: it broke'],
          events: [['exception', 1000n, EVENT_ATTRS]],
          links: [['cc'.repeat(16), '00000000000000cc', LINK_ATTRS]],
        },
      ],
    ],
    [
      { 'service.name': 'other-svc' },
      [
        {
          id: '0000000000000a02',
          parent: '0000000000000a01',
          name: 'child op',
          kind: 3,
          startNs: 60_000_100_000n,
          durationNs: 1_000_000n,
          attrs: { mixed: 12, numeric: 2.5 },
          status: [1, 'fine'],
          events: [['retry', 5n, {}]],
        },
      ],
    ],
  ]);

/** Spans whose parent never arrived: no root. */
const orphan = (id: string, parent: string, startNs: bigint): Span => ({
  id,
  parent,
  name: id,
  startNs,
  durationNs: 10n,
});
const orphanRequest = () =>
  encode(ORPHAN, [
    [
      { 'service.name': 'late-svc' },
      [
        orphan('0000000000000b01', '00000000000000ff', 500n),
        orphan('0000000000000b02', '0000000000000b01', 600n),
      ],
    ],
  ]);

let dir: string;
let reader: SidecarReader;
let expected: Map<string, SearchTrace>;
let readBack: SearchTrace[];

/** Writes the search objects of a block of `requests` (one trace each) and reads every trace back through a fresh reader. */
async function roundTrip(requests: Buffer[], blockId: string) {
  const fragments = requests.flatMap((request) => splitTracesByTraceId(request).fragments);
  const objects = buildSearchObjects(fragments.map((f) => ({ ...f, truncated: false })));
  if (!objects) throw new Error('no sidecar built');
  const backend = new LocalBackend(dir);
  for (const { name, data } of objects.objects)
    await backend.write(blockObjectKey(TENANT, blockId, name), data);
  const sidecar = new SidecarReader(backend, TENANT, blockId, objects.meta.parquetBytes);
  const summary = await sidecar.summary();
  const plan = planColumns(ALL_COLUMNS, summary);
  const traces = tracesFromColumns(
    await sidecar.readColumns(plan.columns, 0, summary.rows),
    summary.rows,
    plan,
  );
  const decoded = new Map(fragments.map((f) => [f.key, searchTraceFromOtlp(f.key, [f.data])]));
  return { expected: decoded, reader: sidecar, traces };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-sidecar-'));
  ({ expected, reader, traces: readBack } = await roundTrip([typedRequest(), orphanRequest()], 'typed'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const typed = () => readBack.find((t) => t.traceId === TYPED)!;

describe('search sidecar attributes', () => {
  it('gives back both traces, equal to their OTLP decoding', () => {
    expect(readBack.map((t) => t.traceId)).toEqual([TYPED, ORPHAN]);
    for (const trace of readBack) expect(trace, trace.traceId).toEqual(expected.get(trace.traceId));
  });

  it('keeps every attribute type on spans, resources, events and links, and status messages', () => {
    const [root, child] = typed().spans;
    expect(Object.fromEntries(root.attributes)).toMatchObject({ ...SCALARS, uni: 'naïve ✓ 日本' });
    expect(root.attributes.has('arr')).toBe(false);
    expect(Object.fromEntries(root.resource)).toMatchObject(RESOURCE);
    expect([root.statusCode, root.statusMessage, child.statusCode, child.statusMessage]).toEqual([
      2,
      'boom: it broke',
      1,
      'fine',
    ]);
    const event = {
      name: 'exception',
      timeUnixNano: T0 + 60_000_001_000n,
      attributes: new Map(Object.entries(EVENT_ATTRS)),
    };
    expect(root.events).toEqual([event]);
    expect(child.events.map((e) => [e.name, e.attributes.size])).toEqual([['retry', 0]]);
    const link = {
      traceId: 'cc'.repeat(16),
      spanId: '00000000000000cc',
      attributes: new Map(Object.entries(LINK_ATTRS)),
    };
    expect(root.links).toEqual([link]);
    expect([typed().rootServiceName, typed().rootName, typed().durationNanos]).toEqual([
      'typed-svc',
      'root op',
      5_000_000,
    ]);
  });

  it('finds no root for a trace whose root span never arrived', () => {
    const orphan = readBack.find((t) => t.traceId === ORPHAN)!;
    expect(orphan.spans).toHaveLength(2);
    expect(orphan.rootServiceName).toBeUndefined();
    expect(orphan.rootName).toBeUndefined();
  });

  it('puts keys past the dedicated-column caps in the *_other JSON columns, and they still read back', async () => {
    const summary = await reader.summary();
    const dedicated = (scope: 'span' | 'resource') =>
      Object.values(summary.attributes[scope]).filter((k) => k.column);
    expect(dedicated('span')).toHaveLength(MAX_DEDICATED_SPAN_COLUMNS);
    expect(dedicated('resource')).toHaveLength(MAX_DEDICATED_RESOURCE_COLUMNS);
    const overflow = Object.keys(wide('wide.s', 70)).filter((key) => !summary.attributes.span[key].column);
    expect(overflow.length).toBeGreaterThan(0);
    expect(Object.keys(wide('wide.r', 40)).some((key) => !summary.attributes.resource[key].column)).toBe(
      true,
    );
    const root = typed().spans[0];
    expect(Object.fromEntries(root.attributes)).toMatchObject(wide('wide.s', 70));
    expect(Object.fromEntries(root.resource)).toMatchObject(wide('wide.r', 40));
    // Asking for just one overflow key reads the JSON column and yields that key alone.
    const plan = planColumns(
      { ...ALL_COLUMNS, spanKeys: new Set([overflow[0]]), resourceKeys: new Set() },
      summary,
    );
    expect(plan.columns).toContain(COLUMN.spanOther);
    const one = tracesFromColumns(
      await reader.readColumns(plan.columns, 0, summary.rows),
      summary.rows,
      plan,
    );
    const onlyKey = new Map([[overflow[0], root.attributes.get(overflow[0])]]);
    expect(one.find((t) => t.traceId === TYPED)!.spans[0].attributes).toEqual(onlyKey);
  });

  it('reads back a key whose values mix strings and ints, each with its own type', async () => {
    const summary = await reader.summary();
    expect(summary.attributes.span.mixed.type).toBe('mixed');
    expect(summary.attributes.span.numeric.column).toBe('span.numeric');
    const [root, child] = typed().spans;
    expect([root.attributes.get('mixed'), child.attributes.get('mixed')]).toEqual(['text', 12]);
    expect([root.attributes.get('numeric'), child.attributes.get('numeric')]).toEqual([1, 2.5]);
  });

  it('builds the sidecar of a block holding a whole-number double past int64, which reads back unchanged', async () => {
    const span: Span = { id: '0000000000000d01', name: 'big', startNs: 0n, durationNs: 1n };
    const request = encode('dd'.repeat(16), [
      [{ 'service.name': 'big' }, [{ ...span, doubles: { 'bytes.total': 1e19, 'bytes.small': 3 } }]],
    ]);
    const [trace] = (await roundTrip([request], 'big')).traces;
    expect(trace.spans[0].attributes.get('bytes.small')).toBe(3);
    expect(trace.spans[0].attributes.get('bytes.total')).toBe(1e19);
  });
});
