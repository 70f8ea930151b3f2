import type { DerivedField } from '../../../server/logs/logs-config';
import type { ExemplarTraceIdDestination, MetricsDataSource } from '../../../server/metrics/metrics-config';
import type { TraceLayout } from '../trace/model/layout';
import { getTraceWorker } from '../trace/worker/trace-worker';
import { traceQueryKey, traceWorkerKey } from './keys';
import { takeAnyPrefetch } from './prefetch';

/**
 * The one module that talks to the server. Every failure becomes an `ApiError` saying whether a
 * retry can help (network errors and 5xx) or not (a 4xx: the request itself is wrong).
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The server knows the trace was not kept: tail sampling dropped it (its message says by which policy). */
export class TraceNotKeptError extends ApiError {
  override name = 'TraceNotKeptError';
  constructor(message: string) {
    super(message, 404, false);
  }
}

// The shapes `/loupe/config` carries are the server's own types (type-only: nothing of the server
// reaches the bundle), so the two sides cannot drift apart.
export type { DerivedField } from '../../../server/logs/logs-config';
export type {
  ExemplarTraceIdDestination,
  MetricsDataSource,
} from '../../../server/metrics/metrics-config';

/** What `GET /loupe/config` returns. */
export interface ClientConfig {
  version: string;
  multitenancyEnabled: boolean;
  logs: { derivedFields: DerivedField[] };
  metrics: { datasources: MetricsDataSource[]; exemplarTraceIdDestinations: ExemplarTraceIdDestination[] };
}

const DEFAULT_METRICS_CONFIG: ClientConfig['metrics'] = {
  datasources: [{ uid: 'loupe', name: 'Loupe', url: '/prometheus' }],
  exemplarTraceIdDestinations: [
    { name: 'traceID', datasourceUid: 'tempo' },
    { name: 'trace_id', datasourceUid: 'tempo' },
  ],
};

/**
 * A trace ready to render. The page holds its layout; the full spans and the JSON text stay in
 * the trace worker under `workerKey` (details, filtering and download ask it).
 */
export interface LoadedTrace {
  layout: TraceLayout;
  workerKey: string;
  source: 'loupe' | 'file';
  fileName?: string;
}

/** Same-origin URL; absolute so it also works where `fetch` has no base URL (tests). */
function apiUrl(path: string): string {
  return new URL(path, globalThis.location?.href ?? 'http://localhost/').toString();
}

/**
 * One request to the server (the Tempo API, `/loki`, `/prometheus`, the proxy), with every
 * failure as an `ApiError` carrying the server's own message. A 404 is an answer only when the
 * caller says so (Tempo's "no such trace").
 */
export async function request(
  path: string,
  init: RequestInit & { tenant?: string; notFoundIsAnswer?: boolean },
  prefetched?: Promise<Response>,
): Promise<Response> {
  const { tenant, notFoundIsAnswer = false, ...fetchInit } = init;
  if (tenant)
    fetchInit.headers = { ...(fetchInit.headers as Record<string, string>), 'X-Scope-OrgID': tenant };
  let response: Response;
  try {
    response = await (prefetched ?? fetch(apiUrl(path), fetchInit));
  } catch (err) {
    if (init.signal?.aborted) throw err;
    throw new ApiError('Cannot reach the Loupe server. Is it running?', 0, true);
  }
  if (!response.ok && !(notFoundIsAnswer && response.status === 404)) {
    const message = await errorMessage(response);
    throw new ApiError(message, response.status, response.status >= 500 || response.status === 429);
  }
  return response;
}

async function errorMessage(response: Response): Promise<string> {
  const fallback = `The server answered ${response.status} ${response.statusText}`.trim();
  let text = '';
  try {
    text = (await response.text()).trim();
  } catch {
    return fallback;
  }
  if (text === '') return fallback;
  try {
    const json = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = json.message ?? json.error;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // plain text, as Tempo answers
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** The app's own settings, loaded once at start. */
export async function fetchClientConfig(signal?: AbortSignal): Promise<ClientConfig> {
  const response = await request('/loupe/config', { signal, headers: { Accept: 'application/json' } });
  if (response.status === 404) throw new ApiError('The server has no /loupe/config route.', 404, false);
  const json = (await response.json()) as Partial<ClientConfig>;
  return {
    version: String(json.version ?? ''),
    multitenancyEnabled: json.multitenancyEnabled === true,
    logs: { derivedFields: json.logs?.derivedFields ?? [] },
    metrics: { ...DEFAULT_METRICS_CONFIG, ...json.metrics },
  };
}

/** The load started at boot from index.html's prefetched response, until something takes it. */
let bootLoad:
  | { queryKey: ReturnType<typeof traceQueryKey>; workerKey: string; load: Promise<LoadedTrace | null> }
  | undefined;

/**
 * At boot: hands the response index.html prefetched to the trace worker at once, so decoding
 * overlaps the app's start. `fetchTrace` (or a server-rendered page, `takeBootTraceLoad`) adopts it.
 */
export function startPrefetchedTraceLoad(): void {
  const prefetch = takeAnyPrefetch();
  getTraceWorker(prefetch?.workerFailed ? undefined : prefetch?.worker);
  if (!prefetch) return;
  const queryKey = traceQueryKey('loupe', prefetch.tenant, prefetch.id);
  const workerKey = traceWorkerKey(queryKey);
  const load = request('', { notFoundIsAnswer: true }, prefetch.response).then((response) =>
    loadTraceResponse(response, workerKey),
  );
  load.catch(() => undefined); // reported when adopted
  bootLoad = { queryKey, workerKey, load };
}

/**
 * Waits for the load `startPrefetchedTraceLoad` started and takes it: its query key and trace.
 * Undefined when there was none or it failed (the page's query then asks again and shows why).
 */
export async function takeBootTraceLoad(): Promise<
  { queryKey: ReturnType<typeof traceQueryKey>; trace: LoadedTrace | null } | undefined
> {
  const boot = bootLoad;
  bootLoad = undefined;
  if (!boot) return undefined;
  try {
    return { queryKey: boot.queryKey, trace: await boot.load };
  } catch {
    return undefined;
  }
}

/**
 * Fetches a trace by ID and has the trace worker decode and lay it out. Resolves to null when the
 * server does not know the trace (Tempo answers 200 with an empty trace, or 404).
 * @param tenant sent as `X-Scope-OrgID` when set
 * @param workerKey under which the worker keeps the trace
 */
export async function fetchTrace(
  traceId: string,
  options: { tenant?: string; signal?: AbortSignal; workerKey: string },
): Promise<LoadedTrace | null> {
  if (bootLoad?.workerKey === options.workerKey) {
    const { load } = bootLoad;
    bootLoad = undefined;
    return load;
  }
  // Protobuf is what the server stores: it answers several times faster, in a third of the bytes.
  const path = `/api/v2/traces/${encodeURIComponent(traceId)}`;
  const init = {
    signal: options.signal,
    headers: { Accept: 'application/protobuf' },
    tenant: options.tenant,
    notFoundIsAnswer: true,
  };
  return loadTraceResponse(await request(path, init), options.workerKey);
}

async function loadTraceResponse(response: Response, workerKey: string): Promise<LoadedTrace | null> {
  if (response.status === 404 && response.headers.get('x-loupe-not-kept')) {
    throw new TraceNotKeptError((await response.text()).trim());
  }
  if (response.status === 404) return null;
  // The bytes are handed to the worker (transferred, not copied): the page never parses them.
  const body = await response.arrayBuffer();
  performance.mark('loupe:trace-response');
  const encoding = (response.headers.get('content-type') ?? '').includes('protobuf') ? 'protobuf' : 'json';
  const result = await getTraceWorker().load(workerKey, body, encoding);
  if (result.status === 'found') performance.mark('loupe:trace-layout', { detail: result.timings });
  if (result.status === 'empty') return null;
  if (result.status === 'invalid') {
    throw new ApiError(
      `The server sent a trace Loupe cannot read: ${result.message}`,
      response.status,
      false,
    );
  }
  return { layout: result.layout, workerKey, source: 'loupe' };
}
