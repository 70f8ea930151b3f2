// @vitest-environment node
import { buildCheckoutTrace } from '../../../../fixtures/ui/checkout-trace';
import { encodeTraceByIdResponse } from '../../../../fixtures/ui/otlp-proto';
import { parseTraceByIdResponse } from './parse-otlp-proto';
import { parseTraceJson } from './parse-trace-json';
import { toTempoJson } from './to-tempo-json';

describe('toTempoJson', () => {
  it('writes what the API would have sent as JSON: the same spans read back', () => {
    const otlp = buildCheckoutTrace('4bf92f3577b34da6a3ce929d0e0e4736', Date.UTC(2024, 4, 14, 9, 30, 0, 1));
    const decoded = parseTraceByIdResponse(encodeTraceByIdResponse(otlp, 'cut short'));
    const json = JSON.parse(toTempoJson(decoded));
    expect(json.status).toBe('PARTIAL');
    expect(json.trace.resourceSpans).toHaveLength(5);
    const span = json.trace.resourceSpans[0].scopeSpans[0].spans[0];
    expect(span).toMatchObject({ traceId: 'S/kvNXezTaajzpKdDg5HNg==', kind: 'SPAN_KIND_SERVER' });
    expect(span.startTimeUnixNano).toBe('1715679000001000000');
    const reread = parseTraceJson(json);
    expect(reread.spans).toEqual(decoded.spans);
    expect(reread.partialMessage).toBe('cut short');
  });
});
