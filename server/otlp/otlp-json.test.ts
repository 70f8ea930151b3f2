import { OtlpDecodeError } from './errors';
import { otlpJsonToProtobuf } from './otlp-json';
import { otlpProtoTypes } from './protobuf-root';
import { splitTracesByTraceId } from './split-traces';
import { MAX_NESTING } from './trace-schema';

const types = otlpProtoTypes();
const TRACE_A = '5B8EFFF798038103D269B633813FC60C';
const TRACE_B = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A request as an OTLP/JSON exporter writes it, with some snake_case and enum names mixed in. */
const exportJson = JSON.stringify({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
      scope_spans: [
        {
          scope: { name: 'manual', version: '1.0.0' },
          spans: [
            {
              traceId: TRACE_A,
              spanId: 'EEE19B7EC3C1B174',
              parentSpanId: '',
              name: 'POST /api/orders',
              kind: 2,
              startTimeUnixNano: '1736942400123456789',
              endTimeUnixNano: 1736942400223456800,
              attributes: [
                { key: 'http.status_code', value: { intValue: '201' } },
                { key: 'order.total', value: { doubleValue: 12.5 } },
                { key: 'payload', value: { bytesValue: 'AQID' } },
                { key: 'big', value: { intValue: '-9223372036854775808' } },
              ],
              status: { code: 'STATUS_CODE_OK' },
              unknownField: { ignored: true },
            },
            {
              trace_id: TRACE_B,
              span_id: 'eee19b7ec3c1b175',
              name: 'SELECT orders',
              kind: 'SPAN_KIND_CLIENT',
              start_time_unix_nano: '1736942400130000000',
              end_time_unix_nano: '1736942400140000000',
            },
            { traceId: 'not-hex-at-all-not-hex-at-all-xx', spanId: 'EEE19B7EC3C1B176', name: 'bad id' },
          ],
        },
      ],
    },
  ],
});

interface SpanObject {
  traceId: string;
  spanId: string;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: string };
}

function spansOf(data: Uint8Array): SpanObject[] {
  const trace = types.TracesData.toObject(types.TracesData.decode(data), {
    longs: String,
    enums: String,
    bytes: String,
  });
  return trace.resourceSpans.flatMap((rs: { scopeSpans: { spans: SpanObject[] }[] }) =>
    rs.scopeSpans.flatMap((ss) => ss.spans),
  );
}

const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('otlpJsonToProtobuf', () => {
  it('gives a protobuf request the splitter reads like the JSON said', () => {
    const split = splitTracesByTraceId(otlpJsonToProtobuf(exportJson, 'traces'));
    expect(split.fragments.map((f) => f.key)).toEqual([TRACE_A.toLowerCase(), TRACE_B]);
    expect(split.rejectedSpans).toBe(1);

    const [order] = spansOf(split.fragments[0].data);
    expect(order.traceId).toBe(hexToBase64(TRACE_A));
    expect(order.spanId).toBe(hexToBase64('EEE19B7EC3C1B174'));
    expect(order.kind).toBe('SPAN_KIND_SERVER');
    expect(order.startTimeUnixNano).toBe('1736942400123456789');
    expect(order.endTimeUnixNano).toBe(String(BigInt(1736942400223456800)));
    expect(order.status).toEqual({ code: 'STATUS_CODE_OK' });
    expect(Object.fromEntries((order.attributes ?? []).map((a) => [a.key, a.value]))).toEqual({
      'http.status_code': { intValue: '201' },
      'order.total': { doubleValue: 12.5 },
      payload: { bytesValue: 'AQID' },
      big: { intValue: '-9223372036854775808' },
    });
    expect(split.fragments[0].startMs).toBe(Number(1736942400123456789n) / 1e6);

    const [query] = spansOf(split.fragments[1].data);
    expect(query).toMatchObject({
      name: 'SELECT orders',
      kind: 'SPAN_KIND_CLIENT',
      startTimeUnixNano: '1736942400130000000',
    });
  });

  it('converts logs and metrics requests too', () => {
    const logs = otlpJsonToProtobuf(
      JSON.stringify({
        resourceLogs: [
          {
            scopeLogs: [
              {
                logRecords: [
                  {
                    timeUnixNano: '1736942400000000001',
                    severityNumber: 'SEVERITY_NUMBER_WARN',
                    body: { stringValue: 'disk 91% full' },
                    traceId: TRACE_B,
                  },
                ],
              },
            ],
          },
        ],
      }),
      'logs',
    );
    const decodedLogs = types.ExportLogsServiceRequest.toObject(types.ExportLogsServiceRequest.decode(logs), {
      longs: String,
      enums: String,
      bytes: String,
    });
    expect(decodedLogs.resourceLogs[0].scopeLogs[0].logRecords[0]).toEqual({
      timeUnixNano: '1736942400000000001',
      severityNumber: 'SEVERITY_NUMBER_WARN',
      body: { stringValue: 'disk 91% full' },
      traceId: hexToBase64(TRACE_B),
    });

    const metrics = otlpJsonToProtobuf(
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  { name: 'queue.depth', gauge: { dataPoints: [{ asInt: '42' }, { asDouble: 'NaN' }] } },
                ],
              },
            ],
          },
        ],
      }),
      'metrics',
    );
    const decodedMetrics = types.ExportMetricsServiceRequest.toObject(
      types.ExportMetricsServiceRequest.decode(metrics),
      { longs: String },
    );
    const points = decodedMetrics.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints;
    expect(points[0].asInt).toBe('42');
    expect(points[1].asDouble).toBeNaN();
  });

  const refusals: [string, string, RegExp][] = [
    ['not JSON', '{"resourceSpans": [}', /^invalid JSON/],
    ['JSON cut short', '{"resourceSpans": [', /^invalid JSON at position 19/],
    ['JSON that is not an object', '[1, 2]', /must be a JSON object/],
    ['resourceSpans that is not an array', '{"resourceSpans": {}}', /^resourceSpans must be an array$/],
    [
      'a span that is not an object',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[42]}]}]}',
      /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\] must be a JSON object$/,
    ],
    [
      'an unknown kind name',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"SPAN_KIND_WEIRD"}]}]}]}',
      /spans\[0\]\.kind must be an integer or one of SPAN_KIND_UNSPECIFIED/,
    ],
    [
      'a timestamp that is not an integer',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"12abc"}]}]}]}',
      /startTimeUnixNano must be an integer/,
    ],
    [
      'an int64 out of range',
      '{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"intValue":"9223372036854775808"}}]}}]}',
      /intValue is out of range for int64/,
    ],
    [
      'a name that is not a string',
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":7}]}]}]}',
      /name must be a string/,
    ],
    [
      'bytes that are not base64',
      '{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"bytesValue":"%%%"}}]}}]}',
      /bytesValue must be base64/,
    ],
  ];

  it.each(refusals)('refuses %s with a message saying what is wrong', (_name, text, message) => {
    expect(() => otlpJsonToProtobuf(text, 'traces')).toThrow(OtlpDecodeError);
    expect(() => otlpJsonToProtobuf(text, 'traces')).toThrow(message);
  });

  describe('nesting', () => {
    /** A one-span request whose attribute holds `arrays` ArrayValues one inside the other, as text. */
    const nestedAttribute = (arrays: number) =>
      `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${TRACE_B}","spanId":"eee19b7ec3c1b175","attributes":[{"key":"deep","value":${'{"arrayValue":{"values":['.repeat(arrays)}{"stringValue":"leaf"}${']}}'.repeat(arrays)}}]}]}]}]}`;
    // request 0 > ResourceSpans 1 > ScopeSpans 2 > Span 3 > KeyValue 4 > AnyValue 5, then two per array.
    const deepestArrays = (MAX_NESTING - 5) >> 1;

    it('refuses exactly what the protobuf check refuses', () => {
      const deepest = otlpJsonToProtobuf(nestedAttribute(deepestArrays), 'traces');
      expect(splitTracesByTraceId(deepest).acceptedSpans).toBe(1);
      const tooDeep = nestedAttribute(deepestArrays + 1);
      expect(() => otlpJsonToProtobuf(tooDeep, 'traces')).toThrow(
        `AnyValue at resourceSpans[0].scopeSpans[0].spans[0].attributes[0].value.arrayValue`,
      );
      // The same request in protobuf (encoded without the JSON converter) is refused by the splitter.
      const request = types.ExportTraceServiceRequest;
      const asProtobuf = request.encode(request.fromObject(JSON.parse(tooDeep))).finish();
      expect(() => splitTracesByTraceId(asProtobuf)).toThrow(`nested more than ${MAX_NESTING} levels deep`);
    });

    it.each([
      ['arrays', '{"arrayValue":{"values":[', ']}}'],
      ['key-value lists', '{"kvlistValue":{"values":[{"key":"k","value":', '}]}}'],
    ])('refuses %s 100,000 deep with an OtlpDecodeError naming the limit', (_name, open, close) => {
      const value = `${open.repeat(100_000)}{"stringValue":"leaf"}${close.repeat(100_000)}`;
      const text = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${value}}]}]}]}`;
      expect(() => otlpJsonToProtobuf(text, 'logs')).toThrow(OtlpDecodeError);
      expect(() => otlpJsonToProtobuf(text, 'logs')).toThrow(
        `is nested more than ${MAX_NESTING} levels deep`,
      );
    });
  });

  it('accepts an empty request', () => {
    expect(otlpJsonToProtobuf('{}', 'traces').length).toBe(0);
    expect(otlpJsonToProtobuf('{"resourceSpans": []}', 'traces').length).toBe(0);
  });
});
