import { readPanes } from './explore-url';
import {
  redQueries,
  type SpanLinkContext,
  spanLogsHref,
  spanMetricsHref,
  traceLogsHref,
} from './signal-links';

const SPAN_START = Date.UTC(2024, 4, 14, 9, 30, 0);
const base: SpanLinkContext = {
  params: new URLSearchParams('tenant=t1&from=now-1h&to=now'),
  panes: [],
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: 'b7ad6b7169203331',
  service: 'payment',
  spanName: 'PaymentService/Charge',
  spanStartMs: SPAN_START + 0.4,
  spanEndMs: SPAN_START + 45.2,
  traceStartMs: SPAN_START - 35,
  traceEndMs: SPAN_START + 85,
};
const search = (href: string) => new URLSearchParams(href.slice(href.indexOf('?') + 1));

describe('span links to other signals', () => {
  it('opens the span’s logs beside the trace, 1 s around the span', () => {
    const href = spanLogsHref(base);
    expect(href.startsWith('/explore?')).toBe(true);
    const params = search(href);
    expect(readPanes(params)).toEqual([
      { type: 'trace', traceId: base.traceId, spanId: base.spanId },
      { type: 'logs', query: '{service_name="payment"} | span_id="b7ad6b7169203331"' },
    ]);
    expect(params.get('from')).toBe(String(SPAN_START - 1000));
    expect(params.get('to')).toBe(String(SPAN_START + 46 + 1000));
    expect(params.get('tenant')).toBe('t1');
  });

  it('opens the trace’s logs over the whole trace', () => {
    const params = search(traceLogsHref(base));
    expect(readPanes(params)[1]).toEqual({
      type: 'logs',
      query: '{service_name="payment"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"',
    });
    expect(params.get('from')).toBe(String(SPAN_START - 35 - 1000));
    expect(params.get('to')).toBe(String(SPAN_START + 85 + 1000));
  });

  it('in Explore with the trace on the right, puts the logs on the left', () => {
    const panes = [
      { type: 'logs' as const, query: '{service_name="checkout"}' },
      { type: 'trace' as const, traceId: base.traceId },
    ];
    expect(readPanes(search(spanLogsHref({ ...base, panes }))).map((p) => p.type)).toEqual(['logs', 'trace']);
  });

  it('charts rate, errors and p95 latency of the operation, with label values escaped', () => {
    expect(redQueries('pay"ment', 'a\\b')).toEqual([
      'sum(rate(traces_spanmetrics_calls_total{service="pay\\"ment",span_name="a\\\\b"}[1m]))',
      'sum(rate(traces_spanmetrics_calls_total{service="pay\\"ment",span_name="a\\\\b",status_code="STATUS_CODE_ERROR"}[1m]))',
      'histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{service="pay\\"ment",span_name="a\\\\b"}[1m])))',
    ]);
    const params = search(spanMetricsHref(base));
    expect(readPanes(params)[1]).toEqual({
      type: 'metrics',
      queries: redQueries('payment', 'PaymentService/Charge'),
    });
    expect(params.get('from')).toBe(String(SPAN_START - 30 * 60_000));
    expect(params.get('to')).toBe(String(SPAN_START + 46 + 5 * 60_000));
  });
});
