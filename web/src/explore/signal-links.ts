import { quoteValue, spanLogsQuery, traceLogsQuery } from '../logs/logql';
import { besidePanes, type PaneState, type TracePaneState, withPanes } from './explore-url';

/**
 * Links from a span to its other signals (Grafana's trace-to-logs and trace-to-metrics): the trace
 * stays where it is and the logs or metrics open beside it, over a time range around the span.
 */

/** What a span link needs to know about where the user is and which span they look at. */
export interface SpanLinkContext {
  /** The current URL's parameters (global ones are kept). */
  params: URLSearchParams;
  /** The panes open now; empty outside Explore (the `/trace/:id` page). */
  panes: readonly PaneState[];
  traceId: string;
  spanId: string;
  service: string;
  spanName: string;
  /** Epoch milliseconds. */
  spanStartMs: number;
  spanEndMs: number;
  traceStartMs: number;
  traceEndMs: number;
}

/** Log lines are written during the span, but clocks and batching blur the edges: 1 s each side. */
const LOGS_MARGIN_MS = 1000;

function hrefBeside(ctx: SpanLinkContext, target: PaneState, fromMs: number, toMs: number): string {
  const source: TracePaneState = { type: 'trace', traceId: ctx.traceId, spanId: ctx.spanId };
  const current = ctx.panes.length > 0 ? ctx.panes : [source];
  const params = withPanes(ctx.params, besidePanes(current, source, target), current);
  params.set('from', String(Math.floor(fromMs)));
  params.set('to', String(Math.ceil(toMs)));
  return `/explore?${params}`;
}

/** "Logs for this span": the service's lines carrying this span's ID. */
export function spanLogsHref(ctx: SpanLinkContext): string {
  const query = spanLogsQuery(ctx.service, ctx.spanId);
  return hrefBeside(
    ctx,
    { type: 'logs', query },
    ctx.spanStartMs - LOGS_MARGIN_MS,
    ctx.spanEndMs + LOGS_MARGIN_MS,
  );
}

/** "Logs for this trace": the service's lines carrying the trace ID, over the whole trace. */
export function traceLogsHref(ctx: SpanLinkContext): string {
  const query = traceLogsQuery(ctx.service, ctx.traceId);
  return hrefBeside(
    ctx,
    { type: 'logs', query },
    ctx.traceStartMs - LOGS_MARGIN_MS,
    ctx.traceEndMs + LOGS_MARGIN_MS,
  );
}

/** Rate, errors and p95 latency of one service/operation, from the span-metrics series. */
export function redQueries(service: string, spanName: string): string[] {
  const selector = `service=${quoteValue(service)},span_name=${quoteValue(spanName)}`;
  return [
    `sum(rate(traces_spanmetrics_calls_total{${selector}}[1m]))`,
    `sum(rate(traces_spanmetrics_calls_total{${selector},status_code="STATUS_CODE_ERROR"}[1m]))`,
    `histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{${selector}}[1m])))`,
  ];
}

/*
 * The metrics range is absolute, around the span (30 min before, 5 min after), not the global
 * range: a trace is often opened long after it ran, and a relative "last hour" would then chart
 * nothing. Half an hour before shows the usual level the span's moment compares to.
 */
const METRICS_BEFORE_MS = 30 * 60_000;
const METRICS_AFTER_MS = 5 * 60_000;

/** "Metrics for this service/operation": a rate/error/latency chart beside the trace. */
export function spanMetricsHref(ctx: SpanLinkContext): string {
  return hrefBeside(
    ctx,
    { type: 'metrics', queries: redQueries(ctx.service, ctx.spanName) },
    ctx.spanStartMs - METRICS_BEFORE_MS,
    ctx.spanEndMs + METRICS_AFTER_MS,
  );
}
