/** Clients for Loupe's Prometheus API (`/prometheus/api/v1/*`) in integration tests. */

export type Metric = Record<string, string>;

export interface PromVectorItem {
  metric: Metric;
  value: [number, string];
}

export interface PromMatrixItem {
  metric: Metric;
  values: [number, string][];
}

export interface PromExemplarSeries {
  seriesLabels: Metric;
  exemplars: { labels: Metric; value: string; timestamp: number }[];
}

export interface PromError {
  status: 'error';
  errorType: string;
  error: string;
}

/** GET `<base>/api/v1/<path>` with query parameters; returns the HTTP status and parsed body. */
export async function promGet<T = unknown>(
  base: string,
  path: string,
  params: Record<string, string | string[]> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    for (const x of Array.isArray(v) ? v : [v]) search.append(k, x);
  const res = await fetch(`${base}/api/v1/${path}?${search}`, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

/** POST form-encoded, as Grafana sends long queries. */
export async function promPost<T = unknown>(
  base: string,
  path: string,
  params: Record<string, string>,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/api/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** An instant query's vector, failing loudly on anything else. */
export async function instantVector(base: string, query: string, time?: number): Promise<PromVectorItem[]> {
  const params: Record<string, string> = { query };
  if (time !== undefined) params.time = String(time);
  const { status, body } = await promGet<{
    status: string;
    data: { resultType: string; result: PromVectorItem[] };
  }>(base, 'query', params);
  if (status !== 200 || body.data.resultType !== 'vector') {
    throw new Error(`query ${query} answered ${status}: ${JSON.stringify(body)}`);
  }
  return body.data.result;
}

/** `metric → value` for a vector, keyed by the listed labels joined with `,`. */
export function valuesBy(items: PromVectorItem[], ...labels: string[]): Record<string, number> {
  return Object.fromEntries(
    items.map((i) => [labels.map((l) => i.metric[l] ?? '').join(','), Number(i.value[1])]),
  );
}

export async function queryExemplars(
  base: string,
  query: string,
  startSeconds: number,
  endSeconds: number,
): Promise<PromExemplarSeries[]> {
  const { status, body } = await promGet<{ data: PromExemplarSeries[] }>(base, 'query_exemplars', {
    query,
    start: String(startSeconds),
    end: String(endSeconds),
  });
  if (status !== 200) throw new Error(`query_exemplars ${query} answered ${status}: ${JSON.stringify(body)}`);
  return body.data;
}
