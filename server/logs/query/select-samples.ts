import { QueryDeadline } from '../../query-guards/deadline';
import { LogsRequestError } from '../errors';
import { streamKey } from '../labels';
import type { MetricQuery } from '../logql/ast';
import { compilePipeline, type PipelineEntry } from '../logql/pipeline';
import type { Labels } from '../model';
import type { LogStore } from '../store/log-store';
import { matchingStreams, type SelectStats, type TimeRange } from './select-logs';
import { streamSources } from './sources';

export interface SampleSeries {
  metric: Labels;
  /** [unix seconds, value as text] pairs, as Prometheus and Loki answer them. */
  values: [number, string][];
}

interface Points {
  labels: Labels;
  ms: number[];
  bytes: number[];
  /** Whether a point falls in some step's window: the series is in the answer. */
  answered: boolean;
}

/**
 * Loki's `max_query_series` refusal (400), word for word as Grafana shows it, with Loupe's key:
 * a metric query whose answer would hold more series than `logs.max_query_series`.
 */
export class MaxSeriesError extends LogsRequestError {
  constructor(readonly maxSeries: number) {
    super(
      `maximum number of series (${maxSeries}) reached for a single query; consider reducing query cardinality by adding more specific stream selectors, reducing the time range, or aggregating results with functions like sum(), count() or topk() (logs.max_query_series)`,
    );
  }
}

/**
 * Evaluates `count_over_time`/`rate`/`bytes_over_time`/`bytes_rate` over `[range]` at each step
 * from start to end (an instant query is one step), then `sum [by|without]` if asked. Steps with
 * no entry in their window have no point, as in Loki.
 *
 * An answer holds at most `maxSeries` series (Loki's `max_query_series`): the query fails with
 * `MaxSeriesError` as soon as one more would be in it (counted by `sum` group when aggregated),
 * while it scans, before it has gathered the rest of them.
 */
export async function selectSamples(
  store: LogStore,
  tenantId: string,
  query: MetricQuery,
  range: TimeRange,
  stepMs: number,
  stats: SelectStats,
  deadline = QueryDeadline.unbounded(),
  maxSeries = Number.POSITIVE_INFINITY,
): Promise<SampleSeries[]> {
  const pipeline = compilePipeline(query.log.pipeline);
  const from = range.startMs - query.rangeMs;
  const series = new Map<string, Points>();
  const answered = seriesCounter(query, maxSeries);
  /** Whether an entry at `ms` is in the window of some step: the first step at or after it. */
  const inSomeWindow = (ms: number) => {
    const t = range.startMs + Math.max(0, Math.ceil((ms - range.startMs) / stepMs)) * stepMs;
    return t <= range.endMs && t - query.rangeMs < ms;
  };
  const scanRange = { ...range, startMs: from, startNs: 0 };
  for (const stream of matchingStreams(store, tenantId, query.log, scanRange)) {
    for (const pending of streamSources(store, stream, from, range.endMs)) {
      const source = await pending.load();
      stats.chunksRead++;
      for (let i = 0; i < source.ms.length; i++) {
        const ms = source.ms[i];
        if (ms <= from || ms > range.endMs) continue;
        if (deadline.spend(pipeline.units(source.lines[i]))) await deadline.pause();
        stats.linesScanned++;
        stats.bytesScanned += source.lines[i].length;
        const entry: PipelineEntry = {
          line: source.lines[i],
          stream: stream.labels,
          meta: undefined,
          parsed: undefined,
        };
        // Structured metadata is part of a series' labels, so it is read even on the line-filter path.
        if (pipeline.lineFiltersOnly && !pipeline.matchLine(entry.line)) continue;
        entry.meta = source.meta(i);
        if (!pipeline.lineFiltersOnly && !pipeline.run(entry)) continue;
        const labels =
          entry.meta || entry.parsed ? { ...stream.labels, ...entry.meta, ...entry.parsed } : stream.labels;
        const key = labels === stream.labels ? stream.key : streamKey(labels);
        let points = series.get(key);
        if (!points) {
          points = { labels, ms: [], bytes: [], answered: false };
          series.set(key, points);
        }
        if (!points.answered && inSomeWindow(ms)) {
          points.answered = true;
          answered(labels);
        }
        points.ms.push(ms);
        points.bytes.push(Buffer.byteLength(entry.line));
      }
    }
  }
  const steps: number[] = [];
  for (let t = range.startMs; t <= range.endMs; t += stepMs) steps.push(t);
  const evaluated: SampleSeries[] = [];
  for (const points of series.values()) {
    // A series costs its steps: a query with many series over many steps must still pause.
    if (deadline.spend(steps.length + points.ms.length)) await deadline.pause();
    evaluated.push(evaluate(points, query, steps));
  }
  return query.aggregation
    ? sumBy(evaluated, query.aggregation.grouping)
    : evaluated.filter((s) => s.values.length > 0);
}

/**
 * Counts the series of the answer as they appear (`sum` groups when aggregated); throws
 * `MaxSeriesError` past `maxSeries`.
 */
function seriesCounter(query: MetricQuery, maxSeries: number): (labels: Labels) => void {
  let count = 0;
  const groups = new Set<string>();
  const grouping = query.aggregation?.grouping;
  return (labels) => {
    if (query.aggregation) {
      groups.add(streamKey(groupLabels(labels, grouping)));
      count = groups.size;
    } else count++;
    if (count > maxSeries) throw new MaxSeriesError(maxSeries);
  };
}

function groupLabels(labels: Labels, grouping?: { without: boolean; labels: string[] }): Labels {
  const metric: Labels = {};
  if (grouping) {
    for (const [name, value] of Object.entries(labels)) {
      if (grouping.labels.includes(name) !== grouping.without) metric[name] = value;
    }
  }
  return metric;
}

function evaluate(points: Points, query: MetricQuery, steps: number[]): SampleSeries {
  const order = points.ms.map((_, i) => i).sort((a, b) => points.ms[a] - points.ms[b]);
  const ms = order.map((i) => points.ms[i]);
  const bytes = order.map((i) => points.bytes[i]);
  const weight = query.fn === 'bytes_over_time' || query.fn === 'bytes_rate' ? bytes : ms.map(() => 1);
  const values: [number, string][] = [];
  const perSecond = query.fn === 'rate' || query.fn === 'bytes_rate';
  let lo = 0;
  let hi = 0;
  let sum = 0;
  for (const t of steps) {
    // Window (t - range, t]: advance both ends, keeping a running total.
    while (hi < ms.length && ms[hi] <= t) sum += weight[hi++];
    while (lo < hi && ms[lo] <= t - query.rangeMs) sum -= weight[lo++];
    if (hi - lo === 0) continue;
    const value = perSecond ? sum / (query.rangeMs / 1000) : sum;
    values.push([t / 1000, String(value)]);
  }
  return { metric: points.labels, values };
}

function sumBy(series: SampleSeries[], grouping?: { without: boolean; labels: string[] }): SampleSeries[] {
  const groups = new Map<string, { metric: Labels; sums: Map<number, number> }>();
  for (const s of series) {
    const metric = groupLabels(s.metric, grouping);
    const key = streamKey(metric);
    let group = groups.get(key);
    if (!group) {
      group = { metric, sums: new Map() };
      groups.set(key, group);
    }
    for (const [t, v] of s.values) group.sums.set(t, (group.sums.get(t) ?? 0) + Number(v));
  }
  return [...groups.values()]
    .filter((g) => g.sums.size > 0)
    .map((g) => ({
      metric: g.metric,
      values: [...g.sums.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([t, v]): [number, string] => [t, String(v)]),
    }));
}
