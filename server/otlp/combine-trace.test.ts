import { combineTraceParts } from './combine-trace';
import { ProtoWriter } from './proto-writer';
import { otlpProtoTypes } from './protobuf-root';

const { TracesData } = otlpProtoTypes();
const TRACE_ID = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
const MS = 1_736_942_400_000;

interface SpanSpec {
  id: number;
  name?: string;
  startMs?: number;
  endMs?: number;
}

/** TracesData with one resource per service and one scope, holding the given spans. */
function part(services: Record<string, SpanSpec[]>): Buffer {
  const message = TracesData.fromObject({
    resourceSpans: Object.entries(services).map(([service, spans]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: 'manual' },
          spans: spans.map((s) => ({
            traceId: TRACE_ID,
            spanId: Buffer.from(s.id.toString(16).padStart(16, '0'), 'hex'),
            name: s.name ?? `span ${s.id}`,
            startTimeUnixNano: String(BigInt(s.startMs ?? MS + s.id) * 1_000_000n),
            endTimeUnixNano: String(BigInt(s.endMs ?? MS + s.id + 10) * 1_000_000n),
          })),
        },
      ],
    })),
  });
  return Buffer.from(TracesData.encode(message).finish());
}

interface Decoded {
  resourceSpans: {
    resource: { attributes: { value: { stringValue: string } }[] };
    scopeSpans: { spans: { name: string }[] }[];
  }[];
}

function read(data: Uint8Array) {
  const trace = TracesData.toObject(TracesData.decode(data), { longs: String }) as Decoded;
  return (trace.resourceSpans ?? []).map((rs) => ({
    service: rs.resource.attributes[0].value.stringValue,
    spans: rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.name)),
  }));
}

describe('combineTraceParts', () => {
  it('merges parts, keeping the first copy of a span seen twice', () => {
    const older = part({ frontend: [{ id: 1 }, { id: 2 }], checkout: [{ id: 3 }] });
    const newer = part({ checkout: [{ id: 3, name: 'late duplicate' }, { id: 4 }] });
    const combined = combineTraceParts([older, newer], 0);
    expect(read(combined.data)).toEqual([
      { service: 'frontend', spans: ['span 1', 'span 2'] },
      { service: 'checkout', spans: ['span 3'] },
      { service: 'checkout', spans: ['span 4'] },
    ]);
    expect(combined.spanCount).toBe(4);
    expect(combined.truncated).toBe(false);
  });

  it('drops resources and scopes whose spans were all duplicates', () => {
    const first = part({ frontend: [{ id: 1 }] });
    const again = part({ frontend: [{ id: 1 }], checkout: [{ id: 2 }] });
    const combined = combineTraceParts([first, again, first], 0);
    expect(read(combined.data)).toEqual([
      { service: 'frontend', spans: ['span 1'] },
      { service: 'checkout', spans: ['span 2'] },
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
      const names = read(cut.data).flatMap((rs) => rs.spans);
      expect(names).toEqual(['span 1', 'span 2', 'span 3', 'span 4', 'span 5'].slice(0, cut.spanCount));
    }
  });

  it('gives an empty trace for no parts or empty parts', () => {
    expect(combineTraceParts([], 0)).toMatchObject({ spanCount: 0, truncated: false, startMs: 0, endMs: 0 });
    expect(combineTraceParts([Buffer.alloc(0)], 100).data.length).toBe(0);
  });

  it('keeps fields it does not know in resources and spans', () => {
    const w = new ProtoWriter();
    w.openMessage(1).stringField(42, 'kept-extension');
    w.openMessage(2)
      .openMessage(2)
      .bytesField(2, Buffer.from('0000000000000001', 'hex'))
      .stringField(99, 'span-extension');
    w.closeMessage().closeMessage().closeMessage();
    const combined = combineTraceParts([w.finish()], 0);
    expect(combined.data.includes('kept-extension')).toBe(true);
    expect(combined.data.includes('span-extension')).toBe(true);
  });
});
