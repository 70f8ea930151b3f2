import { ApiError, type MetricsDataSource, request } from '../api/client';

/**
 * A client for Prometheus's documented HTTP API (`<url>/api/v1/...`), which both Loupe's own
 * metrics face and a proxied Prometheus speak. Every failure becomes an `ApiError` carrying the
 * message Prometheus gave (`1:12: parse error: …`), so it can be shown under the query box.
 */

export type Labels = Record<string, string>;

/** One series of a range query: `[unix seconds, "value"]` pairs, as Prometheus sends them. */
export interface MatrixSeries {
  metric: Labels;
  values: [number, string][];
}

export interface RawExemplar {
  labels: Labels;
  /** A string, as Prometheus sends it. */
  value: string;
  /** Unix seconds, with a fraction. */
  timestamp: number;
}

export interface ExemplarSeries {
  seriesLabels: Labels;
  exemplars: RawExemplar[];
}

export interface RangeQuery {
  query: string;
  /** Unix seconds. */
  start: number;
  end: number;
  /** Seconds. */
  step: number;
}

export interface RequestOptions {
  tenant?: string;
  signal?: AbortSignal;
}

interface PrometheusAnswer<T> {
  status?: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

function apiPath(ds: MetricsDataSource, path: string, params: Record<string, string | number>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) search.set(name, String(value));
  const query = search.toString();
  return `${ds.url.replace(/\/$/, '')}/api/v1/${path}${query ? `?${query}` : ''}`;
}

/** Prometheus's envelope: the data on success; `{status: 'error', error}` otherwise (also with 200). */
async function getJson<T>(path: string, options: RequestOptions): Promise<T> {
  const response = await request(path, {
    headers: { Accept: 'application/json' },
    tenant: options.tenant,
    signal: options.signal,
  });
  const answer = (await response.json().catch(() => undefined)) as PrometheusAnswer<T> | undefined;
  if (answer?.status !== 'success') {
    throw new ApiError(
      answer?.error ?? 'The data source sent an answer that is not Prometheus JSON.',
      502,
      false,
    );
  }
  return answer.data as T;
}

/** `GET /api/v1/query_range`: the series of a matrix result (other result types are refused). */
export async function queryRange(
  ds: MetricsDataSource,
  range: RangeQuery,
  options: RequestOptions = {},
): Promise<MatrixSeries[]> {
  const data = await getJson<{ resultType: string; result: MatrixSeries[] }>(
    apiPath(ds, 'query_range', { ...range }),
    options,
  );
  if (data.resultType !== 'matrix') {
    throw new ApiError(`Expected a matrix result, got ${data.resultType}.`, 400, false);
  }
  return data.result ?? [];
}

/** `GET /api/v1/query_exemplars` for the selectors of `query` over [start, end]. */
export async function queryExemplars(
  ds: MetricsDataSource,
  range: Omit<RangeQuery, 'step'>,
  options: RequestOptions = {},
): Promise<ExemplarSeries[]> {
  const { query, start, end } = range;
  const data = await getJson<ExemplarSeries[] | null>(
    apiPath(ds, 'query_exemplars', { query, start, end }),
    options,
  );
  return data ?? [];
}

/** `GET /api/v1/label/<name>/values`, e.g. every metric name for `__name__`. */
export async function labelValues(
  ds: MetricsDataSource,
  name: string,
  options: RequestOptions = {},
): Promise<string[]> {
  return (
    (await getJson<string[] | null>(apiPath(ds, `label/${encodeURIComponent(name)}/values`, {}), options)) ??
    []
  );
}

/** `GET /api/v1/labels`: every label name. */
export async function labelNames(ds: MetricsDataSource, options: RequestOptions = {}): Promise<string[]> {
  return (await getJson<string[] | null>(apiPath(ds, 'labels', {}), options)) ?? [];
}
