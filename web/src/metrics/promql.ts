/**
 * PromQL text built from user data (service names come from spans, so they may hold quotes,
 * backslashes or newlines): every value goes through `escapeLabelValue`.
 */

/**
 * A label value as a PromQL double-quoted string literal.
 * @example labelMatcher('service', 'a"b') === 'service="a\\"b"'
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function labelMatcher(name: string, value: string): string {
  return `${name}="${escapeLabelValue(value)}"`;
}

/** `{a="b",c="d"}`, or '' when there are no matchers. */
function selector(matchers: readonly string[]): string {
  return matchers.length ? `{${matchers.join(',')}}` : '';
}

export const SPAN_CALLS = 'traces_spanmetrics_calls_total';
export const SPAN_LATENCY_BUCKET = 'traces_spanmetrics_latency_bucket';
export const GRAPH_REQUESTS = 'traces_service_graph_request_total';
export const GRAPH_FAILED = 'traces_service_graph_request_failed_total';
export const ERROR_STATUS = 'STATUS_CODE_ERROR';

/** Every service that has span metrics: one series per service. */
export const SERVICES_QUERY = `count by (service) (${SPAN_CALLS})`;

export const LATENCY_QUANTILES = [0.5, 0.95, 0.99] as const;

export interface RedQueries {
  rate: string;
  errors: string;
  /** p50, p95, p99, in that order. */
  latency: { name: string; query: string }[];
}

/**
 * The RED queries (rate, errors, duration) over span metrics, for one service or for all
 * (then rate and errors are split by service, latency is over every span).
 */
export function redQueries(service?: string): RedQueries {
  const serviceMatchers = service ? [labelMatcher('service', service)] : [];
  const calls = `${SPAN_CALLS}${selector(serviceMatchers)}`;
  const errorCalls = `${SPAN_CALLS}${selector([...serviceMatchers, labelMatcher('status_code', ERROR_STATUS)])}`;
  const buckets = `${SPAN_LATENCY_BUCKET}${selector(serviceMatchers)}`;
  return {
    rate: `sum by (service) (rate(${calls}[1m]))`,
    errors: `sum by (service) (rate(${errorCalls}[1m]))`,
    latency: LATENCY_QUANTILES.map((q) => ({
      name: `p${Math.round(q * 100)}`,
      query: `histogram_quantile(${q}, sum by (le) (rate(${buckets}[1m])))`,
    })),
  };
}

/** Request and failed-request rates per edge of the service graph. */
export const SERVICE_GRAPH_QUERIES = {
  requests: `sum by (client, server) (rate(${GRAPH_REQUESTS}[5m]))`,
  failed: `sum by (client, server) (rate(${GRAPH_FAILED}[5m]))`,
} as const;
