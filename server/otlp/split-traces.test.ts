import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { ProtoWriter } from './proto-writer';
import { otlpProtoTypes } from './protobuf-root';
import { splitTracesByTraceId } from './split-traces';

const types = otlpProtoTypes();
const toJson = { longs: String, enums: String, bytes: String };

interface PlainSpan {
  traceId: string;
  spanId: string;
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
}
interface PlainTrace {
  resourceSpans: {
    resource?: unknown;
    schemaUrl?: string;
    scopeSpans: { scope?: unknown; spans: PlainSpan[] }[];
  }[];
}

function decode(type: typeof types.TracesData, data: Uint8Array): PlainTrace {
  return type.toObject(type.decode(data), toJson) as PlainTrace;
}

/** (resource, scope, span) of every span, as protobufjs sees them. */
function flatten(trace: PlainTrace) {
  return trace.resourceSpans.flatMap((rs) =>
    (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((span) => ({
        resource: rs.resource,
        schemaUrl: rs.schemaUrl,
        scope: ss.scope,
        span,
      })),
    ),
  );
}

const hexOf = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

function requestWith(spans: Record<string, unknown>[]): Buffer {
  const message = types.ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: 'manual' }, spans }],
      },
    ],
  });
  return Buffer.from(types.ExportTraceServiceRequest.encode(message).finish());
}

const id = (hex: string) => Buffer.from(hex, 'hex');
const TRACE_A = '0af7651916cd43dd8448eb211c80319c';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('splitTracesByTraceId', () => {
  it('gives each trace of a request its own fragment holding exactly its spans, resources and scopes', () => {
    const { requests } = generateTraceRequests({
      traces: 40,
      spansPerTrace: [2, 15],
      spansPerRequest: 60,
      seed: 11,
    });
    for (const request of requests) {
      const original = flatten(decode(types.ExportTraceServiceRequest, request));
      const split = splitTracesByTraceId(request);

      const expectedKeys = [...new Set(original.map((o) => hexOf(o.span.traceId)))];
      expect(split.fragments.map((f) => f.key).sort()).toEqual(expectedKeys.sort());
      expect(split.acceptedSpans).toBe(original.length);
      expect(split.rejectedSpans).toBe(0);

      for (const fragment of split.fragments) {
        const mine = original.filter((o) => hexOf(o.span.traceId) === fragment.key);
        expect(flatten(decode(types.TracesData, fragment.data))).toEqual(mine);
        expect(fragment.traceId.toString('hex')).toBe(fragment.key);
        expect(fragment.spanCount).toBe(mine.length);
        expect(fragment.startMs).toBe(Math.min(...mine.map((o) => Number(o.span.startTimeUnixNano) / 1e6)));
        expect(fragment.endMs).toBe(Math.max(...mine.map((o) => Number(o.span.endTimeUnixNano) / 1e6)));
      }
    }
  });

  it('keeps fields it does not know, in spans, scopes and resources, byte for byte', () => {
    const span = Buffer.concat([
      Buffer.from(
        types.Span.encode(
          types.Span.fromObject({ traceId: id(TRACE_A), spanId: id('00f067aa0ba902b7') }),
        ).finish(),
      ),
      Buffer.from([0xf8, 0x06, 0x2a]), // field 111, varint 42
    ]);
    const w = new ProtoWriter();
    w.openMessage(1);
    w.openMessage(1).stringField(77, 'resource-extension').closeMessage();
    w.openMessage(2).stringField(88, 'scope-extension').bytesField(2, span).closeMessage();
    w.stringField(99, 'resource-spans-extension');
    w.closeMessage();
    const [fragment] = splitTracesByTraceId(w.finish()).fragments;
    for (const needle of ['resource-extension', 'scope-extension', 'resource-spans-extension']) {
      expect(fragment.data.includes(needle)).toBe(true);
    }
    expect(fragment.data.includes(span)).toBe(true);
  });

  it('rejects spans with invalid IDs, says why, and keeps the valid spans of the same request', () => {
    const spanId = id('00f067aa0ba902b7');
    const request = requestWith([
      { traceId: id(TRACE_A), spanId, name: 'kept' },
      { traceId: id(TRACE_A).subarray(0, 15), spanId, name: 'short trace id' },
      { spanId, name: 'no trace id' },
      { traceId: Buffer.alloc(16), spanId, name: 'zero trace id' },
      { traceId: id(TRACE_B), spanId: spanId.subarray(0, 7), name: 'short span id' },
      { traceId: id(TRACE_B), spanId: Buffer.alloc(8), name: 'zero span id' },
      { traceId: id(TRACE_B), spanId, name: 'also kept' },
    ]);
    const split = splitTracesByTraceId(request);
    expect(split.acceptedSpans).toBe(2);
    expect(split.rejectedSpans).toBe(5);
    expect(split.rejectReasons).toEqual([
      '2 spans with a trace_id that is not 16 bytes',
      '1 span with an all-zero trace_id',
      '1 span with a span_id that is not 8 bytes',
      '1 span with an all-zero span_id',
    ]);
    const names = split.fragments.map((f) =>
      flatten(decode(types.TracesData, f.data)).map((o) => (o.span as { name?: string }).name),
    );
    expect(names).toEqual([['kept'], ['also kept']]);
  });

  it('keeps at most 64 KiB of a large request alive per fragment', () => {
    const { requests, spanCount } = generateTraceRequests({
      traces: 200,
      spansPerTrace: 10,
      spansPerRequest: 2000,
      seed: 8,
    });
    const split = splitTracesByTraceId(requests[0]);
    expect(split.acceptedSpans).toBe(spanCount);
    expect(requests[0].length).toBeGreaterThan(256 * 1024);
    for (const fragment of split.fragments) {
      expect(fragment.data.buffer.byteLength).toBeLessThanOrEqual(Math.max(64 * 1024, fragment.data.length));
      const spans = flatten(decode(types.TracesData, fragment.data));
      expect(spans).toHaveLength(fragment.spanCount);
      expect(spans.every((o) => hexOf(o.span.traceId) === fragment.key)).toBe(true);
    }
  });

  it('returns no fragments for an empty request', () => {
    expect(splitTracesByTraceId(Buffer.alloc(0))).toEqual({
      fragments: [],
      acceptedSpans: 0,
      rejectedSpans: 0,
      rejectReasons: [],
    });
  });

  it('returns fragments that stay valid after the request buffer is reused', () => {
    const { requests } = generateTraceRequests({ traces: 3, spansPerTrace: 4, spansPerRequest: 12, seed: 5 });
    const request = Buffer.from(requests[0]);
    const before = splitTracesByTraceId(request).fragments.map((f) => Buffer.from(f.data));
    const fragments = splitTracesByTraceId(request).fragments;
    request.fill(0);
    splitTracesByTraceId(
      generateTraceRequests({ traces: 5, spansPerTrace: 9, spansPerRequest: 45, seed: 6 }).requests[0],
    );
    expect(fragments.map((f) => Buffer.from(f.data))).toEqual(before);
  });
});
