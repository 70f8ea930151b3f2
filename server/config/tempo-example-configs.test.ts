import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigYaml } from './load-config';

/**
 * Tempo's own files start Loupe unchanged: the docker-compose examples Tempo ships
 * (`fixtures/tempo-configs/`, comments trimmed), and the keys of Tempo 2.10's and 3.0's complete
 * configuration that Loupe once refused, each key Loupe does not use warned once by name. The few
 * settings whose silent loss would change what clients get (TLS, the PROXY protocol) stop startup
 * with what to do instead.
 */

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/tempo-configs/${name}`, import.meta.url));
const start = (name: string) => loadConfig([`-config.file=${fixture(name)}`], {});
/** The keys a startup warned it ignores, in file order (other warnings left out). */
const ignoredKeys = (warnings: string[]) =>
  warnings.flatMap((w) => /^config key "([^"]+)" is accepted but ignored/.exec(w)?.[1] ?? []);
/** A file without receivers is warned that it takes no traces: not what these tests are about. */
const NO_RECEIVER = /^no receiver configured/;

/** `a.b.c: value` as nested YAML. */
function nested(path: string, value: string): string {
  const keys = path.split('.');
  return keys
    .map((key, depth) => `${'  '.repeat(depth)}${key}:${depth === keys.length - 1 ? ` ${value}` : ''}`)
    .join('\n');
}

/**
 * Keys of Tempo 2.10.8's and 3.0.3's complete configuration (Tempo's documentation, every key with
 * its default) and of their examples that Loupe once refused as unknown.
 */
const TEMPO_KEYS: Record<string, string[]> = {
  '': [
    'internal_server',
    'live_store_client',
    'backend_scheduler_client',
    'memory',
    'shutdown_delay',
    'span_profiling',
  ],
  server: [
    'http_listen_network',
    'grpc_listen_network',
    'grpc_listen_conn_limit',
    'grpc_collect_max_streams_by_conn',
    'tls_cipher_suites',
    'tls_min_version',
    'grpc_tls_config',
    'report_grpc_codes_in_instrumentation_label_enabled',
    'http_log_closed_connections_without_response_enabled',
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
    'log_source_ips_full',
    'log_source_ips_header',
    'log_source_ips_regex',
    'log_request_headers',
    'log_request_at_info_level_enabled',
    'log_request_exclude_headers_list',
    'trace_request_headers',
    'trace_request_exclude_headers_list',
    'cluster_validation',
    'create_new_traces',
  ],
  distributor: [
    'override_ring_key',
    'ingester_write_path_enabled',
    'kafka_write_path_enabled',
    'kafka_config',
    'artificial_delay',
  ],
  ingester: ['partition_ring', 'trace_live_period', 'flush_object_storage'],
  querier: [
    'shuffle_sharding_ingesters_enabled',
    'shuffle_sharding_ingesters_lookback_period',
    'query_relevant_ingesters',
    'secondary_ingester_ring',
    'query_live_store',
    'extra_query_delay',
  ],
  'querier.trace_by_id': ['external'],
  query_frontend: [
    'mcp_server',
    'rf1_after',
    'max_grpc_streaming_packet_size',
    'query_end_cutoff',
    'allowed_headers',
    'skip_ast_transformations',
  ],
  metrics_generator: [
    'traces_query_storage',
    'disable_local_blocks',
    'disable_grpc',
    'limiter_type',
    'ingest_concurrency',
    'instance_id',
    'ring_mode',
    'leave_consumer_group_on_shutdown',
  ],
  'metrics_generator.processor': ['host_info'],
  'metrics_generator.processor.span_metrics': ['subprocessors', 'enable_tracestate_span_multiplier'],
  'metrics_generator.processor.service_graphs': [
    'span_multiplier_key',
    'enable_tracestate_span_multiplier',
    'database_name_attributes',
    'filter_policies',
  ],
  'storage.trace': [
    'blocklist_poll_tenant_concurrency',
    'blocklist_poll_tolerate_consecutive_errors',
    'blocklist_poll_tolerate_tenant_failures',
  ],
  overrides: ['enable_legacy_overrides'],
  'overrides.defaults.read': ['max_condition_groups_per_tag_query'],
};
const tempoKeyPaths = Object.entries(TEMPO_KEYS).flatMap(([section, keys]) =>
  keys.map((key) => (section === '' ? key : `${section}.${key}`)),
);

describe("Tempo's example configurations", () => {
  it('starts on the docker-compose example with every receiver, using what Loupe has', () => {
    const { config, warnings } = start('docker-compose-local.yaml');

    expect(config.receivers.grpc).toMatchObject({ host: 'tempo', port: 4317 });
    expect(config.receivers.http).toMatchObject({ host: 'tempo', port: 4318 });
    expect(config.receivers.zipkin).toMatchObject({ host: 'tempo', port: 9411 });
    expect(config.receivers.jaeger?.thriftHttp).toMatchObject({ host: 'tempo', port: 14268 });
    expect(config.receivers.jaeger?.grpc).toMatchObject({ host: 'tempo', port: 14250 });
    expect(config.ingester.maxBlockDurationMs).toBe(5 * 60_000);
    expect(config.compactor.blockRetentionMs).toBe(720 * 3_600_000);
    expect([config.storage.localPath, config.storage.walPath]).toEqual([
      '/var/tempo/blocks',
      '/var/tempo/wal',
    ]);
    expect(config.overrides.perTenantFile).toBe('/etc/overrides.yaml');
    expect(config.metrics.generator.remoteWrite.map((r) => r.url)).toEqual([
      'http://prometheus:9090/api/v1/write',
    ]);
    expect(warnings).toHaveLength(17);
    expect(ignoredKeys(warnings)).toEqual([
      'cache',
      'query_frontend.mcp_server',
      'query_frontend.search.duration_slo',
      'query_frontend.search.throughput_bytes_slo',
      'query_frontend.search.metadata_slo',
      'query_frontend.trace_by_id',
      'query_frontend.metrics',
      'distributor.usage',
      'distributor.receivers.jaeger.protocols.thrift_binary',
      'distributor.receivers.jaeger.protocols.thrift_compact',
      'distributor.receivers.opencensus',
      'metrics_generator.registry.external_labels',
      'metrics_generator.storage.path',
      'metrics_generator.traces_storage',
      'metrics_generator.processor.local_blocks',
      'overrides.defaults.cost_attribution',
      'overrides.defaults.metrics_generator',
    ]);
    expect(warnings).toContain(
      `config key "query_frontend.mcp_server" is accepted but ignored (Loupe does not serve Tempo's MCP endpoint)`,
    );
  });

  it("starts on Tempo 3.0's single-binary example, its blocks in S3", () => {
    const { config, warnings } = start('docker-compose-single-binary.yaml');

    expect(config.storage.backend).toBe('s3');
    expect(config.storage.s3).toMatchObject({ bucket: 'tempo', endpoint: 'minio:9000', insecure: true });
    expect(warnings).toHaveLength(6);
    expect(ignoredKeys(warnings)).toEqual([
      'stream_over_http_enabled',
      'metrics_generator.registry.external_labels',
      'metrics_generator.storage.path',
      'query_frontend.mcp_server',
      'overrides.defaults.metrics_generator',
      'usage_report',
    ]);
  });

  it.each(tempoKeyPaths)("accepts Tempo's %s with a warning naming it", (path) => {
    const { warnings } = parseConfigYaml(`${nested(path, '1')}\n`, 'tempo.yaml');
    expect(warnings.filter((w) => !NO_RECEIVER.test(w))).toEqual([
      expect.stringMatching(`^config key "${path}" is accepted but ignored`),
    ]);
  });
});

describe('Tempo settings Loupe refuses, with what to do instead', () => {
  it('serves no TLS on :3200: a certificate in server.http_tls_config stops startup', () => {
    const tls = 'server:\n  http_tls_config:\n    cert_file: /certs/tls.crt\n    key_file: /certs/tls.key\n';
    expect(() => parseConfigYaml(tls, 'tempo.yaml')).toThrow(
      'config key "server.http_tls_config" sets cert_file, key_file: Loupe serves plain HTTP on server.http_listen_port; terminate TLS',
    );
    // As Tempo's complete configuration writes it, with nothing set: no TLS, as in Loupe.
    const none =
      'server:\n  http_tls_config:\n    cert: ""\n    key: null\n    cert_file: ""\n    client_auth_type: ""\n';
    expect(parseConfigYaml(none, 'tempo.yaml').warnings.filter((w) => !NO_RECEIVER.test(w))).toEqual([]);
  });

  it('does not read the PROXY protocol: proxy_protocol_enabled true stops startup, false is fine', () => {
    expect(() => parseConfigYaml(nested('server.proxy_protocol_enabled', 'true'), 'tempo.yaml')).toThrow(
      'Loupe does not read the PROXY protocol; turn it off at the load balancer',
    );
    const off = parseConfigYaml(nested('server.proxy_protocol_enabled', 'false'), 'tempo.yaml');
    expect(off.warnings.filter((w) => !NO_RECEIVER.test(w))).toEqual([]);
  });

  it('still refuses a key Tempo does not have, so a typo is never silently ignored', () => {
    expect(() => parseConfigYaml(nested('query_frontend.mcp_servers', '1'), 'tempo.yaml')).toThrow(
      'unknown config key "query_frontend.mcp_servers"',
    );
  });

  it("takes Tempo 3's enable_legacy_overrides beside either form of overrides", () => {
    const yaml =
      'overrides:\n  enable_legacy_overrides: false\n  defaults:\n    global:\n      max_bytes_per_trace: 1000\n';
    const { config, warnings } = parseConfigYaml(yaml, 'tempo.yaml');
    expect(config.overrides.maxBytesPerTrace).toBe(1000);
    expect(ignoredKeys(warnings)).toEqual(['overrides.enable_legacy_overrides']);
  });
});
