import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseTimeRange } from '../http-util/time-range';
import { clientGoneSignal, QueryDeadline } from '../query-guards/deadline';
import type { SearchQuery } from '../search-model/search-query';
import { TenantLimitError } from '../tenancy/tenant-limit-error';
import type { NumericTenantLimits } from '../tenancy/tenant-limit-keys';
import { parseTraceQL } from '../traceql';
import type { SearchConfig } from './search-config';
import { parseSearchParams, type RawSearchQuery, SearchParamError } from './search-params';
import { searchResponseJson } from './search-response';
import { INTRINSIC_TAGS, parseTagName, type TagCatalog } from './tag-catalog';
import type { TraceSearch } from './trace-search';

export interface SearchRoutesOptions {
  search: TraceSearch;
  tags: TagCatalog;
  config: SearchConfig;
  /** The tenant's search limits (`read.max_search_duration`, `read.max_concurrent_searches`). */
  limits?: (tenantId: string) => SearchLimits;
}

export type SearchLimits = Pick<NumericTenantLimits, 'maxSearchDurationMs' | 'maxConcurrentSearches'>;

interface TagsQuery {
  scope?: string;
  q?: string;
  start?: string;
  end?: string;
}

const TAG_SCOPES = ['span', 'resource', 'event', 'link', 'intrinsic'] as const;

/**
 * The search's time range under the tenant's `max_search_duration` (0: none): a longer range is
 * refused, as Tempo does; a search without a range covers the most recent `max_search_duration`.
 */
function limitedRange(
  tenantId: string,
  params: { startMs?: number; endMs?: number },
  maxMs: number,
): { startMs?: number; endMs?: number } {
  const { startMs, endMs } = params;
  if (maxMs <= 0) return { startMs, endMs };
  const end = endMs ?? Date.now();
  const start = startMs ?? end - maxMs;
  if (end - start > maxMs) {
    throw new SearchParamError(
      `range specified by start and end (${formatDuration(end - start)}) exceeds tenant "${tenantId}"'s max_search_duration (${formatDuration(maxMs)}): search a shorter range`,
    );
  }
  return { startMs: start, endMs: end };
}

function formatDuration(ms: number): string {
  const hours = ms / 3_600_000;
  return hours >= 1 ? `${Number(hours.toFixed(2))}h` : `${Number((ms / 1000).toFixed(1))}s`;
}

/** A `q` that narrows tag answers; `{}` (Grafana's default) narrows nothing. */
function narrowingQuery(q: string | undefined): SearchQuery | undefined {
  const text = q?.trim() ?? '';
  if (text === '' || /^\{\s*\}$/.test(text)) return undefined;
  return parseTraceQL(text);
}

/**
 * Tempo's search API: `/api/search` (TraceQL or legacy tags) and the tag autocompletion routes,
 * v1 and v2, so Grafana's Tempo data source (search form, TraceQL editor) works unchanged.
 */
export async function searchRoutes(app: FastifyInstance, opts: SearchRoutesOptions): Promise<void> {
  const { config } = opts;
  const deadlineFor = (reply: FastifyReply) =>
    new QueryDeadline(config.queryTimeoutMs, clientGoneSignal(reply.raw));
  /** The answer by the deadline, even while the work waits on a slow read (`QueryDeadline.within`). */
  const inTime = <T>(reply: FastifyReply, work: (deadline: QueryDeadline) => Promise<T>): Promise<T> => {
    const deadline = deadlineFor(reply);
    return deadline.within(work(deadline));
  };

  const running = new Map<string, number>();

  app.get<{ Querystring: RawSearchQuery }>('/api/search', async (request, reply) => {
    const { tenantId } = request;
    const params = parseSearchParams(request.query, {
      limit: config.defaultResultLimit,
      maxLimit: config.maxResultLimit,
      spss: config.defaultSpansPerSpanSet,
    });
    const query = parseTraceQL(params.traceql);
    const limits = opts.limits?.(tenantId);
    const range = limitedRange(tenantId, params, limits?.maxSearchDurationMs ?? 0);
    const maxRunning = limits?.maxConcurrentSearches ?? 0;
    const now = running.get(tenantId) ?? 0;
    if (maxRunning > 0 && now >= maxRunning) {
      throw new TenantLimitError(
        `tenant "${tenantId}" already runs ${now} searches (max_concurrent_searches: ${maxRunning}): retry when one has finished`,
        429,
        'concurrent_searches',
      );
    }
    running.set(tenantId, now + 1);
    try {
      const result = await inTime(reply, (deadline) =>
        opts.search.search(tenantId, { query, limit: params.limit, ...range }, deadline),
      );
      return reply.type('application/json').send(searchResponseJson(result, params.spss));
    } finally {
      const left = (running.get(tenantId) ?? 1) - 1;
      if (left > 0) running.set(tenantId, left);
      else running.delete(tenantId);
    }
  });

  const tagNames = async (request: FastifyRequest<{ Querystring: TagsQuery }>, reply: FastifyReply) => {
    const scope = request.query.scope ?? 'all';
    if (scope !== 'all' && !(TAG_SCOPES as readonly string[]).includes(scope)) {
      throw new SearchParamError(`invalid scope "${scope}": expected one of all, ${TAG_SCOPES.join(', ')}`);
    }
    const names = await inTime(reply, (deadline) =>
      opts.tags.tagNames(
        request.tenantId,
        {
          query: narrowingQuery(request.query.q),
          ...parseTimeRange(request.query),
          maxNames: config.maxTagNames,
        },
        deadline,
      ),
    );
    return { names, scope };
  };

  app.get<{ Querystring: TagsQuery }>('/api/search/tags', async (request, reply) => {
    const { names } = await tagNames(request, reply);
    const all = new Set([...names.span, ...names.resource]);
    return reply.send({ tagNames: [...all].sort() });
  });

  app.get<{ Querystring: TagsQuery }>('/api/v2/search/tags', async (request, reply) => {
    const { names, scope } = await tagNames(request, reply);
    const scopes = TAG_SCOPES.filter((s) => scope === 'all' || s === scope).map((s) => ({
      name: s,
      tags: s === 'intrinsic' ? INTRINSIC_TAGS : names[s],
    }));
    return reply.send({ scopes });
  });

  const tagValues = async (
    request: FastifyRequest<{ Params: { name: string }; Querystring: TagsQuery }>,
    reply: FastifyReply,
  ) => {
    // Grafana encodes the tag name twice on the v2 route; Fastify decoded it once.
    let name = request.params.name;
    if (/%[0-9A-Fa-f]{2}/.test(name)) {
      try {
        name = decodeURIComponent(name);
      } catch {
        throw new SearchParamError(`invalid tag name "${request.params.name}"`);
      }
    }
    const tag = parseTagName(name);
    return inTime(reply, (deadline) =>
      opts.tags.tagValues(
        request.tenantId,
        tag,
        {
          query: narrowingQuery(request.query.q),
          ...parseTimeRange(request.query),
          maxBytes: config.maxBytesPerTagValuesQuery,
        },
        deadline,
      ),
    );
  };

  app.get<{ Params: { name: string }; Querystring: TagsQuery }>(
    '/api/search/tag/:name/values',
    async (request, reply) => {
      const { values } = await tagValues(request, reply);
      return reply.send({ tagValues: values.filter((v) => v.type !== 'keyword').map((v) => v.value) });
    },
  );

  app.get<{ Params: { name: string }; Querystring: TagsQuery }>(
    '/api/v2/search/tag/:name/values',
    async (request, reply) => {
      const { values, capped } = await tagValues(request, reply);
      return reply.send({ tagValues: values, ...(capped ? { metrics: { capped: true } } : {}) });
    },
  );
}
