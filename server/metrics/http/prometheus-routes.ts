import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { acceptFormBodies, type Params, param, paramList } from '../../http-util/form-params';
import type { Expr, VectorSelector } from '../../promql/ast';
import { PromqlEvalError, PromqlParseError } from '../../promql/errors';
import { DEFAULT_LOOKBACK_MS, Evaluator, type QueryData } from '../../promql/evaluator';
import { parsePromql } from '../../promql/parser';
import { traceIdKey } from '../../query/parse-trace-id';
import {
  clientGoneSignal,
  QueryCancelledError,
  QueryDeadline,
  QueryTimeoutError,
} from '../../query-guards/deadline';
import { type Labels, labelsKey } from '../../series-model/labels';
import { formatSampleValue } from '../../series-model/sample-value';
import { TenantError } from '../../tenancy/tenant';
import type { SeriesQuerier } from '../store/series-querier';
import type { SeriesStore } from '../store/series-store';
import type { Series } from '../store/tenant-series';
import { BadDataError, parseStepParam, parseTimeParam } from './query-params';

export interface PrometheusRoutesOptions {
  store: SeriesStore;
  version: string;
  /** Prometheus's `query.timeout`: a query past it answers 503 `timeout`. */
  queryTimeoutMs: number;
  /** Prometheus's `query.max-samples`: a query holding more at once answers 422 `execution`. */
  maxSamples: number;
  /**
   * Whether tail sampling dropped this trace (lowercase hex): its exemplars are left out of
   * `query_exemplars`, so a dot on a chart always opens a trace. Absent without sampling.
   */
  isTraceDropped?: (tenantId: string, traceId: string) => boolean;
}

/** The trace an exemplar points at: span metrics label it `traceID`, OTLP metrics `trace_id`. */
const exemplarTraceId = (labels: Labels): string | undefined => labels.traceID ?? labels.trace_id;

/** Prometheus refuses range queries that would produce more points than this per series. */
const MAX_POINTS_PER_SERIES = 11_000;
const API = '/prometheus/api/v1';

const seconds = (ms: number) => ms / 1000;

function params(request: FastifyRequest): Params {
  const query = (request.query ?? {}) as Params;
  const body = request.body && typeof request.body === 'object' ? (request.body as Params) : {};
  return { ...query, ...body };
}

function parseQuery(p: Params): Expr {
  const query = param(p, 'query');
  if (query === undefined) throw new BadDataError('invalid parameter "query": missing');
  return parsePromql(query);
}

function formatData(data: QueryData): unknown {
  switch (data.resultType) {
    case 'scalar':
      return { resultType: 'scalar', result: [seconds(data.result[0]), formatSampleValue(data.result[1])] };
    case 'string':
      return { resultType: 'string', result: [seconds(data.result[0]), data.result[1]] };
    case 'vector':
      return {
        resultType: 'vector',
        result: data.result.map((r) => ({
          metric: r.labels,
          value: [seconds(r.point[0]), formatSampleValue(r.point[1])],
        })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: data.result.map((r) => ({
          metric: r.labels,
          values: r.points.map(([t, v]) => [seconds(t), formatSampleValue(v)]),
        })),
      };
  }
}

/** How far before the evaluation time a query reads samples (ranges, offsets, the lookback). */
function lookbehindMs(expr: Expr): number {
  let max = 0;
  for (const selector of selectorsOf(expr)) max = Math.max(max, selector.offsetMs);
  const walk = (e: Expr): void => {
    if (e.type === 'matrix') max = Math.max(max, e.rangeMs + e.selector.offsetMs);
    else if (e.type === 'call') e.args.forEach(walk);
    else if (e.type === 'aggregate') {
      walk(e.expr);
      if (e.param) walk(e.param);
    } else if (e.type === 'binary') {
      walk(e.lhs);
      walk(e.rhs);
    } else if (e.type === 'unary' || e.type === 'paren') walk(e.expr);
  };
  walk(expr);
  return max + DEFAULT_LOOKBACK_MS;
}

function selectorsOf(expr: Expr, out: VectorSelector[] = []): VectorSelector[] {
  switch (expr.type) {
    case 'vector':
      out.push(expr);
      break;
    case 'matrix':
      out.push(expr.selector);
      break;
    case 'call':
      for (const a of expr.args) selectorsOf(a, out);
      break;
    case 'aggregate':
      selectorsOf(expr.expr, out);
      if (expr.param) selectorsOf(expr.param, out);
      break;
    case 'binary':
      selectorsOf(expr.lhs, out);
      selectorsOf(expr.rhs, out);
      break;
    case 'unary':
    case 'paren':
      selectorsOf(expr.expr, out);
      break;
  }
  return out;
}

/**
 * Series matched by any `match[]` selector (all series when there is none and `required` is
 * false); matchers are tried pausing as `deadline` asks, and the chunks are read by it.
 */
async function matchSeries(
  store: SeriesStore,
  tenantId: string,
  p: Params,
  required: boolean,
  range: [number, number],
  deadline: QueryDeadline,
): Promise<Series[]> {
  const matches = paramList(p, 'match[]');
  if (matches.length === 0 && required) throw new BadDataError('no match[] parameter provided');
  const selectors = matches.map((m) => {
    const expr = parsePromql(m);
    if (expr.type !== 'vector')
      throw new BadDataError(`invalid parameter "match[]": ${m} is not a vector selector`);
    return expr;
  });
  const querier = await deadline.within(store.querier(tenantId, range[0], range[1]));
  if (selectors.length === 0) return querier.all().filter((s) => inRange(s, range[0], range[1]));
  const found = new Map<string, Series>();
  for (const selector of selectors) {
    for (const s of await querier.select(selector.matchers, deadline)) {
      if (inRange(s, range[0], range[1])) found.set(labelsKey(s.labels), s);
    }
  }
  return [...found.values()];
}

/**
 * `start`/`end` of the metadata endpoints. Without them Prometheus searches its whole TSDB;
 * Loupe searches the last 6 hours (Grafana always sends both), so stored chunks are not all read.
 */
function timeRange(p: Params): [number, number] {
  const now = Date.now();
  const end = parseTimeParam(p, 'end', now);
  const start = parseTimeParam(p, 'start', end - 6 * 3600_000);
  if (end < start) throw new BadDataError('end timestamp must not be before start time');
  return [start, end];
}

function inRange(series: Series, startMs: number, endMs: number): boolean {
  const ts = series.timestamps;
  if (ts.length === 0) return false;
  return ts[ts.length - 1] >= startMs && ts[0] <= endMs;
}

/** Prometheus's HTTP API over the series store, with its response shapes and error format. */
export async function prometheusRoutes(app: FastifyInstance, opts: PrometheusRoutesOptions): Promise<void> {
  const { store } = opts;
  acceptFormBodies(app);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    let status = 500;
    let errorType = 'internal';
    if (err instanceof QueryTimeoutError) {
      status = 503;
      errorType = 'timeout';
    } else if (err instanceof QueryCancelledError) {
      status = err.statusCode;
      errorType = 'canceled';
    } else if (err instanceof PromqlParseError || err instanceof BadDataError) {
      status = 400;
      errorType = 'bad_data';
    } else if (err instanceof PromqlEvalError) {
      status = 422;
      errorType = 'execution';
    } else if (err instanceof TenantError) {
      status = err.statusCode;
      errorType = 'bad_data';
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      errorType = 'bad_data';
    }
    if (status >= 500) request.log.error({ err }, 'prometheus API request failed');
    return reply.code(status).send({ status: 'error', errorType, error: err.message });
  });

  const tenantOf = (request: FastifyRequest) => request.tenantId;
  const both = (
    path: string,
    handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ) => {
    app.get(path, handler);
    app.post(path, handler);
  };

  /** The query's budget: `query_timeout` from now, ended early if the client goes away. */
  const deadlineFor = (reply: FastifyReply) =>
    new QueryDeadline(opts.queryTimeoutMs, clientGoneSignal(reply.raw));
  const evaluator = (querier: SeriesQuerier) => new Evaluator(querier, { maxSamples: opts.maxSamples });

  both(`${API}/query`, async (request, reply) => {
    const p = params(request);
    const expr = parseQuery(p);
    const time = parseTimeParam(p, 'time', Date.now());
    const deadline = deadlineFor(reply);
    // Reading stored chunks (maybe from a slow object store) counts against the deadline too.
    const querier = await deadline.within(store.querier(tenantOf(request), time - lookbehindMs(expr), time));
    const data = await evaluator(querier).instant(expr, time, deadline);
    return { status: 'success', data: formatData(data) };
  });

  both(`${API}/query_range`, async (request, reply) => {
    const p = params(request);
    const expr = parseQuery(p);
    const start = parseTimeParam(p, 'start');
    const end = parseTimeParam(p, 'end');
    const step = parseStepParam(p);
    if (end < start) throw new BadDataError('end timestamp must not be before start time');
    if ((end - start) / step > MAX_POINTS_PER_SERIES) {
      throw new BadDataError(
        'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
      );
    }
    const deadline = deadlineFor(reply);
    const querier = await deadline.within(store.querier(tenantOf(request), start - lookbehindMs(expr), end));
    const data = await evaluator(querier).range(expr, start, end, step, deadline);
    return { status: 'success', data: formatData(data) };
  });

  both(`${API}/query_exemplars`, async (request, reply) => {
    const p = params(request);
    const expr = parseQuery(p);
    const now = Date.now();
    const start = parseTimeParam(p, 'start', now - 3600_000);
    const end = parseTimeParam(p, 'end', now);
    if (end < start) throw new BadDataError('end timestamp must not be before start time');
    const deadline = deadlineFor(reply);
    const tenantId = tenantOf(request);
    const tenant = await deadline.within(store.querier(tenantId, start, end));
    const isDropped = opts.isTraceDropped;
    const opens = (labels: Labels) => {
      const traceId = isDropped && exemplarTraceId(labels);
      return !traceId || !isDropped(tenantId, traceIdKey(traceId));
    };
    // By labels: series ids are per head or chunk, not unique across a query reaching into both.
    const seen = new Set<string>();
    const data: {
      seriesLabels: Labels;
      exemplars: { labels: Labels; value: string; timestamp: number }[];
    }[] = [];
    for (const selector of selectorsOf(expr)) {
      for (const series of await tenant.select(selector.matchers, deadline)) {
        const key = labelsKey(series.labels);
        if (seen.has(key)) continue;
        seen.add(key);
        const exemplars = series.exemplars
          .filter((e) => e.timestampMs >= start && e.timestampMs <= end && opens(e.labels))
          .map((e) => ({
            labels: e.labels,
            value: formatSampleValue(e.value),
            timestamp: seconds(e.timestampMs),
          }));
        if (exemplars.length > 0) data.push({ seriesLabels: series.labels, exemplars });
      }
    }
    return { status: 'success', data };
  });

  both(`${API}/labels`, async (request, reply) => {
    const p = params(request);
    const names = new Set<string>();
    const range = timeRange(p);
    for (const s of await matchSeries(store, tenantOf(request), p, false, range, deadlineFor(reply))) {
      for (const n of Object.keys(s.labels)) names.add(n);
    }
    return { status: 'success', data: [...names].sort() };
  });

  app.get<{ Params: { name: string } }>(`${API}/label/:name/values`, async (request, reply) => {
    const name = request.params.name;
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new BadDataError(`invalid label name: "${name}"`);
    const p = params(request);
    const values = new Set<string>();
    const range = timeRange(p);
    for (const s of await matchSeries(store, tenantOf(request), p, false, range, deadlineFor(reply))) {
      const v = s.labels[name];
      if (v !== undefined) values.add(v);
    }
    return { status: 'success', data: [...values].sort() };
  });

  both(`${API}/series`, async (request, reply) => {
    const p = params(request);
    const range = timeRange(p);
    const data = (await matchSeries(store, tenantOf(request), p, true, range, deadlineFor(reply))).map(
      (s) => s.labels,
    );
    return { status: 'success', data };
  });

  app.get(`${API}/metadata`, async () => ({ status: 'success', data: {} }));
  app.get(`${API}/status/buildinfo`, async () => ({
    status: 'success',
    data: {
      version: '2.42.0',
      revision: 'loupe',
      branch: 'main',
      buildUser: '',
      buildDate: '',
      goVersion: opts.version,
    },
  }));
}
