import {
  ConfigError,
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
  readUnsupportedTls,
} from '../config-reader/config-values';
import { Ignored, ignoring, type Section } from '../config-reader/schema-node';
import type { ValueReader } from '../config-reader/types';
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
const noServerGrpc = 'Loupe has no gRPC server of its own: its gRPC listeners are the receivers';
const requestLogging = "Loupe's request logging is fixed";

/** `server.http_tls_config`: with a certificate, Tempo serves HTTPS on :3200. */
const readNoHttpTls = readUnsupportedTls(
  'Loupe serves plain HTTP on server.http_listen_port; terminate TLS (and client certificates) in a proxy in front of it',
);

/**
 * `server.proxy_protocol_enabled`: `false` only. True means a load balancer prefixes every
 * connection with a PROXY header, which Loupe would take for a malformed request: refused at start
 * rather than answering every request 400.
 */
const readNoProxyProtocol: ValueReader<false> = (value, key) => {
  if (readBool(value, key)) {
    throw new ConfigError(
      `config key "${key}" is true: Loupe does not read the PROXY protocol; turn it off at the load balancer and set "${key}" to false`,
    );
  }
  return false;
};

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

/**
 * Every key of a Tempo config file Loupe knows, composed from the modules' own sections
 * (`LOGS_SCHEMA`, `METRICS_SCHEMA`, `STORAGE_SCHEMA`, …) and the keys of the stages that have
 * no config file of their own yet. See `SchemaNode` for what each node means.
 */
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
  ...ignoring(['live_store_client', 'backend_scheduler_client'], singleProcess),
  ...ignoring(['internal_server'], 'Loupe serves /ready and /metrics on server.http_listen_port'),
  ...ignoring(['memory'], "Node's heap limit is set with --max-old-space-size"),
  ...ignoring(['span_profiling'], 'Loupe does not trace its own requests'),
  ...ignoring(['shutdown_delay'], 'Loupe starts stopping as soon as it is signalled'),
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
    http_tls_config: readNoHttpTls,
    proxy_protocol_enabled: readNoProxyProtocol,
    ...ignoring(['http_listen_network'], 'Loupe listens on TCP'),
    ...ignoring(
      ['tls_cipher_suites', 'tls_min_version'],
      'they apply only to TLS, which Loupe does not serve',
    ),
    ...ignoring(
      [
        'grpc_listen_network',
        'grpc_listen_conn_limit',
        'grpc_collect_max_streams_by_conn',
        'grpc_tls_config',
        'grpc_server_max_connection_idle',
        'grpc_server_max_connection_age',
        'grpc_server_max_connection_age_grace',
        'grpc_server_keepalive_time',
        'grpc_server_keepalive_timeout',
        'grpc_server_min_time_between_pings',
        'grpc_server_ping_without_stream_allowed',
        'grpc_server_num_workers',
        'grpc_server_stats_tracking_enabled',
        'grpc_server_recv_buffer_pools_enabled',
        'grpc_server_read_buffer_size',
        'grpc_server_write_buffer_size',
        'report_grpc_codes_in_instrumentation_label_enabled',
      ],
      noServerGrpc,
    ),
    ...ignoring(
      [
        'http_log_closed_connections_without_response_enabled',
        'log_source_ips_full',
        'log_source_ips_header',
        'log_source_ips_regex',
        'log_request_headers',
        'log_request_at_info_level_enabled',
        'log_request_exclude_headers_list',
      ],
      requestLogging,
    ),
    ...ignoring(
      ['trace_request_headers', 'trace_request_exclude_headers_list', 'create_new_traces'],
      'Loupe does not trace its own requests',
    ),
    ...ignoring(['cluster_validation'], "a check between Tempo's own components"),
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
      'artificial_delay',
    ]),
    ...ignoring(['override_ring_key'], singleProcess),
    ...ignoring(
      ['ingester_write_path_enabled', 'kafka_write_path_enabled', 'kafka_config'],
      'spans go straight to the ingester, never through Kafka',
    ),
  },
  ingester: {
    trace_idle_period: readDuration,
    max_block_bytes: readPositiveInt,
    max_block_duration: readPositiveDuration,
    flush_check_period: readPositiveDuration,
    complete_block_timeout: readPositiveDuration,
    ...ignoring(['lifecycler', 'override_ring_key', 'partition_ring'], singleProcess),
    ...ignoring(['concurrent_flushes', 'flush_all_on_shutdown', 'flush_op_timeout', 'max_traces_per_block']),
    ...ignoring(['trace_live_period'], 'a live trace is cut once idle for trace_idle_period'),
    ...ignoring(['flush_object_storage'], 'the ingester always flushes its blocks to storage'),
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
        ...ignoring(['max_condition_groups_per_tag_query'], 'tag queries are not split by condition'),
      },
      ...ignoring(['compaction', 'metrics_generator', 'forwarders', 'storage', 'cost_attribution']),
    },
    // Tempo's runtime file of per-tenant entries, re-read every period (`tenancy/overrides.ts`).
    per_tenant_override_config: readNonEmptyPath,
    per_tenant_override_period: readPositiveDuration,
    ...TAG_VALUES_OVERRIDE,
    ...ignoring(['user_configurable_overrides']),
    // Tempo 3 refuses the flat form unless this is true; Loupe reads both forms either way.
    ...ignoring(['enable_legacy_overrides'], 'Loupe reads both forms of overrides'),
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
