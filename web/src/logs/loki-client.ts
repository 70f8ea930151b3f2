import { ApiError, request as apiRequest } from '../api/client';
import { type Direction, type LogRow, type LokiStreamsResponse, toLogRows } from './log-rows';

/**
 * Loki's query API, as Loupe serves it at `/loki/api/v1/*` (and Loki itself does). Errors become
 * `ApiError`s carrying Loki's plain-text message ("parse error at line 1, col 12: …").
 */

export interface LogsRequest {
  query: string;
  /** Epoch milliseconds. */
  startMs: number;
  endMs: number;
  limit: number;
  direction: Direction;
  tenant?: string;
  signal?: AbortSignal;
}

export interface LogsResult {
  rows: LogRow[];
  /** True when the answer held `limit` lines: there may be more in the range. */
  limited: boolean;
}

const msToNs = (ms: number) => `${Math.floor(ms)}000000`;

async function getJson<T>(
  path: string,
  params: URLSearchParams,
  init: { signal?: AbortSignal; tenant?: string; headers?: Record<string, string> },
): Promise<T> {
  const headers = { Accept: 'application/json', ...init.headers };
  const response = await apiRequest(`${path}?${params}`, {
    signal: init.signal,
    tenant: init.tenant,
    headers,
  });
  return (await response.json()) as T;
}

/** Runs a log query over a time range (`query_range`), asking Loki to keep label kinds apart. */
export async function fetchLogs(request: LogsRequest): Promise<LogsResult> {
  const params = new URLSearchParams({
    query: request.query,
    start: msToNs(request.startMs),
    end: msToNs(request.endMs),
    limit: String(request.limit),
    direction: request.direction,
  });
  const body = await getJson<LokiStreamsResponse>('/loki/api/v1/query_range', params, {
    signal: request.signal,
    tenant: request.tenant,
    headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
  });
  const type = body.data?.resultType;
  if (type && type !== 'streams') {
    throw new ApiError(
      'This is a metric query: its result is numbers, not log lines. Open it in a Metrics pane.',
      400,
      false,
    );
  }
  const rows = toLogRows(body, request.direction, request.limit);
  return { rows, limited: rows.length >= request.limit };
}

interface LokiValuesResponse {
  data?: string[];
}

/** Label names seen in the range, for the query box's suggestions. */
export async function fetchLabelNames(options: {
  startMs: number;
  endMs: number;
  tenant?: string;
  signal?: AbortSignal;
}): Promise<string[]> {
  const params = new URLSearchParams({ start: msToNs(options.startMs), end: msToNs(options.endMs) });
  const body = await getJson<LokiValuesResponse>('/loki/api/v1/labels', params, {
    signal: options.signal,
    tenant: options.tenant,
  });
  return (body.data ?? []).filter((name) => !name.startsWith('__')).sort();
}

/** Values of one label in the range. */
export async function fetchLabelValues(
  name: string,
  options: { startMs: number; endMs: number; tenant?: string; signal?: AbortSignal },
): Promise<string[]> {
  const params = new URLSearchParams({ start: msToNs(options.startMs), end: msToNs(options.endMs) });
  const body = await getJson<LokiValuesResponse>(
    `/loki/api/v1/label/${encodeURIComponent(name)}/values`,
    params,
    { signal: options.signal, tenant: options.tenant },
  );
  return (body.data ?? []).slice().sort();
}
