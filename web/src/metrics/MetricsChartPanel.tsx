import { type ReactNode, useMemo, useRef } from 'react';
import type { ExemplarTraceIdDestination, MetricsDataSource } from '../api/client';
import type { TimeRange } from '../state/time-range';
import { chartWindow } from './chart-window';
import type { Exemplar, ExemplarLink } from './exemplars';
import { toChartSeries } from './series';
import { TimeSeriesChart } from './TimeSeriesChart';
import { useElementWidth } from './use-element-width';
import { useExemplars, useRangeResults } from './use-metrics';
import { guessUnit } from './value-format';

export interface ChartQuery {
  query: string;
  /** Legend name for a label-less result (`p95`). */
  name?: string;
}

export interface MetricsChartPanelProps {
  label: string;
  queries: readonly ChartQuery[];
  datasource: MetricsDataSource;
  range: TimeRange;
  /** When the relative range was resolved: a new value re-runs the queries. */
  runAt: number;
  tenant: string;
  destinations: readonly ExemplarTraceIdDestination[];
  height?: number;
  onFollowExemplar(link: ExemplarLink, exemplar: Exemplar): void;
}

/** One chart and its states: loading, the data source's error message, "No data", or the lines. */
export function MetricsChartPanel(props: MetricsChartPanelProps) {
  const { queries, datasource, range, runAt, tenant, height = 240 } = props;
  const ref = useRef<HTMLDivElement>(null);
  const width = useElementWidth(ref);
  const window = chartWindow(range, runAt, width);
  // Callers pass fresh arrays each render; the queries' text is what identifies them.
  const queriesKey = JSON.stringify(queries);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by content, see above
  const texts = useMemo(() => queries.map((q) => q.query), [queriesKey]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed by content, see above
  const names = useMemo(() => queries.map((q) => q.name), [queriesKey]);
  const request = {
    datasource,
    queries: texts,
    start: window?.start ?? 0,
    end: window?.end ?? 0,
    step: window?.step ?? 1,
    tenant,
  };
  const results = useRangeResults(request, window !== undefined);
  const exemplars = useExemplars(request, window !== undefined);
  const series = useMemo(() => toChartSeries(results.data ?? [], names, texts), [results.data, names, texts]);
  const unit = texts.every((q) => guessUnit(q) === 's') ? 's' : undefined;

  let body: ReactNode;
  if (!window) {
    body = <p className="muted">The time range cannot be read; pick one in the top bar.</p>;
  } else if (results.isError) {
    body = (
      <p className="field-error metrics-error" role="alert">
        {results.error.message}
      </p>
    );
  } else if (results.isPending) {
    body = (
      <p className="loading-state metrics-state" role="status">
        <span className="spinner" aria-hidden="true" /> Loading…
      </p>
    );
  } else if (series.every((s) => s.points.length === 0) && !exemplars.data?.length) {
    // Exemplars alone still make a chart: a counter's first minute has no rate yet, but its traces exist.
    body = <p className="empty-state metrics-state">No data</p>;
  } else {
    body = (
      <TimeSeriesChart
        label={props.label}
        series={series}
        exemplars={exemplars.data ?? []}
        window={window}
        width={width}
        height={height}
        unit={unit}
        destinations={props.destinations}
        onFollowExemplar={props.onFollowExemplar}
      />
    );
  }

  return (
    <div ref={ref} className="metrics-panel" aria-busy={results.isFetching}>
      {body}
      {exemplars.isError && !results.isError && (
        <p className="muted small">Exemplars unavailable: {exemplars.error.message}</p>
      )}
    </div>
  );
}
