import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Params, param, paramList } from '../../http-util/form-params';
import { clientGoneSignal, QueryDeadline } from '../../query-guards/deadline';
import { LogsRequestError } from '../errors';
import { LogQLParseError } from '../logql/parse-error';
import { parseLogQL, parseSelector } from '../logql/parser';
import { matchingStreams, type SelectStats, selectLogs, type TimeRange } from '../query/select-logs';
import { selectSamples } from '../query/select-samples';
import type { LogStore } from '../store/log-store';
import type { StreamState } from '../store/stream';
import {
  DEFAULT_LABELS_RANGE_MS,
  parseDirection,
  parseLimit,
  parseRange,
  parseStep,
  parseTime,
  requireQuery,
} from './params';
import { CATEGORIZE_LABELS, ENCODING_FLAGS_HEADER, statsSummary, streamsData } from './streams-response';

export interface QueryRoutesOptions {
  store: LogStore;
  /** Loki's `query_timeout`: a query past it answers 504; a client that leaves cancels it. */
  queryTimeoutMs: number;
  /** Loki's `max_query_series`: a metric query answering more series is refused with a 400. */
  maxQuerySeries: number;
}

/** GET query string merged with a POSTed form (Grafana POSTs long queries). */
function paramsOf(request: FastifyRequest): Params {
  const body = typeof request.body === 'object' && request.body !== null ? (request.body as Params) : {};
  return { ...(request.query as Params), ...body };
}

function newStats(): SelectStats {
  return { linesScanned: 0, bytesScanned: 0, chunksRead: 0 };
}

/** Loki's query API: `query_range`, `query`, `labels`, `label/:name/values`, `series`. */
export async function queryRoutes(app: FastifyInstance, opts: QueryRoutesOptions): Promise<void> {
  const { store } = opts;
  const tenantOf = (request: FastifyRequest) => request.tenantId;
  const categorize = (request: FastifyRequest) =>
    String(request.headers[ENCODING_FLAGS_HEADER] ?? '')
      .split(',')
      .some((flag) => flag.trim() === CATEGORIZE_LABELS);

  const deadlineFor = (reply: FastifyReply) =>
    new QueryDeadline(opts.queryTimeoutMs, clientGoneSignal(reply.raw));

  const queryRange = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = paramsOf(request);
    const tenantId = tenantOf(request);
    const query = parseLogQL(requireQuery(params));
    const range = parseRange(params);
    const started = performance.now();
    const stats = newStats();
    if (query.kind === 'metric') {
      const step = parseStep(params, range);
      const result = await selectSamples(
        store,
        tenantId,
        query,
        range,
        step,
        stats,
        deadlineFor(reply),
        opts.maxQuerySeries,
      );
      const returned = result.reduce((n, s) => n + s.values.length, 0);
      return success({
        resultType: 'matrix',
        result: result.map((s) => ({ metric: s.metric, values: s.values })),
        stats: statsSummary(stats, returned, performance.now() - started),
      });
    }
    const limit = parseLimit(params);
    const direction = parseDirection(params);
    const entries = await selectLogs(
      store,
      tenantId,
      query,
      range,
      limit,
      direction,
      stats,
      deadlineFor(reply),
    );
    return success(streamsData(entries, categorize(request), stats, performance.now() - started));
  };
  app.get('/loki/api/v1/query_range', queryRange);
  app.post('/loki/api/v1/query_range', queryRange);

  const instantQuery = async (request: FastifyRequest, reply: FastifyReply) => {
    const params = paramsOf(request);
    const tenantId = tenantOf(request);
    const text = requireQuery(params);
    const query = parseLogQL(text);
    if (query.kind === 'log') {
      // Loki 3.2+: instant log queries are refused, so the user switches to a range query.
      throw new LogsRequestError(
        'log queries are not supported as an instant query type, please change your query to a range query type',
      );
    }
    const timeText = param(params, 'time');
    const time = timeText ? parseTime(timeText, 'time') : { ms: Date.now(), ns: 0 };
    const range: TimeRange = { startMs: time.ms, startNs: time.ns, endMs: time.ms, endNs: time.ns };
    const started = performance.now();
    const stats = newStats();
    const result = await selectSamples(
      store,
      tenantId,
      query,
      range,
      1,
      stats,
      deadlineFor(reply),
      opts.maxQuerySeries,
    );
    return success({
      resultType: 'vector',
      result: result.flatMap((s) => s.values.slice(-1).map((v) => ({ metric: s.metric, value: v }))),
      stats: statsSummary(stats, result.length, performance.now() - started),
    });
  };
  app.get('/loki/api/v1/query', instantQuery);
  app.post('/loki/api/v1/query', instantQuery);

  /** Streams in range, narrowed by an optional selector (`query` or `match[]`). */
  const streamsFor = (request: FastifyRequest, selectors: string[]): StreamState[] => {
    const params = paramsOf(request);
    const tenantId = tenantOf(request);
    const range = parseRange(params, Date.now(), DEFAULT_LABELS_RANGE_MS);
    if (selectors.length === 0) {
      return [...store.tenantStreams(tenantId)].filter((s) => s.overlaps(range.startMs, range.endMs));
    }
    const found = new Set<StreamState>();
    for (const selector of selectors) {
      const matchers = selectorMatchers(selector);
      for (const s of matchingStreams(store, tenantId, { matchers }, range)) found.add(s);
    }
    return [...found];
  };

  const labels = async (request: FastifyRequest) => {
    const query = param(paramsOf(request), 'query');
    const names = new Set<string>();
    for (const s of streamsFor(request, query ? [query] : []))
      for (const name of Object.keys(s.labels)) names.add(name);
    return success([...names].sort());
  };
  app.get('/loki/api/v1/labels', labels);
  app.post('/loki/api/v1/labels', labels);

  const labelValues = async (request: FastifyRequest<{ Params: { name: string } }>) => {
    const query = param(paramsOf(request), 'query');
    const values = new Set<string>();
    for (const s of streamsFor(request, query ? [query] : [])) {
      const value = s.labels[request.params.name];
      if (value !== undefined) values.add(value);
    }
    return success([...values].sort());
  };
  app.get('/loki/api/v1/label/:name/values', labelValues);

  const series = async (request: FastifyRequest) => {
    const params = paramsOf(request);
    const selectors = paramList(params, 'match[]');
    if (selectors.length === 0) selectors.push(...paramList(params, 'match'));
    if (selectors.length === 0) throw new LogsRequestError('match[] parameter is required');
    return success(streamsFor(request, selectors).map((s) => s.labels));
  };
  app.get('/loki/api/v1/series', series);
  app.post('/loki/api/v1/series', series);
}

/** A `match[]`/`query` selector; a full log query is accepted and its selector used. */
function selectorMatchers(text: string) {
  try {
    return parseSelector(text);
  } catch (err) {
    if (!(err instanceof LogQLParseError)) throw err;
    const query = parseLogQL(text);
    if (query.kind === 'log') return query.matchers;
    return query.log.matchers;
  }
}

function success<T>(data: T): { status: 'success'; data: T } {
  return { status: 'success', data };
}
