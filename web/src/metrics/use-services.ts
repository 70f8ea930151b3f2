import { useState } from 'react';
import { useSearchParams } from '../router/router';
import type { TimeRange } from '../state/time-range';
import { readTenant, readTimeRange } from '../state/url-state';
import { type ChartWindow, chartWindow } from './chart-window';
import { SERVICES_QUERY } from './promql';
import { type ChartRequest, pickDataSource, useMetricsConfig, useRangeResults } from './use-metrics';

/** Coarse: the overview only needs to know which services exist and roughly how busy they are. */
const OVERVIEW_POINTS = 60;

export interface OverviewContext {
  range: TimeRange;
  runAt: number;
  tenant: string;
  window: ChartWindow | undefined;
}

/** The landing page's view of time: the global range, resolved once when the page opens. */
export function useOverviewContext(): OverviewContext {
  const [params] = useSearchParams();
  const [runAt] = useState(() => Date.now());
  const range = readTimeRange(params);
  return { range, runAt, tenant: readTenant(params), window: chartWindow(range, runAt, OVERVIEW_POINTS) };
}

/** A request over the overview window (unset window: a request that never runs). */
export function overviewRequest(
  context: OverviewContext,
  datasource: ChartRequest['datasource'],
  queries: readonly string[],
): ChartRequest {
  const { window, tenant } = context;
  return {
    datasource,
    queries,
    start: window?.start ?? 0,
    end: window?.end ?? 0,
    step: window?.step ?? 1,
    tenant,
  };
}

/**
 * Services with span metrics in the global time range, by name; empty while loading, on error and
 * when there are none — the landing page then looks as if metrics did not exist.
 */
export function useServicesWithMetrics(context: OverviewContext): string[] {
  const config = useMetricsConfig();
  const datasource = pickDataSource(config.datasources, undefined);
  const result = useRangeResults(
    overviewRequest(context, datasource, [SERVICES_QUERY]),
    config.loaded && context.window !== undefined,
  );
  const series = result.data?.[0] ?? [];
  const names = series.filter((s) => s.values.length > 0 && s.metric.service).map((s) => s.metric.service);
  return [...new Set(names)].sort();
}
