// @vitest-environment node
import { buildCheckoutTrace } from '../../../../fixtures/ui/checkout-trace';
import { attrs, unixNano } from '../../../../fixtures/ui/otlp-json';
import { encodeTraceByIdResponse } from '../../../../fixtures/ui/otlp-proto';
import { parseTraceByIdResponse, parseTraceByIdResponseDeferred } from './parse-otlp-proto';
import { parseTraceJson } from './parse-trace-json';
import { splitUnixNano } from './trace-wire-reader';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const otlp = buildCheckoutTrace(TRACE_ID, Date.UTC(2024, 4, 14, 9, 30, 0, 123));

describe('protobuf trace decoding', () => {
  it('decodes to exactly the spans the JSON parser produces', () => {
    const fromProto = parseTraceByIdResponse(encodeTraceByIdResponse(otlp));
    const fromJson = parseTraceJson(otlp);
    expect(fromProto.spans).toHaveLength(9);
    expect(fromProto.baseSec).toBe(fromJson.baseSec);
    expect(fromProto.spans).toEqual(fromJson.spans);
  });

  it('can leave span attributes for later, then decode them into the same spans', () => {
    const { parsed, completeAttributes } = parseTraceByIdResponseDeferred(encodeTraceByIdResponse(otlp));
    const fromJson = parseTraceJson(otlp);
    expect(parsed.spans.every((span) => span.attributes.length === 0)).toBe(true);
    expect(parsed.spans.map((span) => span.resource)).toEqual(fromJson.spans.map((span) => span.resource));
    const spans = [...parsed.spans];
    completeAttributes();
    completeAttributes(); // once only
    expect(parsed.spans).toEqual(fromJson.spans);
    expect(parsed.spans.every((span, i) => span === spans[i])).toBe(true);
  });

  it("reads Loupe's sampling note (which policy kept the trace) and the same spans as without it", () => {
    const note = { policy: 'errors', reason: 'sampled' };
    const parsed = parseTraceByIdResponse(encodeTraceByIdResponse(otlp, undefined, note));
    expect(parsed.sampling).toEqual(note);
    expect(parsed.spans).toEqual(parseTraceJson(otlp).spans);
    expect(parseTraceByIdResponse(encodeTraceByIdResponse(otlp)).sampling).toBeUndefined();
  });

  it('splits unix nanoseconds exactly', () => {
    for (const text of ['1715679000123456789', '1700000000000000001', '18446744073709551615', '0']) {
      const value = BigInt(text);
      const [sec, ns] = splitUnixNano(Number(value & 0xffffffffn), Number(value >> 32n));
      expect(BigInt(sec) * 1_000_000_000n + BigInt(ns)).toBe(value);
    }
  });

  it('reads negative and large integers, doubles, arrays and partial status', () => {
    const start = Date.UTC(2024, 0, 1);
    const traces = {
      resourceSpans: [
        {
          resource: { attributes: attrs({ 'service.name': 'svc' }) },
          scopeSpans: [
            {
              scope: { name: 's' },
              spans: [
                {
                  traceId: TRACE_ID,
                  spanId: '00f067aa0ba902b7',
                  name: 'ünïcödé',
                  kind: 0,
                  startTimeUnixNano: unixNano(start),
                  endTimeUnixNano: unixNano(start, 7),
                  attributes: [
                    { key: 'neg', value: { intValue: '-42' } },
                    { key: 'big', value: { intValue: '9007199254740993' } },
                    { key: 'pi', value: { doubleValue: 2.5 } },
                    {
                      key: 'list',
                      value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const parsed = parseTraceByIdResponse(encodeTraceByIdResponse(traces, 'too big'));
    const [span] = parsed.spans;
    expect(parsed.partialMessage).toBe('too big');
    expect(span.name).toBe('ünïcödé');
    expect(span.durationNs).toBe(7);
    expect(span.attributes.map((kv) => kv.value)).toEqual([
      { intValue: '-42' },
      { intValue: '9007199254740993' },
      { doubleValue: 2.5 },
      { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } },
    ]);
  });

  it('treats an empty response as an empty trace', () => {
    expect(parseTraceByIdResponse(new Uint8Array(0)).spans).toEqual([]);
  });
});
