/**
 * What the demo's tests ask the running demo's Loupe, through its own APIs (Tempo's search,
 * Loki's query_range, Prometheus's query_exemplars), as plain functions of the API's base URL:
 * `server/integration/demo.test.ts` and the e2e walk (`e2e/support/demo-data.ts`) both use them.
 * A non-2xx answer throws, with its status and body.
 */

export interface SearchTrace {
  traceID: string;
  rootTraceName?: string;
  serviceStats: Record<string, { spanCount: number; errorCount?: number }>;
  /** Loupe's note on a trace tail sampling has decided; none while it waits for its decision. */
  sampling?: { policy: string; reason: string };
}

export interface LogLine {
  stream: Record<string, string>;
  nanos: bigint;
  line: string;
}

export interface ExemplarSeries {
  exemplars: { labels: Record<string, string> }[];
}

/** Unix seconds; without `end`, up to now. */
export interface TimeWindow {
  start: number;
  end?: number;
}

/** A GET's JSON answer; anything but 2xx throws. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const windowParams = (window?: TimeWindow): Record<string, string> => ({
  ...(window && { start: String(window.start) }),
  ...(window?.end !== undefined && { end: String(window.end) }),
});

/** Tempo's `/api/search` for the TraceQL query `q`. */
export async function searchTraces(
  api: string,
  q: string,
  limit: number,
  window?: TimeWindow,
): Promise<SearchTrace[]> {
  const params = new URLSearchParams({ q, limit: String(limit), ...windowParams(window) });
  return (await getJson<{ traces?: SearchTrace[] }>(`${api}/api/search?${params}`)).traces ?? [];
}

/** Loki's `query_range` for the LogQL `query` over the last `since` (`10m`), its lines flattened. */
export async function queryLogs(
  api: string,
  query: string,
  options: { limit: number; since: string; direction?: 'backward' | 'forward' },
): Promise<LogLine[]> {
  const params = new URLSearchParams({ query, limit: String(options.limit), since: options.since });
  if (options.direction) params.set('direction', options.direction);
  const body = await getJson<{ data: { result: { stream: Record<string, string>; values: string[][] }[] } }>(
    `${api}/loki/api/v1/query_range?${params}`,
  );
  return body.data.result.flatMap(({ stream, values }) =>
    values.map(([ts, line]) => ({ stream, nanos: BigInt(ts), line })),
  );
}

/** Prometheus's `query_exemplars` for the series `selector`. */
export async function queryExemplars(
  api: string,
  selector: string,
  window: TimeWindow,
): Promise<ExemplarSeries[]> {
  const params = new URLSearchParams({ query: selector, ...windowParams(window) });
  const body = await getJson<{ data?: ExemplarSeries[] }>(
    `${api}/prometheus/api/v1/query_exemplars?${params}`,
  );
  return body.data ?? [];
}

/** The trace IDs the exemplars point at, each once. */
export function exemplarTraceIds(series: readonly ExemplarSeries[]): string[] {
  return [...new Set(series.flatMap((s) => s.exemplars.map((e) => e.labels.traceID)))];
}
