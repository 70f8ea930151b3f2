import type { MatrixSeries } from '../src/metrics/prometheus-api';
import { redQueries, SERVICE_GRAPH_QUERIES, SERVICES_QUERY } from '../src/metrics/promql';
import { fakePrometheus, metricsConfigHandler } from './metrics-handlers';
import { CHECKOUT_TRACE_ID, mswServer } from './msw';

/** A series with a sample a minute over the last half hour. */
export function recentSeries(metric: Record<string, string>, value: number): MatrixSeries {
  const now = Math.floor(Date.now() / 1000);
  return { metric, values: Array.from({ length: 30 }, (_, i) => [now - (30 - i) * 60, String(value)]) };
}

/**
 * Serves span metrics of the last half hour from a fake Prometheus (and a `/loupe/config` with
 * metrics on): checkout and frontend, one frontend → checkout call a second, both services'
 * request rates, and under `latencyQuery` (by default every service's, the landing page's) a
 * 250 ms latency with one 300 ms exemplar of the checkout trace (`CHECKOUT_TRACE_ID`) ten minutes
 * ago. `series` adds queries or replaces these.
 *
 * @returns the fake Prometheus, with the queries it was asked
 */
export function serveSpanMetrics({
  latencyQuery = redQueries().latency[1].query,
  series = {},
}: {
  latencyQuery?: string;
  series?: Record<string, MatrixSeries[]>;
} = {}) {
  const all = redQueries();
  const prometheus = fakePrometheus({
    series: {
      [SERVICES_QUERY]: [recentSeries({ service: 'checkout' }, 3), recentSeries({ service: 'frontend' }, 5)],
      [SERVICE_GRAPH_QUERIES.requests]: [recentSeries({ client: 'frontend', server: 'checkout' }, 2)],
      [all.rate]: [recentSeries({ service: 'checkout' }, 2), recentSeries({ service: 'frontend' }, 4)],
      [latencyQuery]: [recentSeries({}, 0.25)],
      ...series,
    },
    exemplars: {
      [latencyQuery]: [
        {
          seriesLabels: { service: 'checkout', le: '0.5' },
          exemplars: [
            {
              labels: { traceID: CHECKOUT_TRACE_ID, spanID: '00f067aa0ba902b7' },
              value: '0.3',
              timestamp: Date.now() / 1000 - 600,
            },
          ],
        },
      ],
    },
  });
  mswServer.use(metricsConfigHandler(), ...prometheus.handlers);
  return prometheus;
}
