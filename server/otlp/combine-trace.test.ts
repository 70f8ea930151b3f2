import { combineTraceParts } from './combine-trace';
import { ProtoWriter } from './proto-writer';
import { otlpProtoTypes } from './protobuf-root';

const { TracesData } = otlpProtoTypes();
const TRACE_ID = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
const MS = 1_736_942_400_000;
const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.24.0';

interface SpanSpec {
  id: number;
  name?: string;
  startMs?: number;
  endMs?: number;
}
interface ResourceSpec {
  service: string;
  schemaUrl?: string;
  /** Scope name to its spans, given as IDs or in full. */
  scopes: Record<string, (number | SpanSpec)[]>;
}

const spanSpec = (s: number | SpanSpec): SpanSpec => (typeof s === 'number' ? { id: s } : s);

/** TracesData holding the given resources, scopes and spans, in that order. */
function encode(resources: ResourceSpec[]): Buffer {
  const message = TracesData.fromObject({
    resourceSpans: resources.map((rs) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: rs.service } }] },
      schemaUrl: rs.schemaUrl ?? SCHEMA_URL,
      scopeSpans: Object.entries(rs.scopes).map(([scope, spans]) => ({
        scope: { name: scope, version: '1.0.0' },
        spans: spans.map(spanSpec).map((s) => ({
          traceId: TRACE_ID,
          spanId: Buffer.from(s.id.toString(16).padStart(16, '0'), 'hex'),
          name: s.name ?? `s${s.id}`,
          startTimeUnixNano: String(BigInt(s.startMs ?? MS + s.id) * 1_000_000n),
          endTimeUnixNano: String(BigInt(s.endMs ?? MS + s.id + 10) * 1_000_000n),
        })),
      })),
    })),
  });
  return Buffer.from(TracesData.encode(message).finish());
}

/** TracesData with one resource per service, each with the single scope `manual`. */
function part(services: Record<string, (number | SpanSpec)[]>): Buffer {
  return encode(Object.entries(services).map(([service, spans]) => ({ service, scopes: { manual: spans } })));
}

interface Decoded {
  resourceSpans?: {
    resource: { attributes: { value: { stringValue: string } }[] };
    schemaUrl?: string;
    scopeSpans: { scope: { name: string; version: string }; spans: { name: string }[] }[];
  }[];
}

/**
 * One line per ResourceSpans: its service (and schema URL when not the usual one), then each
 * ScopeSpans as `name@version: span names`, e.g. `checkout | http@1.0.0: s1 s3 | db@1.0.0: s2`.
 */
function layout(data: Uint8Array): string[] {
  const trace = TracesData.toObject(TracesData.decode(data)) as Decoded;
  return (trace.resourceSpans ?? []).map((rs) =>
    [
      rs.resource.attributes[0].value.stringValue + (rs.schemaUrl === SCHEMA_URL ? '' : ` <${rs.schemaUrl}>`),
      ...rs.scopeSpans.map(
        (ss) => `${ss.scope.name}@${ss.scope.version}: ${ss.spans.map((s) => s.name).join(' ')}`,
      ),
    ].join(' | '),
  );
}

describe('combineTraceParts', () => {
  it('stores a resource and its scope once when its spans arrived in several parts', () => {
    const combined = combineTraceParts(
      [part({ frontend: [1, 2] }), part({ frontend: [3] }), part({ frontend: [4, 5] })],
      0,
    );
    expect(layout(combined.data)).toEqual(['frontend | manual@1.0.0: s1 s2 s3 s4 s5']);
    expect(combined.spanCount).toBe(5);
    // As small as if all the spans had come in one request.
    expect(combined.data.length).toBe(part({ frontend: [1, 2, 3, 4, 5] }).length);
  });

  it('keeps different resources apart, in order of first appearance, each with its spans in arrival order', () => {
    const parts = [
      part({ frontend: [1], checkout: [2] }),
      part({ checkout: [3], cart: [4], frontend: [5] }),
      part({ cart: [6] }),
    ];
    expect(layout(combineTraceParts(parts, 0).data)).toEqual([
      'frontend | manual@1.0.0: s1 s5',
      'checkout | manual@1.0.0: s2 s3',
      'cart | manual@1.0.0: s4 s6',
    ]);
  });

  it('keeps resources apart when only their schema URL differs', () => {
    const old = 'https://opentelemetry.io/schemas/1.9.0';
    const parts = [
      encode([{ service: 'frontend', schemaUrl: old, scopes: { manual: [1] } }]),
      encode([{ service: 'frontend', scopes: { manual: [2] } }]),
      encode([{ service: 'frontend', schemaUrl: old, scopes: { manual: [3] } }]),
    ];
    expect(layout(combineTraceParts(parts, 0).data)).toEqual([
      `frontend <${old}> | manual@1.0.0: s1 s3`,
      'frontend | manual@1.0.0: s2',
    ]);
  });

  it('merges a resource seen in several parts but keeps its different scopes apart', () => {
    const parts = [
      encode([{ service: 'checkout', scopes: { http: [1] } }]),
      encode([{ service: 'checkout', scopes: { db: [2], http: [3] } }]),
      encode([{ service: 'checkout', scopes: { db: [4] } }]),
    ];
    expect(layout(combineTraceParts(parts, 0).data)).toEqual([
      'checkout | http@1.0.0: s1 s3 | db@1.0.0: s2 s4',
    ]);
  });

  it('merges by header bytes in traces with many resources and scopes', () => {
    const names = Array.from({ length: 12 }, (_, i) => `svc${i}`);
    const manyScopes = (first: number) => Object.fromEntries(names.map((name, i) => [name, [first + i]]));
    const parts = [
      encode(names.map((service, i) => ({ service, scopes: { manual: [i + 1] } }))),
      encode(names.map((service, i) => ({ service, scopes: { manual: [i + 101] } }))),
      encode([
        { service: 'late', scopes: { manual: [200] } },
        { service: 'svc3', scopes: manyScopes(300) },
      ]),
      encode([{ service: 'svc3', scopes: manyScopes(400) }]),
    ];
    const lines = layout(combineTraceParts(parts, 0).data);
    expect(lines.map((line) => line.split(' | ')[0])).toEqual([...names, 'late']);
    expect(lines[5]).toBe('svc5 | manual@1.0.0: s6 s106');
    expect(lines[3]).toBe(
      ['svc3', 'manual@1.0.0: s4 s104', ...names.map((n, i) => `${n}@1.0.0: s${300 + i} s${400 + i}`)].join(
        ' | ',
      ),
    );
  });

  it('merges resources whose fields match wherever schema_url sits among the scope_spans', () => {
    const fragment = (spanId: number, schemaUrlFirst: boolean) => {
      const w = new ProtoWriter().openMessage(1);
      w.openMessage(1).openMessage(1).stringField(1, 'service.name').openMessage(2).stringField(1, 'web');
      w.closeMessage().closeMessage().closeMessage();
      if (schemaUrlFirst) w.stringField(3, SCHEMA_URL);
      w.openMessage(2).openMessage(1).stringField(1, 'manual').stringField(2, '1.0.0').closeMessage();
      w.openMessage(2)
        .bytesField(1, TRACE_ID)
        .bytesField(2, Buffer.alloc(8, spanId))
        .stringField(5, `s${spanId}`);
      w.closeMessage().closeMessage();
      if (!schemaUrlFirst) w.stringField(3, SCHEMA_URL);
      return w.closeMessage().finish();
    };
    const combined = combineTraceParts([fragment(1, false), fragment(2, true), fragment(3, false)], 0);
    expect(layout(combined.data)).toEqual(['web | manual@1.0.0: s1 s2 s3']);
  });

  it('keeps the first copy of a span seen twice', () => {
    const older = part({ frontend: [1, 2], checkout: [3] });
    const newer = part({ checkout: [{ id: 3, name: 'late duplicate' }, 4], frontend: [2] });
    const combined = combineTraceParts([older, newer, older], 0);
    expect(layout(combined.data)).toEqual([
      'frontend | manual@1.0.0: s1 s2',
      'checkout | manual@1.0.0: s3 s4',
    ]);
    expect(combined.spanCount).toBe(4);
    expect(combined.truncated).toBe(false);
  });

  it('drops resources and scopes whose spans were all duplicates', () => {
    const first = part({ frontend: [1] });
    const again = encode([
      { service: 'frontend', scopes: { other: [1], manual: [1] } },
      { service: 'auth', scopes: { manual: [1] } },
      { service: 'checkout', scopes: { manual: [2] } },
    ]);
    const combined = combineTraceParts([first, again, first], 0);
    expect(layout(combined.data)).toEqual(['frontend | manual@1.0.0: s1', 'checkout | manual@1.0.0: s2']);
  });

  it('reports the time range of the spans it kept', () => {
    const combined = combineTraceParts(
      [
        part({ a: [{ id: 1, startMs: MS + 50, endMs: MS + 60 }] }),
        part({ b: [{ id: 2, startMs: MS + 5, endMs: MS + 30 }] }),
      ],
      0,
    );
    expect(combined.startMs).toBe(MS + 5);
    expect(combined.endMs).toBe(MS + 60);
  });

  it('stops before passing maxBytes, keeps what fitted in order, and says it truncated', () => {
    const parts = [part({ a: [1, 2, 3] }), part({ b: [4, 5] })];
    const whole = combineTraceParts(parts, 0);
    expect(combineTraceParts(parts, whole.data.length)).toMatchObject({ truncated: false, spanCount: 5 });

    for (let maxBytes = 1; maxBytes < whole.data.length; maxBytes += 7) {
      const cut = combineTraceParts(parts, maxBytes);
      expect(cut.truncated).toBe(true);
      expect(cut.data.length).toBeLessThanOrEqual(maxBytes);
      const names = layout(cut.data).flatMap((line) => line.match(/s\d+/g) ?? []);
      expect(names).toEqual(['s1', 's2', 's3', 's4', 's5'].slice(0, cut.spanCount));
    }
  });

  it('keeps exactly the arrival-order spans that fit under maxBytes when merging resources and scopes', () => {
    // Long names push span, scope and resource lengths past 127 and 16383, where prefixes grow.
    const long = (id: number, length: number) => ({ id, name: `s${id}${'x'.repeat(length)}` });
    const input: ResourceSpec[][] = [
      [
        { service: 'a', scopes: { http: [1, long(2, 90)] } },
        { service: 'b', scopes: { http: [3] } },
      ],
      [
        { service: 'b', scopes: { http: [3, long(4, 200)] } },
        { service: 'a', scopes: { db: [long(5, 40)], http: [1, long(6, 60), 7] } },
      ],
      [
        { service: 'c', scopes: { http: [long(8, 16_500)] } },
        { service: 'a', scopes: { db: [9, long(10, 30)] } },
      ],
    ];
    const parts = input.map(encode);

    // The expected result after the first `count` new spans, grouped and encoded by protobufjs.
    const arrivals: { service: string; scope: string; span: SpanSpec }[] = [];
    const seen = new Set<number>();
    for (const rs of input.flat()) {
      for (const [scope, spans] of Object.entries(rs.scopes)) {
        for (const span of spans.map(spanSpec)) {
          if (!seen.has(span.id)) arrivals.push({ service: rs.service, scope, span });
          seen.add(span.id);
        }
      }
    }
    const expected = (count: number): Buffer => {
      const resources: ResourceSpec[] = [];
      for (const { service, scope, span } of arrivals.slice(0, count)) {
        let rs = resources.find((r) => r.service === service);
        if (!rs) {
          rs = { service, scopes: {} };
          resources.push(rs);
        }
        rs.scopes[scope] = [...(rs.scopes[scope] ?? []), span];
      }
      return encode(resources);
    };
    const sizes = arrivals.map((_, i) => expected(i + 1).length);
    const whole = combineTraceParts(parts, 0);
    expect(whole.spanCount).toBe(arrivals.length);
    expect(whole.data.length).toBe(sizes[sizes.length - 1]);
    expect(layout(whole.data)).toEqual(layout(expected(arrivals.length)));

    const limits = new Set<number>([1, 2, whole.data.length + 1]);
    for (const size of sizes) for (let d = -3; d <= 3; d++) if (size + d > 0) limits.add(size + d);
    for (let maxBytes = 1; maxBytes < whole.data.length; maxBytes += 61) limits.add(maxBytes);
    for (const maxBytes of limits) {
      const cut = combineTraceParts(parts, maxBytes);
      const fits = sizes.filter((size) => size <= maxBytes).length;
      expect(cut.spanCount, `maxBytes ${maxBytes}`).toBe(fits);
      expect(cut.truncated).toBe(fits < arrivals.length);
      expect(cut.data.length).toBeLessThanOrEqual(maxBytes);
      expect(cut.data.length).toBe(fits > 0 ? sizes[fits - 1] : 0);
      if (fits < arrivals.length) expect(sizes[fits]).toBeGreaterThan(maxBytes);
      expect(layout(cut.data)).toEqual(layout(expected(fits)));
    }
  });

  it('gives an empty trace for no parts or empty parts', () => {
    expect(combineTraceParts([], 0)).toMatchObject({ spanCount: 0, truncated: false, startMs: 0, endMs: 0 });
    expect(combineTraceParts([Buffer.alloc(0)], 100).data.length).toBe(0);
  });

  it('keeps fields it does not know in resources and spans, merging only resources whose fields all match', () => {
    const fragment = (extension: string, spanId: number) => {
      const w = new ProtoWriter();
      w.openMessage(1).stringField(42, extension);
      w.openMessage(2)
        .openMessage(2)
        .bytesField(2, Buffer.alloc(8, spanId))
        .stringField(99, `span-extension-${spanId}`);
      w.closeMessage().closeMessage().closeMessage();
      return w.finish();
    };
    const parts = [
      fragment('kept-extension', 1),
      fragment('other-extension', 2),
      fragment('kept-extension', 3),
    ];
    const combined = combineTraceParts(parts, 0);
    const trace = TracesData.decode(combined.data) as unknown as { resourceSpans: unknown[] };
    expect(trace.resourceSpans).toHaveLength(2);
    expect(combined.spanCount).toBe(3);
    expect(combined.data.indexOf('kept-extension')).toBe(combined.data.lastIndexOf('kept-extension'));
    expect(combined.data.includes('other-extension')).toBe(true);
    for (const id of [1, 2, 3]) expect(combined.data.includes(`span-extension-${id}`)).toBe(true);
  });
});
