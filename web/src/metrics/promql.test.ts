import { escapeLabelValue, redQueries, SERVICES_QUERY } from './promql';

describe('PromQL building', () => {
  it('escapes quotes, backslashes and newlines in label values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('builds RED queries for every service', () => {
    const q = redQueries();
    expect(q.rate).toBe('sum by (service) (rate(traces_spanmetrics_calls_total[1m]))');
    expect(q.errors).toBe(
      'sum by (service) (rate(traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR"}[1m]))',
    );
    expect(q.latency.map((l) => l.name)).toEqual(['p50', 'p95', 'p99']);
    expect(q.latency[1].query).toBe(
      'histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket[1m])))',
    );
  });

  it('filters RED queries by one service, escaped', () => {
    const q = redQueries('shop "eu"');
    expect(q.rate).toBe(
      'sum by (service) (rate(traces_spanmetrics_calls_total{service="shop \\"eu\\""}[1m]))',
    );
    expect(q.errors).toContain('{service="shop \\"eu\\"",status_code="STATUS_CODE_ERROR"}');
    expect(q.latency[2].query).toBe(
      'histogram_quantile(0.99, sum by (le) (rate(traces_spanmetrics_latency_bucket{service="shop \\"eu\\""}[1m])))',
    );
  });

  it('lists services from span metrics', () => {
    expect(SERVICES_QUERY).toBe('count by (service) (traces_spanmetrics_calls_total)');
  });
});
