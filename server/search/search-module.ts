import type { FastifyPluginAsync } from 'fastify';
import type { TraceLookup } from '../query/find-trace';
import type { StaleBlocks } from '../query/stale-blocks';
import type { SearchableUnflushedSource } from '../query/unflushed-source';
import { searchTraceFromOtlp } from '../search-model/otlp-to-search';
import type { BlockEntry } from '../store/blocklist';
import type { SearchConfig } from './search-config';
import { type SearchLimits, searchRoutes } from './search-routes';
import { TagCatalog } from './tag-catalog';
import { TraceSearch } from './trace-search';

export interface SearchDeps {
  config: SearchConfig;
  unflushed: SearchableUnflushedSource;
  blocks: { blocks(tenantId: string): BlockEntry[] };
  /** Trace by ID, to judge a match that may be only part of its trace as a whole. */
  lookups: TraceLookup;
  /** How a search recovers from a block deleted since the last blocklist poll. */
  staleBlocks?: StaleBlocks;
  /** The tenant's search limits (`Overrides.forTenant`). */
  limits?: (tenantId: string) => SearchLimits;
}

/** Search, in the signal modules' shape: what it runs on, and the routes it adds to :3200. */
export interface SearchModule {
  search: TraceSearch;
  tags: TagCatalog;
  routes: FastifyPluginAsync;
}

export function startSearch(deps: SearchDeps): SearchModule {
  const search = new TraceSearch({
    unflushed: deps.unflushed,
    blocks: deps.blocks,
    staleBlocks: deps.staleBlocks,
    wholeTrace: async (tenantId, traceId) => {
      const found = await deps.lookups.findTraceById(tenantId, Buffer.from(traceId, 'hex'), traceId);
      return found ? searchTraceFromOtlp(traceId, [found.data]) : undefined;
    },
  });
  const tags = new TagCatalog({ unflushed: deps.unflushed, blocks: deps.blocks, search });
  return {
    search,
    tags,
    routes: async (app) => searchRoutes(app, { search, tags, config: deps.config, limits: deps.limits }),
  };
}
