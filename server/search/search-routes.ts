import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseTimeRange } from '../http-util/time-range';
import { clientGoneSignal, QueryDeadline } from '../query-guards/deadline';
import type { SearchQuery } from '../search-model/search-query';
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
}

interface TagsQuery {
  scope?: string;
  q?: string;
  start?: string;
  end?: string;
}

const TAG_SCOPES = ['span', 'resource', 'event', 'link', 'intrinsic'] as const;

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

  app.get<{ Querystring: RawSearchQuery }>('/api/search', async (request, reply) => {
    const params = parseSearchParams(request.query, {
      limit: config.defaultResultLimit,
      maxLimit: config.maxResultLimit,
      spss: config.defaultSpansPerSpanSet,
    });
    const query = parseTraceQL(params.traceql);
    const result = await inTime(reply, (deadline) =>
      opts.search.search(
        request.tenantId,
        { query, limit: params.limit, startMs: params.startMs, endMs: params.endMs },
        deadline,
      ),
    );
    return reply.type('application/json').send(searchResponseJson(result, params.spss));
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
