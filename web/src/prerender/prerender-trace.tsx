import { QueryClient } from '@tanstack/react-query';
import { renderToString } from 'react-dom/server';
import type { LoadedTrace } from '../api/client';
import { traceQueryKey, traceWorkerKey } from '../api/keys';
import { AppProviders } from '../app/AppProviders';
import { createMemoryHistory } from '../router/history';
import { GLOBAL_PARAMS } from '../state/url-state';
import { buildTraceModel } from '../trace/model/build-model';
import { parseTraceIdInput } from '../trace/model/ids';
import { toLayout } from '../trace/model/layout';
import { parseTraceByIdResponseDeferred } from '../trace/model/parse-otlp-proto';

/** What the server knows of a `/trace/<id>` page request. */
export interface TracePageRequest {
  pathname: string;
  /** The query string, with its leading `?` or empty. */
  search: string;
}

/**
 * The trace ID of a page the server may render ahead of the app, or null. Only the plain trace
 * view qualifies: a selected span, a filter or a file trace depend on work done in the browser
 * (span details, matches), and drawing them without it would show one thing, then another.
 */
export function prerenderableTraceId(request: TracePageRequest): { id: string; tenant: string } | null {
  const match = /^\/trace\/([^/]+)$/.exec(request.pathname);
  if (!match) return null;
  const params = new URLSearchParams(request.search);
  for (const name of params.keys()) {
    if (!(GLOBAL_PARAMS as readonly string[]).includes(name)) return null;
  }
  let raw: string;
  try {
    raw = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  const parsed = parseTraceIdInput(raw);
  return parsed.ok ? { id: parsed.id, tenant: params.get('tenant') ?? '' } : null;
}

/**
 * The app's markup for a trace page, rendered from Tempo's protobuf answer by the same components
 * and layout code as in the browser, so the first rows can be painted before the app has loaded.
 * Null when the answer holds no spans.
 */
export function prerenderTracePage(request: TracePageRequest, traceByIdResponse: Uint8Array): string | null {
  const target = prerenderableTraceId(request);
  if (!target) return null;
  const { parsed } = parseTraceByIdResponseDeferred(traceByIdResponse);
  if (parsed.spans.length === 0) return null;
  const key = traceQueryKey('loupe', target.tenant, target.id);
  const trace: LoadedTrace = {
    layout: toLayout(buildTraceModel(parsed)),
    workerKey: traceWorkerKey(key),
    source: 'loupe',
  };
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Number.POSITIVE_INFINITY } } });
  client.setQueryData(key, trace);
  const history = createMemoryHistory(`${request.pathname}${request.search}`);
  return renderToString(<AppProviders client={client} history={history} />);
}
