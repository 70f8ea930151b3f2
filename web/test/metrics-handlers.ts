import { HttpResponse, http } from 'msw';
import type { ClientConfig } from '../src/api/client';
import type { ExemplarSeries, MatrixSeries } from '../src/metrics/prometheus-api';

/** Start of the fixed hour the metrics component tests chart. */
export const METRICS_T0_MS = Date.UTC(2024, 4, 14, 9, 0, 0);
/** `?from=…&to=…` for that hour. */
export const METRICS_RANGE_PARAMS = `from=${METRICS_T0_MS}&to=${METRICS_T0_MS + 3_600_000}`;

/** `/loupe/config` with a `metrics` section. */
export const metricsConfigHandler = (metrics: Partial<ClientConfig['metrics']> = {}) =>
  http.get('*/loupe/config', () =>
    HttpResponse.json({ version: 'test', multitenancyEnabled: false, metrics }),
  );

/** A series with one sample a minute across the test hour, `value(i)` at minute i. */
export function minuteSeries(metric: Record<string, string>, value: (i: number) => number): MatrixSeries {
  return {
    metric,
    values: Array.from({ length: 60 }, (_, i) => [METRICS_T0_MS / 1000 + i * 60, String(value(i))]),
  };
}

export interface FakePrometheus {
  /** Range results by exact query text; any other query answers an empty matrix. */
  series?: Record<string, MatrixSeries[]>;
  exemplars?: Record<string, ExemplarSeries[]>;
  names?: string[];
  /** Where the data source lives (`/prometheus` for Loupe's own). */
  base?: string;
}

/**
 * A Prometheus HTTP API that answers from fixed data, refusing queries containing `(((` with the
 * 400 Prometheus gives for a parse error. Records every query it was asked.
 */
export function fakePrometheus({
  series = {},
  exemplars = {},
  names = [],
  base = '/prometheus',
}: FakePrometheus) {
  const asked: { path: string; query: string; tenant: string | null }[] = [];
  const handlers = [
    http.get(`*${base}/api/v1/query_range`, ({ request }) => {
      const url = new URL(request.url);
      const query = url.searchParams.get('query') ?? '';
      asked.push({ path: 'query_range', query, tenant: request.headers.get('X-Scope-OrgID') });
      if (query.includes('(((')) {
        return HttpResponse.json(
          { status: 'error', errorType: 'bad_data', error: '1:4: parse error: unexpected "("' },
          { status: 400 },
        );
      }
      return HttpResponse.json({
        status: 'success',
        data: { resultType: 'matrix', result: series[query] ?? [] },
      });
    }),
    http.get(`*${base}/api/v1/query_exemplars`, ({ request }) => {
      const query = new URL(request.url).searchParams.get('query') ?? '';
      asked.push({ path: 'query_exemplars', query, tenant: request.headers.get('X-Scope-OrgID') });
      return HttpResponse.json({ status: 'success', data: exemplars[query] ?? [] });
    }),
    http.get(`*${base}/api/v1/label/__name__/values`, () =>
      HttpResponse.json({ status: 'success', data: names }),
    ),
    http.get(`*${base}/api/v1/labels`, () =>
      HttpResponse.json({ status: 'success', data: ['__name__', 'service', 'span_name'] }),
    ),
  ];
  return { handlers, asked };
}
