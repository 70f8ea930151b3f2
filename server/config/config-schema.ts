import {
  readBool,
  readBytes,
  readDuration,
  readEnum,
  readInt,
  readNonEmptyPath,
  readPort,
  readPositiveDuration,
  readPositiveInt,
  readString,
} from '../config-reader/config-values';
import { Ignored, ignoring, type Section } from '../config-reader/schema-node';
import { LOGS_SCHEMA } from '../logs/logs-config';
import { METRICS_SCHEMA } from '../metrics/metrics-config';
import { METRICS_GENERATOR_SCHEMA } from '../metrics-generator/metrics-generator-config';
import { SAMPLING_SCHEMA } from '../sampling/sampling-config';
import { QUERIER_SCHEMA, QUERY_FRONTEND_SCHEMA, TAG_VALUES_OVERRIDE } from '../search/search-config';
import { STORAGE_SCHEMA } from '../store/store-config';
import { AUTH_SCHEMA } from '../tenancy/auth-config';
import { TENANT_LIMIT_KEYS, type TenantLimitKey } from '../tenancy/tenant-limit-keys';
import { RECEIVERS_SCHEMA } from './receivers-config';
import { LOUPE_TARGETS } from './types';

const singleProcess = 'Loupe instances share a bucket, not a ring';

/**
 * Every key of a Tempo config file Loupe knows, composed from the modules' own sections
 * (`LOGS_SCHEMA`, `METRICS_SCHEMA`, `STORAGE_SCHEMA`, …) and the keys of the stages that have
 * no config file of their own yet. See `SchemaNode` for what each node means.
 */
/** The per-tenant limits of one section of Tempo's 2.3+ overrides form, as config keys. */
function limitSection(section: TenantLimitKey['section']): Section {
  return Object.fromEntries(
    TENANT_LIMIT_KEYS.filter((k) => k.section === section).map((k) => [k.key, k.read]),
  );
}

function legacyLimitKeys(): Section {
  return Object.fromEntries(
    TENANT_LIMIT_KEYS.filter((k) => k.legacy !== undefined).map((k) => [k.legacy as string, k.read]),
  );
}

export const CONFIG_SCHEMA: Section = {
  multitenancy_enabled: readBool,
  logs: LOGS_SCHEMA,
  metrics_generator: METRICS_GENERATOR_SCHEMA,
  metrics: METRICS_SCHEMA,
  sampling: SAMPLING_SCHEMA,
  auth: AUTH_SCHEMA,
  query_frontend: QUERY_FRONTEND_SCHEMA,
  querier: QUERIER_SCHEMA,
  auth_enabled: readBool, // Tempo's name for multitenancy_enabled before 2.0
  target: readEnum(LOUPE_TARGETS),
  ...ignoring(['http_api_prefix']),
  ...ignoring([
    'stream_over_http_enabled',
    'autocomplete_filtering_enabled',
    'use_otel_tracer',
    'enable_go_runtime_metrics',
    'usage_report',
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
    // For every HTTP listener (:3200 and the OTLP/HTTP receiver); the read timeout bounds gRPC calls too.
    http_server_read_timeout: readDuration,
    http_server_read_header_timeout: readDuration,
    http_server_write_timeout: readDuration,
    http_server_idle_timeout: readDuration,
    http_listen_conn_limit: readInt(Number.MIN_SAFE_INTEGER), // dskit: <= 0 is no limit
    ...ignoring([
      'grpc_listen_port',
      'grpc_listen_address',
      'register_instrumentation',
      'graceful_shutdown_timeout',
      'grpc_server_max_recv_msg_size',
      'grpc_server_max_send_msg_size',
      'grpc_server_max_concurrent_streams',
      'http_path_prefix',
      'log_source_ips_enabled',
    ]),
  },
  distributor: {
    receivers: RECEIVERS_SCHEMA,
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
    complete_block_timeout: readPositiveDuration,
    ...ignoring(['lifecycler', 'override_ring_key'], singleProcess),
    ...ignoring(['concurrent_flushes', 'flush_all_on_shutdown', 'flush_op_timeout', 'max_traces_per_block']),
  },
  compactor: {
    compaction: {
      block_retention: readPositiveDuration,
      compacted_block_retention: readPositiveDuration,
      compaction_window: readPositiveDuration,
      max_compaction_objects: readPositiveInt,
      max_block_bytes: readBytes,
      compaction_cycle: readPositiveDuration,
      ...ignoring([
        'retention_concurrency',
        'max_time_per_tenant',
        'v2_in_buffer_bytes',
        'v2_out_buffer_bytes',
        'v2_prefetch_traces_count',
        'chunk_size_bytes', // Tempo 1.x names
        'flush_size_bytes',
      ]),
    },
    disabled: readBool,
    ...ignoring(['ring', 'override_ring_key']),
  },
  storage: STORAGE_SCHEMA,
  overrides: {
    // Tempo's legacy flat form (`tenant-limit-keys.ts` lists each limit's names)...
    ...legacyLimitKeys(),
    // ...and the form Tempo 2.3 introduced. Using both is refused by the loader, as by Tempo.
    defaults: {
      global: limitSection('global'),
      ingestion: {
        ...limitSection('ingestion'),
        ...ignoring([
          'rate_strategy',
          'max_global_traces_per_user',
          'tenant_shard_size',
          'artificial_delay',
          'retry_info_enabled',
        ]),
      },
      read: {
        ...limitSection('read'),
        ...ignoring([
          'max_bytes_per_tag_values_query',
          'max_blocks_per_tag_values_query',
          'max_metrics_duration',
          'unsafe_query_hints',
          'left_pad_trace_ids',
        ]),
      },
      ...ignoring(['compaction', 'metrics_generator', 'forwarders', 'storage', 'cost_attribution']),
    },
    // Tempo's runtime file of per-tenant entries, re-read every period (`tenancy/overrides.ts`).
    per_tenant_override_config: readNonEmptyPath,
    per_tenant_override_period: readPositiveDuration,
    ...TAG_VALUES_OVERRIDE,
    ...ignoring(['user_configurable_overrides']),
    ...ignoring([
      'ingestion_rate_strategy',
      'ingestion_tenant_shard_size',
      'max_global_traces_per_user',
      'max_blocks_per_tag_values_query',
      'forwarders',
      'block_retention',
      'metrics_generator_*',
    ]),
  },
};
