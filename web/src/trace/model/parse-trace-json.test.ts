// @vitest-environment node
import { readFileSync } from 'node:fs';
import { buildCheckoutTrace, checkoutSpanIds } from '../../../../fixtures/ui/checkout-trace';
import { toTempoResponse } from '../../../../fixtures/ui/otlp-json';
import { parseTraceJson, TraceFormatError } from './parse-trace-json';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const START_MS = Date.UTC(2024, 0, 2, 3, 4, 5);
const otlp = buildCheckoutTrace(TRACE_ID, START_MS);
const ids = checkoutSpanIds(TRACE_ID);

describe('parseTraceJson', () => {
  it('reads Tempo v2 responses (base64 IDs, enum names)', () => {
    const parsed = parseTraceJson(toTempoResponse(otlp));
    expect(parsed.format).toBe('tempo');
    expect(parsed.traceId).toBe(TRACE_ID);
    expect(parsed.spans).toHaveLength(9);
    const charge = parsed.spans.find((s) => s.spanId === ids.charge)!;
    expect(charge).toMatchObject({
      parentSpanId: ids.placeOrder,
      name: 'PaymentService/Charge',
      kind: 'SERVER',
      statusCode: 'ERROR',
      statusMessage: 'card declined',
      durationNs: 45e6,
    });
    expect(charge.resource.serviceName).toBe('payment');
    expect(charge.events[0].timeNs - charge.startNs).toBe(43e6);
    const quote = parsed.spans.find((s) => s.spanId === ids.quote)!;
    expect(quote.links[0].traceId).toBe('0af7651916cd43dd8448eb211c80319c');
  });

  it('reads OTLP JSON files (hex IDs, enum numbers) to the same spans', () => {
    const fromOtlp = parseTraceJson(otlp);
    const fromTempo = parseTraceJson(toTempoResponse(otlp));
    expect(fromOtlp.format).toBe('otlp');
    expect(fromOtlp.spans.map((s) => [s.spanId, s.parentSpanId, s.kind, s.statusCode, s.startNs])).toEqual(
      fromTempo.spans.map((s) => [s.spanId, s.parentSpanId, s.kind, s.statusCode, s.startNs]),
    );
  });

  it('keeps nanosecond precision relative to the base second', () => {
    const parsed = parseTraceJson({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  spanId: 'AAAAAAAAAAE=',
                  startTimeUnixNano: '1700000000000000001',
                  endTimeUnixNano: '1700000000000000004',
                },
              ],
            },
          ],
        },
      ],
    });
    expect(parsed.baseSec).toBe(1_700_000_000);
    expect(parsed.spans[0].startNs).toBe(1);
    expect(parsed.spans[0].durationNs).toBe(3);
    expect(parsed.spans[0].kind).toBe('UNSPECIFIED');
    expect(parsed.spans[0].statusCode).toBe('UNSET');
  });

  it('reads Tempo v1 `batches` and flags partial traces', () => {
    const v1 = parseTraceJson({ batches: otlp.resourceSpans });
    expect(v1.spans).toHaveLength(9);
    const partial = parseTraceJson({ ...toTempoResponse(otlp), status: 'PARTIAL', message: 'too big' });
    expect(partial.partialMessage).toBe('too big');
  });

  it('reads Jaeger JSON, tags and logs included', () => {
    const json = JSON.parse(
      readFileSync(new URL('../../../../fixtures/ui/jaeger-trace.json', import.meta.url), 'utf8'),
    );
    const parsed = parseTraceJson(json);
    expect(parsed.format).toBe('jaeger');
    expect(parsed.traceId).toBe('5b8efff798038103d269b633813fc60c');
    const [root, child] = parsed.spans;
    expect(root).toMatchObject({
      name: 'HTTP GET /dispatch',
      kind: 'SERVER',
      parentSpanId: '',
      durationNs: 680e6,
    });
    expect(root.resource.serviceName).toBe('frontend');
    expect(child).toMatchObject({
      parentSpanId: root.spanId,
      kind: 'CLIENT',
      statusCode: 'ERROR',
      startNs: 10e6,
    });
    expect(child.events[0]).toMatchObject({ name: 'redis timeout', timeNs: 150e6 });
  });

  it('treats an empty trace as no spans and refuses unknown shapes', () => {
    expect(parseTraceJson({ trace: {} }).spans).toHaveLength(0);
    expect(() => parseTraceJson({ hello: 'world' })).toThrow(TraceFormatError);
    expect(() => parseTraceJson([1, 2])).toThrow(TraceFormatError);
  });
});
