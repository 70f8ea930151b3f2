import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { otlpProtoTypes } from './protobuf-root';
import { splitTracesByTraceId } from './split-traces';
import { encodeTraceByIdResponse, tracesDataToTempoJson } from './tempo-format';

const types = otlpProtoTypes();
const TRACE_HEX = '0af7651916cd43dd8448eb211c80319c';
const SPAN_HEX = '00f067aa0ba902b7';
const PARENT_HEX = 'b7ad6b7169203331';

interface SpanJson {
  [key: string]: unknown;
  attributes: { key: string; value: unknown }[];
}
interface ResourceSpansJson {
  resource: unknown;
  scopeSpans: { scope: unknown; spans: SpanJson[] }[];
}

function tracesData(object: Record<string, unknown>): Buffer {
  return Buffer.from(types.TracesData.encode(types.TracesData.fromObject(object)).finish());
}

const sample = () =>
  tracesData({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [
          {
            scope: { name: 'io.opentelemetry.go.http', version: '2.4.0' },
            spans: [
              {
                traceId: Buffer.from(TRACE_HEX, 'hex'),
                spanId: Buffer.from(SPAN_HEX, 'hex'),
                parentSpanId: Buffer.from(PARENT_HEX, 'hex'),
                name: 'GET /api/cart',
                kind: 2,
                startTimeUnixNano: '1736942400123456789',
                endTimeUnixNano: '1736942400223456789',
                attributes: [
                  { key: 'http.method', value: { stringValue: 'GET' } },
                  { key: 'http.status_code', value: { intValue: 500 } },
                  { key: 'retries.delta', value: { intValue: '-7' } },
                  { key: 'ratio', value: { doubleValue: 0.25 } },
                  { key: 'cache.hit', value: { boolValue: true } },
                  { key: 'empty.string', value: { stringValue: '' } },
                  { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } } },
                  {
                    key: 'map',
                    value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } },
                  },
                  { key: 'blob', value: { bytesValue: Buffer.from([1, 2, 3]) } },
                ],
                events: [{ timeUnixNano: '1736942400200000000', name: 'exception', attributes: [] }],
                links: [{ traceId: Buffer.from(TRACE_HEX, 'hex'), spanId: Buffer.from(PARENT_HEX, 'hex') }],
                status: { code: 2, message: 'boom' },
              },
              {
                traceId: Buffer.from(TRACE_HEX, 'hex'),
                spanId: Buffer.from(PARENT_HEX, 'hex'),
                name: 'root',
                status: {},
              },
            ],
          },
        ],
      },
    ],
  });

describe('tracesDataToTempoJson', () => {
  it('renders spans as Tempo does: base64 IDs, enum names, int64 as strings, typed attribute values', () => {
    const [rs] = tracesDataToTempoJson(sample()).resourceSpans as ResourceSpansJson[];
    const span = rs.scopeSpans[0].spans[0];
    expect(span).toMatchObject({
      traceId: Buffer.from(TRACE_HEX, 'hex').toString('base64'),
      spanId: Buffer.from(SPAN_HEX, 'hex').toString('base64'),
      parentSpanId: Buffer.from(PARENT_HEX, 'hex').toString('base64'),
      kind: 'SPAN_KIND_SERVER',
      startTimeUnixNano: '1736942400123456789',
      endTimeUnixNano: '1736942400223456789',
      status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
      events: [{ timeUnixNano: '1736942400200000000', name: 'exception' }],
    });
    expect(Object.fromEntries(span.attributes.map((a) => [a.key, a.value]))).toEqual({
      'http.method': { stringValue: 'GET' },
      'http.status_code': { intValue: '500' },
      'retries.delta': { intValue: '-7' },
      ratio: { doubleValue: 0.25 },
      'cache.hit': { boolValue: true },
      'empty.string': { stringValue: '' },
      tags: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '1' }] } },
      map: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } },
      blob: { bytesValue: 'AQID' },
    });
    expect(rs.resource).toEqual({
      attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }],
    });
    expect(rs.scopeSpans[0].scope).toEqual({ name: 'io.opentelemetry.go.http', version: '2.4.0' });
  });

  it('leaves out zero and empty values, but keeps a present empty status', () => {
    const [rs] = tracesDataToTempoJson(sample()).resourceSpans as ResourceSpansJson[];
    const root = rs.scopeSpans[0].spans[1];
    expect(root).toEqual({
      traceId: Buffer.from(TRACE_HEX, 'hex').toString('base64'),
      spanId: Buffer.from(PARENT_HEX, 'hex').toString('base64'),
      name: 'root',
      status: {},
    });
    expect(Object.keys(rs)).toEqual(['resource', 'scopeSpans']);
  });

  it("agrees with protobufjs' JSON mapping on generated traces", () => {
    const { requests } = generateTraceRequests({
      traces: 20,
      spansPerTrace: [3, 20],
      spansPerRequest: 100,
      seed: 21,
    });
    for (const fragment of splitTracesByTraceId(requests[0]).fragments) {
      const viaProtobufjs = types.TracesData.toObject(types.TracesData.decode(fragment.data), {
        longs: String,
        enums: String,
        bytes: String,
      });
      expect(tracesDataToTempoJson(fragment.data)).toEqual(viaProtobufjs);
    }
  });

  it('gives no resource spans for an empty trace', () => {
    expect(tracesDataToTempoJson(Buffer.alloc(0))).toEqual({ resourceSpans: [] });
  });
});

describe('encodeTraceByIdResponse', () => {
  it('decodes as tempopb.TraceByIDResponse holding the trace, as Grafana reads it', () => {
    const body = encodeTraceByIdResponse({ trace: sample(), status: 'COMPLETE' });
    const decoded = types.TraceByIDResponse.toObject(types.TraceByIDResponse.decode(body), {
      enums: String,
      bytes: String,
      longs: String,
      defaults: true,
    });
    expect(decoded.status).toBe('COMPLETE');
    expect(decoded.message).toBe('');
    const spans = decoded.trace.resourceSpans[0].scopeSpans[0].spans;
    expect(spans.map((s: { name: string }) => s.name)).toEqual(['GET /api/cart', 'root']);
    expect(spans[0].traceId).toBe(Buffer.from(TRACE_HEX, 'hex').toString('base64'));
  });

  it('marks a partial trace with its reason', () => {
    const body = encodeTraceByIdResponse({
      trace: sample(),
      status: 'PARTIAL',
      message: 'trace exceeds max_bytes_per_trace',
    });
    const decoded = types.TraceByIDResponse.toObject(types.TraceByIDResponse.decode(body), { enums: String });
    expect(decoded.status).toBe('PARTIAL');
    expect(decoded.message).toBe('trace exceeds max_bytes_per_trace');
  });

  it('holds an empty trace when there is nothing to return', () => {
    const decoded = types.TraceByIDResponse.decode(
      encodeTraceByIdResponse({ trace: Buffer.alloc(0), status: 'COMPLETE' }),
    );
    expect(types.TraceByIDResponse.toObject(decoded, { arrays: true })).toEqual({
      trace: { resourceSpans: [] },
    });
  });
});
