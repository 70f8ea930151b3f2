import { ApiError, request } from '../api/client';

/**
 * Tempo's search API as Loupe serves it: `/api/search` (TraceQL), `/api/v2/search/tags` and
 * `/api/v2/search/tag/<name>/values` (with the v1 routes as a fallback for older servers).
 * Shapes are Tempo's, field for field.
 */

export interface TempoAttribute {
  key: string;
  value: {
    stringValue?: string;
    intValue?: string;
    doubleValue?: number;
    boolValue?: boolean;
  };
}

export interface TempoSpan {
  spanID: string;
  name?: string;
  startTimeUnixNano: string;
  durationNanos: string;
  attributes?: TempoAttribute[];
}

export interface TempoSpanSet {
  spans: TempoSpan[];
  matched: number;
  attributes?: TempoAttribute[];
}

export interface TempoTraceSummary {
  traceID: string;
  rootServiceName?: string;
  rootTraceName?: string;
  startTimeUnixNano: string;
  durationMs?: number;
  spanSets?: TempoSpanSet[];
  spanSet?: TempoSpanSet;
  serviceStats?: Record<string, { spanCount: number; errorCount?: number }>;
  /** Loupe's own: which tail-sampling policy kept the trace. */
  sampling?: { policy: string; reason: string };
}

export interface TempoSearchResponse {
  traces: TempoTraceSummary[];
  metrics?: {
    inspectedTraces?: number;
    inspectedSpans?: number;
    inspectedBytes?: string;
    totalBlocks?: number;
    inspectedBlocks?: number;
  };
  partial?: boolean;
  partialReason?: string;
}

export interface SearchRequest {
  query: string;
  limit: number;
  /** Unix seconds. */
  startSec: number;
  endSec: number;
  tenant?: string;
  signal?: AbortSignal;
}

/** Spans per span set Tempo returns with each trace (its default). */
export const SPANS_PER_SPAN_SET = 3;

async function getJson<T>(path: string, tenant: string | undefined, signal?: AbortSignal): Promise<T> {
  const response = await request(path, { tenant, signal, headers: { Accept: 'application/json' } });
  return (await response.json()) as T;
}

/** Runs a TraceQL search over a time range. */
export async function searchTraces(req: SearchRequest): Promise<TempoSearchResponse> {
  const params = new URLSearchParams({
    q: req.query,
    limit: String(req.limit),
    spss: String(SPANS_PER_SPAN_SET),
    start: String(req.startSec),
    end: String(req.endSec),
  });
  const body = await getJson<Partial<TempoSearchResponse>>(`/api/search?${params}`, req.tenant, req.signal);
  return { ...body, traces: body.traces ?? [] };
}

/** The kinds of failure the search UI shows differently. */
export type SearchFailure = 'bad-query' | 'timed-out' | 'too-many' | 'other';

export function classifySearchError(error: ApiError): SearchFailure {
  if (error.status === 400) return 'bad-query';
  if (error.status === 429) return 'too-many';
  // Tempo answers a query that ran out of time with 504 (503 from some proxies), saying so; a bare
  // 504 is a gateway's timeout, which is the same thing to the user.
  if (error.status === 504) return 'timed-out';
  if (error.status === 503 && /timed out/i.test(error.message)) return 'timed-out';
  return 'other';
}

export type TagScope = 'span' | 'resource' | 'intrinsic' | 'event' | 'link';

interface TagsV2Response {
  scopes?: { name: string; tags?: string[] }[];
}

interface WindowOptions {
  startSec: number;
  endSec: number;
  tenant?: string;
  signal?: AbortSignal;
}

const windowParams = (options: WindowOptions) =>
  new URLSearchParams({ start: String(options.startSec), end: String(options.endSec) });

/** Attribute names of one scope, sorted; falls back to v1's flat list on a server without v2. */
export async function fetchTagNames(scope: TagScope, options: WindowOptions): Promise<string[]> {
  const params = windowParams(options);
  params.set('scope', scope);
  try {
    const body = await getJson<TagsV2Response>(
      `/api/v2/search/tags?${params}`,
      options.tenant,
      options.signal,
    );
    const tags = (body.scopes ?? []).filter((s) => s.name === scope).flatMap((s) => s.tags ?? []);
    return [...new Set(tags)].sort();
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404) || scope === 'intrinsic') throw error;
  }
  const v1 = await getJson<{ tagNames?: string[] }>(
    `/api/search/tags?${windowParams(options)}`,
    options.tenant,
    options.signal,
  );
  return [...new Set(v1.tagNames ?? [])].sort();
}

/** A value as v2 returns it: `type` tells whether TraceQL needs it quoted. */
export interface TagValue {
  type: string;
  value: string;
}

/**
 * Values of a scoped attribute (`resource.service.name`) or an intrinsic (`name`); falls back to
 * v1 (unscoped name, plain strings) on a server without v2.
 */
export async function fetchTagValues(tag: string, options: WindowOptions): Promise<TagValue[]> {
  const params = windowParams(options);
  try {
    const body = await getJson<{ tagValues?: TagValue[] }>(
      `/api/v2/search/tag/${encodeURIComponent(tag)}/values?${params}`,
      options.tenant,
      options.signal,
    );
    return body.tagValues ?? [];
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
  }
  const bare = tag.replace(/^(span|resource)?\./, '');
  const v1 = await getJson<{ tagValues?: string[] }>(
    `/api/search/tag/${encodeURIComponent(bare)}/values?${params}`,
    options.tenant,
    options.signal,
  );
  return (v1.tagValues ?? []).map((value) => ({ type: 'string', value }));
}
