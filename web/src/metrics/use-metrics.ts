import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ApiError, ClientConfig, MetricsDataSource } from '../api/client';
import { useClientConfig } from '../api/queries';
import { type Exemplar, flattenExemplars } from './exemplars';
import { labelNames, labelValues, type MatrixSeries, queryExemplars, queryRange } from './prometheus-api';

/** What a chart asks for: its queries over one time window, at one step. */
export interface ChartRequest {
  datasource: MetricsDataSource;
  queries: readonly string[];
  /** Unix seconds. */
  start: number;
  end: number;
  /** Seconds. */
  step: number;
  tenant: string;
}

const FALLBACK_METRICS: ClientConfig['metrics'] = {
  datasources: [{ uid: 'loupe', name: 'Loupe', url: '/prometheus' }],
  exemplarTraceIdDestinations: [
    { name: 'traceID', datasourceUid: 'tempo' },
    { name: 'trace_id', datasourceUid: 'tempo' },
  ],
};

/** The metrics part of the server's config; Loupe's own data source until it has loaded. */
export function useMetricsConfig(): ClientConfig['metrics'] & { loaded: boolean } {
  const config = useClientConfig();
  const metrics = config.data?.metrics;
  return {
    datasources: metrics?.datasources?.length ? metrics.datasources : FALLBACK_METRICS.datasources,
    exemplarTraceIdDestinations:
      metrics?.exemplarTraceIdDestinations ?? FALLBACK_METRICS.exemplarTraceIdDestinations,
    loaded: !config.isPending,
  };
}

/** The data source with this uid; the first (Loupe's own) when it is unset or unknown. */
export function pickDataSource(
  datasources: readonly MetricsDataSource[],
  uid: string | undefined,
): MetricsDataSource {
  return datasources.find((ds) => ds.uid === uid) ?? datasources[0];
}

const options = (request: ChartRequest, signal: AbortSignal) => ({
  tenant: request.tenant || undefined,
  signal,
});

/** The range results of every query of a chart, in query order (one failing query fails the chart). */
export function useRangeResults(request: ChartRequest, enabled = true) {
  const { datasource, queries, start, end, step, tenant } = request;
  return useQuery<MatrixSeries[][], ApiError>({
    queryKey: ['metrics', 'range', datasource.uid, datasource.url, tenant, queries, start, end, step],
    queryFn: ({ signal }) =>
      Promise.all(
        queries.map((query) => queryRange(datasource, { query, start, end, step }, options(request, signal))),
      ),
    enabled: enabled && queries.length > 0,
    placeholderData: keepPreviousData,
  });
}

/** The exemplars of the chart's queries over its window, merged in time order. */
export function useExemplars(request: ChartRequest, enabled = true) {
  const { datasource, queries, start, end, tenant } = request;
  return useQuery<Exemplar[], ApiError>({
    queryKey: ['metrics', 'exemplars', datasource.uid, datasource.url, tenant, queries, start, end],
    queryFn: async ({ signal }) => {
      const answers = await Promise.all(
        queries.map((query) => queryExemplars(datasource, { query, start, end }, options(request, signal))),
      );
      return flattenExemplars(answers.flat());
    },
    enabled: enabled && queries.length > 0,
    placeholderData: keepPreviousData,
  });
}

/**
 * Suggestions for the query box: metric names (`__name__` values), then label names. A failure
 * only means fewer suggestions.
 */
export function useQuerySuggestions(datasource: MetricsDataSource, tenant: string, enabled = true) {
  return useQuery<string[], ApiError>({
    queryKey: ['metrics', 'suggestions', datasource.uid, datasource.url, tenant],
    queryFn: async ({ signal }) => {
      const request = { tenant: tenant || undefined, signal };
      const [names, labels] = await Promise.all([
        labelValues(datasource, '__name__', request).catch(() => []),
        labelNames(datasource, request).catch(() => []),
      ]);
      return [...names, ...labels.filter((label) => label !== '__name__')];
    },
    staleTime: 60_000,
    retry: false,
    enabled,
  });
}
