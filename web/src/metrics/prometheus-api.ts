import { ApiError, type MetricsDataSource } from '../api/client';

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

function apiUrl(ds: MetricsDataSource, path: string, params: Record<string, string | number>): string {
  const base = new URL(
    `${ds.url.replace(/\/$/, '')}/api/v1/${path}`,
    globalThis.location?.href ?? 'http://localhost/',
  );
  for (const [name, value] of Object.entries(params)) base.searchParams.set(name, String(value));
  return base.toString();
}

async function getJson<T>(url: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.tenant) headers['X-Scope-OrgID'] = options.tenant;
  let response: Response;
  try {
    response = await fetch(url, { headers, signal: options.signal });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new ApiError('Cannot reach the metrics data source.', 0, true);
  }
  const text = await response.text().catch(() => '');
  let answer: PrometheusAnswer<T> | undefined;
  try {
    answer = JSON.parse(text) as PrometheusAnswer<T>;
  } catch {
    answer = undefined;
  }
  if (!response.ok || answer?.status !== 'success') {
    const message =
      answer?.error ?? (text.trim().slice(0, 500) || `The data source answered ${response.status}`);
    const retryable = response.status === 0 || response.status >= 500 || response.status === 429;
    throw new ApiError(message, response.ok ? 502 : response.status, retryable);
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
    apiUrl(ds, 'query_range', { ...range }),
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
    apiUrl(ds, 'query_exemplars', { query, start, end }),
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
    (await getJson<string[] | null>(apiUrl(ds, `label/${encodeURIComponent(name)}/values`, {}), options)) ??
    []
  );
}

/** `GET /api/v1/labels`: every label name. */
export async function labelNames(ds: MetricsDataSource, options: RequestOptions = {}): Promise<string[]> {
  return (await getJson<string[] | null>(apiUrl(ds, 'labels', {}), options)) ?? [];
}
