import type { Labels, MatrixSeries } from './prometheus-api';

/** A point of a chart line: epoch milliseconds and a finite value. */
export interface ChartPoint {
  t: number;
  v: number;
}

/** One line of a chart, ready to draw. */
export interface ChartSeries {
  /** Unique within a chart: the query index and the series name. */
  id: string;
  /** What the legend and the tooltip show: `metric{a="b"}`, or a caller's name. */
  name: string;
  labels: Labels;
  /** Sorted by time; missing and non-finite samples (NaN, ±Inf) are absent, so lines break there. */
  points: ChartPoint[];
  color: string;
}

/** Grafana's classic palette: distinct on both themes. */
export const SERIES_COLORS = [
  '#73bf69',
  '#f2cc0c',
  '#8ab8ff',
  '#ff780a',
  '#f2495c',
  '#5794f2',
  '#b877d9',
  '#705da0',
  '#37872d',
  '#fade2a',
  '#447ebc',
  '#c15c17',
];

/**
 * `metric{a="b", c="d"}` with labels in name order, as Prometheus prints a series.
 * @example seriesName({ __name__: 'up', job: 'api' }) === 'up{job="api"}'
 */
export function seriesName(labels: Labels): string {
  const { __name__: metric = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((name) => `${name}="${rest[name]}"`);
  if (pairs.length === 0) return metric || '{}';
  return `${metric}{${pairs.join(', ')}}`;
}

function toPoints(values: [number, string][]): ChartPoint[] {
  const points: ChartPoint[] = [];
  for (const [seconds, text] of values) {
    const v = Number.parseFloat(text);
    if (Number.isFinite(v)) points.push({ t: Math.round(seconds * 1000), v });
  }
  return points.sort((a, b) => a.t - b.t);
}

/**
 * The lines of the results of one or more queries. Series are sorted by name within a query and
 * coloured by their place in that order, so the same result always looks the same.
 * @param names per query, a fixed legend name put before the labels
 * @param queries per query, its text: the name of a label-less series when there is no fixed name
 */
export function toChartSeries(
  results: readonly MatrixSeries[][],
  names: readonly (string | undefined)[] = [],
  queries: readonly string[] = [],
): ChartSeries[] {
  const lines: ChartSeries[] = [];
  results.forEach((result, queryIndex) => {
    const named = result
      .map((series) => ({
        series,
        // A label-less result (an aggregate over everything) is named by its query, as Grafana does.
        name: seriesLabelFor(series.metric, names[queryIndex], queries[queryIndex]),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { series, name } of named) {
      lines.push({
        id: `${queryIndex}:${name}`,
        name,
        labels: series.metric,
        points: toPoints(series.values),
        color: SERIES_COLORS[lines.length % SERIES_COLORS.length],
      });
    }
  });
  return lines;
}

function seriesLabelFor(labels: Labels, fixedName: string | undefined, query: string | undefined): string {
  const name = seriesName(labels);
  if (fixedName) return name === '{}' ? fixedName : `${fixedName} ${name}`;
  return name === '{}' && query ? query : name;
}
