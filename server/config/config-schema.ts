import { LOGS_SCHEMA } from '../logs/logs-config';
import { METRICS_GENERATOR_SCHEMA, METRICS_SCHEMA } from '../metrics-generator/metrics-config';
import {
  ConfigError,
  readBool,
  readBytes,
  readDuration,
  readEndpoint,
  readEnum,
  readFraction,
  readInt,
  readPort,
  readPositiveDuration,
  readPositiveInt,
  readString,
  readStringList,
  type ValueReader,
} from './config-values';
import { Ignored, ignoring, type Section } from './schema-node';

export { Ignored, lookupKey, type SchemaNode, type Section } from './schema-node';

const notOtlp = 'Loupe receives OTLP only';
const singleProcess = 'Loupe runs as one process';

/** `storage.trace.backend`: only `local` exists today; the others fail with the reason. */
const readBackend: ValueReader<'local'> = (value, key) => {
  if (value === 's3') {
    throw new ConfigError(
      `config key "${key}": backend "s3" is not supported yet; Loupe stores blocks on local disk (backend: local)`,
    );
  }
  if (value === 'gcs' || value === 'azure') {
    throw new ConfigError(`config key "${key}": backend "${value}" is not supported; use backend: local`);
  }
  return readEnum(['local'] as const)(value, key);
};

const readNonEmptyPath: ValueReader<string> = (value, key) => {
  const path = readString(value, key);
  if (path.trim() === '') throw new ConfigError(`config key "${key}" must be a non-empty path`);
  return path;
};

const otlpGrpc: Section = {
  endpoint: readEndpoint,
  max_recv_msg_size_mib: readInt(0),
  ...ignoring([
    'transport',
    'max_concurrent_streams',
    'read_buffer_size',
    'write_buffer_size',
    'keepalive',
    'tls',
    'auth',
    'include_metadata',
  ]),
};

const otlpHttp: Section = {
  endpoint: readEndpoint,
  max_request_body_size: readBytes,
  cors: { allowed_origins: readStringList, ...ignoring(['allowed_headers', 'max_age']) },
  ...ignoring([
    'tls',
    'auth',
    'include_metadata',
    'response_headers',
    'traces_url_path',
    'metrics_url_path',
    'logs_url_path',
    'compression_algorithms',
    'keepalives_enabled',
  ]),
};

export const CONFIG_SCHEMA: Section = {
  multitenancy_enabled: readBool,
  logs: LOGS_SCHEMA,
  metrics_generator: METRICS_GENERATOR_SCHEMA,
  metrics: METRICS_SCHEMA,
  auth_enabled: readBool, // Tempo's name for multitenancy_enabled before 2.0
  ...ignoring(['target', 'http_api_prefix'], singleProcess),
  ...ignoring([
    'stream_over_http_enabled',
    'autocomplete_filtering_enabled',
    'use_otel_tracer',
    'enable_go_runtime_metrics',
    'usage_report',
    'query_frontend',
    'querier',
    'memberlist',
    'ingester_client',
    'metrics_generator_client',
    'cache',
    'block_builder',
    'live_store',
    'backend_scheduler',
    'backend_worker',
    'ingest',
    'partition_ring_live_store',
    'search_enabled', // Tempo 1.x feature flags, on by default since
    'metrics_generator_enabled',
  ]),
  server: {
    http_listen_port: readPort,
    http_listen_address: readString,
    log_level: readEnum(['debug', 'info', 'warn', 'error'] as const),
    log_format: new Ignored('Loupe always logs JSON'),
    ...ignoring([
      'grpc_listen_port',
      'grpc_listen_address',
      'register_instrumentation',
      'graceful_shutdown_timeout',
      'http_server_read_timeout',
      'http_server_write_timeout',
      'http_server_idle_timeout',
      'grpc_server_max_recv_msg_size',
      'grpc_server_max_send_msg_size',
      'grpc_server_max_concurrent_streams',
      'http_path_prefix',
      'log_source_ips_enabled',
    ]),
  },
  distributor: {
    receivers: {
      otlp: { protocols: { grpc: otlpGrpc, http: otlpHttp } },
      ...ignoring(['jaeger', 'zipkin', 'opencensus', 'kafka'], notOtlp),
    },
    ...ignoring([
      'log_received_spans',
      'log_received_traces',
      'log_discarded_spans',
      'metric_received_spans',
      'forwarders',
      'extend_writes',
      'ring',
      'retry_after_on_resource_exhausted',
      'usage',
      'max_attribute_bytes',
    ]),
  },
  ingester: {
    trace_idle_period: readDuration,
    max_block_bytes: readPositiveInt,
    max_block_duration: readPositiveDuration,
    flush_check_period: readPositiveDuration,
    ...ignoring(['lifecycler', 'override_ring_key'], singleProcess),
    ...ignoring([
      'complete_block_timeout',
      'concurrent_flushes',
      'flush_all_on_shutdown',
      'flush_op_timeout',
      'max_traces_per_block',
    ]),
  },
  compactor: {
    compaction: {
      block_retention: readPositiveDuration,
      ...ignoring([
        'compacted_block_retention',
        'compaction_window',
        'max_compaction_objects',
        'max_block_bytes',
        'retention_concurrency',
        'max_time_per_tenant',
        'compaction_cycle',
        'v2_in_buffer_bytes',
        'v2_out_buffer_bytes',
        'v2_prefetch_traces_count',
        'chunk_size_bytes', // Tempo 1.x names
        'flush_size_bytes',
      ]),
    },
    ...ignoring(['ring', 'disabled', 'override_ring_key']),
  },
  storage: {
    trace: {
      backend: readBackend,
      local: { path: readNonEmptyPath },
      wal: {
        path: readNonEmptyPath,
        ...ignoring(['v2_encoding', 'encoding', 'search_encoding', 'ingestion_time_range_slack', 'version']),
      },
      pool: { max_workers: readPositiveInt, queue_depth: readPositiveInt },
      block: {
        bloom_filter_false_positive: readFraction,
        bloom_filter_shard_size_bytes: readPositiveInt,
        ...ignoring([
          'version',
          'v2_index_downsample_bytes',
          'v2_index_page_size_bytes',
          'v2_encoding',
          'search_encoding',
          'search_page_size_bytes',
          'parquet_row_group_size_bytes',
          'parquet_dedicated_columns',
          'encoding', // Tempo 1.x names
          'index_downsample_bytes',
          'index_page_size_bytes',
        ]),
      },
      ...ignoring(['s3', 'gcs', 'azure'], 'only the local backend is used'),
      ...ignoring([
        'blocklist_poll',
        'blocklist_poll_concurrency',
        'blocklist_poll_fallback',
        'blocklist_poll_tenant_index_builders',
        'blocklist_poll_stale_tenant_index',
        'blocklist_poll_jitter_ms',
        'empty_tenant_deletion_enabled',
        'empty_tenant_deletion_age',
        'cache',
        'cache_min_compaction_level',
        'cache_max_block_age',
        'search',
        'background_cache',
        'memcached',
        'redis',
      ]),
    },
  },
  overrides: {
    // Tempo's legacy flat form...
    max_bytes_per_trace: readBytes,
    // ...and the form Tempo 2.3 introduced. Using both is refused by the loader, as by Tempo.
    defaults: {
      global: { max_bytes_per_trace: readBytes },
      ...ignoring([
        'ingestion',
        'read',
        'compaction',
        'metrics_generator',
        'forwarders',
        'storage',
        'cost_attribution',
      ]),
    },
    ...ignoring(['per_tenant_override_config', 'per_tenant_override_period', 'user_configurable_overrides']),
    ...ignoring([
      'ingestion_rate_strategy',
      'ingestion_burst_size_bytes',
      'ingestion_rate_limit_bytes',
      'ingestion_tenant_shard_size',
      'max_traces_per_user',
      'max_global_traces_per_user',
      'max_bytes_per_tag_values_query',
      'max_blocks_per_tag_values_query',
      'forwarders',
      'block_retention',
      'max_search_duration',
      'metrics_generator_*',
    ]),
  },
};
