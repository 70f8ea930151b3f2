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
interface ScopeSpec {
  scope: string;
  spans: SpanSpec[];
}
interface ResourceSpec {
  service: string;
  schemaUrl?: string;
  scopes: ScopeSpec[];
}

/** TracesData holding the given resources, scopes and spans, in that order. */
function encode(resources: ResourceSpec[]): Buffer {
  const message = TracesData.fromObject({
    resourceSpans: resources.map((rs) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: rs.service } }] },
      schemaUrl: rs.schemaUrl ?? SCHEMA_URL,
      scopeSpans: rs.scopes.map((ss) => ({
        scope: { name: ss.scope, version: '1.0.0' },
        spans: ss.spans.map((s) => ({
          traceId: TRACE_ID,
          spanId: Buffer.from(s.id.toString(16).padStart(16, '0'), 'hex'),
          name: s.name ?? `span ${s.id}`,
          startTimeUnixNano: String(BigInt(s.startMs ?? MS + s.id) * 1_000_000n),
          endTimeUnixNano: String(BigInt(s.endMs ?? MS + s.id + 10) * 1_000_000n),
        })),
      })),
    })),
  });
  return Buffer.from(TracesData.encode(message).finish());
}

/** TracesData with one resource per service, each with the single scope `manual`. */
function part(services: Record<string, SpanSpec[]>): Buffer {
  return encode(
    Object.entries(services).map(([service, spans]) => ({ service, scopes: [{ scope: 'manual', spans }] })),
  );
}

interface Decoded {
  resourceSpans?: {
    resource: { attributes: { value: { stringValue: string } }[] };
    schemaUrl?: string;
    scopeSpans: { scope: { name: string; version: string }; spans: { name: string }[] }[];
  }[];
}

/** Every resource with its schema URL, and every scope with the names of its spans. */
function read(data: Uint8Array) {
  const trace = TracesData.toObject(TracesData.decode(data), { longs: String }) as Decoded;
  return (trace.resourceSpans ?? []).map((rs) => ({
    service: rs.resource.attributes[0].value.stringValue,
    schemaUrl: rs.schemaUrl,
    scopes: rs.scopeSpans.map((ss) => ({
      scope: `${ss.scope.name}@${ss.scope.version}`,
      spans: ss.spans.map((s) => s.name),
    })),
  }));
}

/** Each resource's service with the names of all its spans. */
function services(data: Uint8Array) {
  return read(data).map((rs) => ({ service: rs.service, spans: rs.scopes.flatMap((ss) => ss.spans) }));
}

describe('combineTraceParts', () => {
  it('stores a resource and its scope once when its spans arrived in several parts', () => {
    const parts = [
      part({ frontend: [{ id: 1 }, { id: 2 }] }),
      part({ frontend: [{ id: 3 }] }),
      part({ frontend: [{ id: 4 }, { id: 5 }] }),
    ];
    const combined = combineTraceParts(parts, 0);
    expect(read(combined.data)).toEqual([
      {
        service: 'frontend',
        schemaUrl: SCHEMA_URL,
        scopes: [{ scope: 'manual@1.0.0', spans: ['span 1', 'span 2', 'span 3', 'span 4', 'span 5'] }],
      },
    ]);
    expect(combined.spanCount).toBe(5);
    // As small as if all the spans had come in one request.
    expect(combined.data.length).toBe(part({ frontend: [1, 2, 3, 4, 5].map((id) => ({ id })) }).length);
  });

  it('keeps different resources apart, in order of first appearance, each with its spans in arrival order', () => {
    const parts = [
      part({ frontend: [{ id: 1 }], checkout: [{ id: 2 }] }),
      part({ checkout: [{ id: 3 }], cart: [{ id: 4 }], frontend: [{ id: 5 }] }),
      part({ cart: [{ id: 6 }] }),
    ];
    expect(services(combineTraceParts(parts, 0).data)).toEqual([
      { service: 'frontend', spans: ['span 1', 'span 5'] },
      { service: 'checkout', spans: ['span 2', 'span 3'] },
      { service: 'cart', spans: ['span 4', 'span 6'] },
    ]);
  });

  it('keeps resources apart when only their schema URL differs', () => {
    const old = 'https://opentelemetry.io/schemas/1.9.0';
    const parts = [
      encode([{ service: 'frontend', schemaUrl: old, scopes: [{ scope: 'manual', spans: [{ id: 1 }] }] }]),
      encode([{ service: 'frontend', scopes: [{ scope: 'manual', spans: [{ id: 2 }] }] }]),
      encode([{ service: 'frontend', schemaUrl: old, scopes: [{ scope: 'manual', spans: [{ id: 3 }] }] }]),
    ];
    expect(read(combineTraceParts(parts, 0).data)).toEqual([
      {
        service: 'frontend',
        schemaUrl: old,
        scopes: [{ scope: 'manual@1.0.0', spans: ['span 1', 'span 3'] }],
      },
      { service: 'frontend', schemaUrl: SCHEMA_URL, scopes: [{ scope: 'manual@1.0.0', spans: ['span 2'] }] },
    ]);
  });

  it('merges a resource seen in several parts but keeps its different scopes apart', () => {
    const parts = [
      encode([{ service: 'checkout', scopes: [{ scope: 'http', spans: [{ id: 1 }] }] }]),
      encode([
        {
          service: 'checkout',
          scopes: [
            { scope: 'db', spans: [{ id: 2 }] },
            { scope: 'http', spans: [{ id: 3 }] },
          ],
        },
      ]),
      encode([{ service: 'checkout', scopes: [{ scope: 'db', spans: [{ id: 4 }] }] }]),
    ];
    expect(read(combineTraceParts(parts, 0).data)).toEqual([
      {
        service: 'checkout',
        schemaUrl: SCHEMA_URL,
        scopes: [
          { scope: 'http@1.0.0', spans: ['span 1', 'span 3'] },
          { scope: 'db@1.0.0', spans: ['span 2', 'span 4'] },
        ],
      },
    ]);
  });

  it('keeps the first copy of a span seen twice', () => {
    const older = part({ frontend: [{ id: 1 }, { id: 2 }], checkout: [{ id: 3 }] });
    const newer = part({ checkout: [{ id: 3, name: 'late duplicate' }, { id: 4 }], frontend: [{ id: 2 }] });
    const combined = combineTraceParts([older, newer, older], 0);
    expect(services(combined.data)).toEqual([
      { service: 'frontend', spans: ['span 1', 'span 2'] },
      { service: 'checkout', spans: ['span 3', 'span 4'] },
    ]);
    expect(combined.spanCount).toBe(4);
    expect(combined.truncated).toBe(false);
  });

  it('drops resources and scopes whose spans were all duplicates', () => {
    const first = part({ frontend: [{ id: 1 }] });
    const again = encode([
      {
        service: 'frontend',
        scopes: [
          { scope: 'other', spans: [{ id: 1 }] },
          { scope: 'manual', spans: [{ id: 1 }] },
        ],
      },
      { service: 'auth', scopes: [{ scope: 'manual', spans: [{ id: 1 }] }] },
      { service: 'checkout', scopes: [{ scope: 'manual', spans: [{ id: 2 }] }] },
    ]);
    const combined = combineTraceParts([first, again, first], 0);
    expect(read(combined.data)).toEqual([
      { service: 'frontend', schemaUrl: SCHEMA_URL, scopes: [{ scope: 'manual@1.0.0', spans: ['span 1'] }] },
      { service: 'checkout', schemaUrl: SCHEMA_URL, scopes: [{ scope: 'manual@1.0.0', spans: ['span 2'] }] },
    ]);
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
    const parts = [part({ a: [{ id: 1 }, { id: 2 }, { id: 3 }] }), part({ b: [{ id: 4 }, { id: 5 }] })];
    const whole = combineTraceParts(parts, 0);
    expect(combineTraceParts(parts, whole.data.length)).toMatchObject({ truncated: false, spanCount: 5 });

    for (let maxBytes = 1; maxBytes < whole.data.length; maxBytes += 7) {
      const cut = combineTraceParts(parts, maxBytes);
      expect(cut.truncated).toBe(true);
      expect(cut.data.length).toBeLessThanOrEqual(maxBytes);
      const names = services(cut.data).flatMap((rs) => rs.spans);
      expect(names).toEqual(['span 1', 'span 2', 'span 3', 'span 4', 'span 5'].slice(0, cut.spanCount));
    }
  });

  it('keeps exactly the arrival-order spans that fit under maxBytes when merging resources and scopes', () => {
    // Long names push span, scope and resource lengths past 127, where their prefixes grow a byte.
    const long = (id: number, length: number) => ({ id, name: `${id}:${'x'.repeat(length)}` });
    const input: ResourceSpec[][] = [
      [
        { service: 'a', scopes: [{ scope: 'http', spans: [{ id: 1 }, long(2, 90)] }] },
        { service: 'b', scopes: [{ scope: 'http', spans: [{ id: 3 }] }] },
      ],
      [
        { service: 'b', scopes: [{ scope: 'http', spans: [{ id: 3 }, long(4, 200)] }] },
        {
          service: 'a',
          scopes: [
            { scope: 'db', spans: [long(5, 40)] },
            { scope: 'http', spans: [{ id: 1 }, long(6, 60), { id: 7 }] },
          ],
        },
      ],
      [
        { service: 'c', scopes: [{ scope: 'http', spans: [long(8, 16_500)] }] },
        { service: 'a', scopes: [{ scope: 'db', spans: [{ id: 9 }, long(10, 30)] }] },
      ],
    ];
    const parts = input.map(encode);

    // What the result should be after the first `count` new spans: the same grouping, built by
    // the protobuf library rather than by the code under test.
    const arrivals: { service: string; scope: string; span: SpanSpec }[] = [];
    const seen = new Set<number>();
    for (const rs of input.flat()) {
      for (const ss of rs.scopes) {
        for (const span of ss.spans) {
          if (seen.has(span.id)) continue;
          seen.add(span.id);
          arrivals.push({ service: rs.service, scope: ss.scope, span });
        }
      }
    }
    const expected = (count: number): Buffer => {
      const resources: ResourceSpec[] = [];
      for (const { service, scope, span } of arrivals.slice(0, count)) {
        let rs = resources.find((r) => r.service === service);
        if (!rs) {
          rs = { service, scopes: [] };
          resources.push(rs);
        }
        let ss = rs.scopes.find((s) => s.scope === scope);
        if (!ss) {
          ss = { scope, spans: [] };
          rs.scopes.push(ss);
        }
        ss.spans.push(span);
      }
      return encode(resources);
    };
    const sizes = arrivals.map((_, i) => expected(i + 1).length);
    const whole = combineTraceParts(parts, 0);
    expect(whole.spanCount).toBe(arrivals.length);
    expect(whole.data.length).toBe(sizes[sizes.length - 1]);
    expect(read(whole.data)).toEqual(read(expected(arrivals.length)));

    const limits = new Set<number>([1, 2, whole.data.length - 1, whole.data.length, whole.data.length + 1]);
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
      expect(read(cut.data)).toEqual(read(expected(fits)));
    }
  });

  it('gives an empty trace for no parts or empty parts', () => {
    expect(combineTraceParts([], 0)).toMatchObject({ spanCount: 0, truncated: false, startMs: 0, endMs: 0 });
    expect(combineTraceParts([Buffer.alloc(0)], 100).data.length).toBe(0);
  });

  it('keeps fields it does not know in resources and spans, merging only resources whose fields all match', () => {
    const fragment = (extension: string, spanId: string) => {
      const w = new ProtoWriter();
      w.openMessage(1).stringField(42, extension);
      w.openMessage(2)
        .openMessage(2)
        .bytesField(2, Buffer.from(spanId, 'hex'))
        .stringField(99, `span-extension-${spanId}`);
      w.closeMessage().closeMessage().closeMessage();
      return w.finish();
    };
    const combined = combineTraceParts(
      [
        fragment('kept-extension', '0000000000000001'),
        fragment('other-extension', '0000000000000002'),
        fragment('kept-extension', '0000000000000003'),
      ],
      0,
    );
    const trace = TracesData.decode(combined.data) as unknown as { resourceSpans: unknown[] };
    expect(trace.resourceSpans).toHaveLength(2);
    expect(combined.spanCount).toBe(3);
    expect(combined.data.indexOf('kept-extension')).toBe(combined.data.lastIndexOf('kept-extension'));
    expect(combined.data.includes('other-extension')).toBe(true);
    for (const id of ['0000000000000001', '0000000000000002', '0000000000000003']) {
      expect(combined.data.includes(`span-extension-${id}`)).toBe(true);
    }
  });
});
