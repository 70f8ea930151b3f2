import { readBytes, readInt, readPositiveDuration, readStringList } from '../config-reader/config-values';
import { ignoring, type Section } from '../config-reader/schema-node';
import type { ConfigGetter } from '../config-reader/types';

/**
 * Search settings, under Tempo's own keys: `query_frontend.search.*` for result limits,
 * `querier.search.query_timeout` for the deadline, and `overrides.max_bytes_per_tag_values_query`
 * for the cap on tag-value answers.
 */
export interface SearchConfig {
  /** `limit` when a request gives none (Tempo: 20). */
  defaultResultLimit: number;
  /** The largest `limit` honoured; bigger ones are cut to it (0 in the file: no cap). */
  maxResultLimit: number;
  /** `spss` when a request gives none (Tempo: 3). */
  defaultSpansPerSpanSet: number;
  /** A search (or tag query) running longer answers 504. */
  queryTimeoutMs: number;
  /** A trace-by-ID lookup running longer answers 504 (`querier.trace_by_id.query_timeout`). */
  traceByIdTimeoutMs: number;
  /** Tag-value answers stop growing past this many bytes of values (Tempo's override). */
  maxBytesPerTagValuesQuery: number;
  /** Tag-name answers list at most this many names per scope. */
  maxTagNames: number;
}

export const SEARCH_DEFAULTS: SearchConfig = {
  defaultResultLimit: 20,
  maxResultLimit: 1000,
  defaultSpansPerSpanSet: 3,
  queryTimeoutMs: 30_000,
  traceByIdTimeoutMs: 10_000, // Tempo's default
  maxBytesPerTagValuesQuery: 1_000_000,
  maxTagNames: 5_000,
};

/** `query_frontend:` as far as Loupe reads it; the sharding and queueing keys have no meaning in one process. */
export const QUERY_FRONTEND_SCHEMA: Section = {
  search: {
    default_result_limit: readInt(1),
    max_result_limit: readInt(0),
    default_spans_per_span_set: readInt(1),
    ...ignoring([
      'concurrent_jobs',
      'target_bytes_per_job',
      'max_duration',
      'query_backend_after',
      'query_ingesters_until',
      'ingester_shards',
      'max_spans_per_span_set',
      'most_recent_shards',
      'duration_slo',
      'throughput_bytes_slo',
      'metadata_slo',
      'timeout',
    ]),
  },
  ...ignoring([
    'max_retries',
    'max_outstanding_per_tenant',
    'max_batch_size',
    'trace_by_id',
    'metrics',
    'multi_tenant_queries_enabled',
    'response_consumers',
    'weights',
    'api_timeout',
    'url_deny_list',
    'max_query_expression_size_bytes',
    'log_query_request_headers',
    'rf1_after',
    'query_end_cutoff',
    'allowed_headers',
    'skip_ast_transformations',
  ]),
  ...ignoring(['max_grpc_streaming_packet_size'], "Loupe does not serve Tempo's gRPC streaming API"),
  ...ignoring(['mcp_server'], "Loupe does not serve Tempo's MCP endpoint"),
};

export const QUERIER_SCHEMA: Section = {
  ingester_addresses: readStringList,
  search: {
    query_timeout: readPositiveDuration,
    ...ignoring([
      'prefer_self',
      'external_endpoints',
      'external_hedge_requests_at',
      'external_hedge_requests_up_to',
    ]),
  },
  trace_by_id: {
    query_timeout: readPositiveDuration,
    ...ignoring(
      ['hedge_requests_at', 'hedge_requests_up_to'],
      'hedging is storage.trace.s3.hedge_requests_at / hedge_requests_up_to, for every S3 GET',
    ),
    ...ignoring(['external'], 'no serverless backends'),
  },
  ...ignoring(['frontend_worker', 'max_concurrent_queries', 'metrics', 'partition_ring']),
  ...ignoring(
    [
      'shuffle_sharding_ingesters_enabled',
      'shuffle_sharding_ingesters_lookback_period',
      'query_relevant_ingesters',
      'secondary_ingester_ring',
      'query_live_store',
      'extra_query_delay',
    ],
    'a querier asks every ingester of querier.ingester_addresses',
  ),
};

export const TAG_VALUES_OVERRIDE = { max_bytes_per_tag_values_query: readBytes };

export function buildSearchConfig(get: ConfigGetter): SearchConfig {
  const maxLimit = get('query_frontend.search.max_result_limit', SEARCH_DEFAULTS.maxResultLimit);
  return {
    defaultResultLimit: get('query_frontend.search.default_result_limit', SEARCH_DEFAULTS.defaultResultLimit),
    maxResultLimit: maxLimit === 0 ? Number.MAX_SAFE_INTEGER : maxLimit,
    defaultSpansPerSpanSet: get(
      'query_frontend.search.default_spans_per_span_set',
      SEARCH_DEFAULTS.defaultSpansPerSpanSet,
    ),
    queryTimeoutMs: get('querier.search.query_timeout', SEARCH_DEFAULTS.queryTimeoutMs),
    traceByIdTimeoutMs: get('querier.trace_by_id.query_timeout', SEARCH_DEFAULTS.traceByIdTimeoutMs),
    maxBytesPerTagValuesQuery: get(
      'overrides.max_bytes_per_tag_values_query',
      SEARCH_DEFAULTS.maxBytesPerTagValuesQuery,
    ),
    maxTagNames: SEARCH_DEFAULTS.maxTagNames,
  };
}
