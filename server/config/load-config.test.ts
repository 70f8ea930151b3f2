import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HTTP_SERVER_DEFAULTS } from '../http-util/listener-limits';
import { GRPC_KEEPALIVE_DEFAULTS } from '../receivers/grpc-limits';
import type { JaegerReceiversConfig } from '../receivers/jaeger/start-jaeger-receivers';
import { ConfigError, defaultConfig, loadConfig, parseConfigYaml } from './load-config';

// Verbatim from docs: the reference configuration must start Loupe unchanged.
const REFERENCE = `server:
  http_listen_port: 3200
distributor:
  receivers:
    otlp:
      protocols:
        grpc:
ingester:
  trace_idle_period: 10s
  max_block_bytes: 1_000_000
  max_block_duration: 5m
compactor:
  compaction:
    block_retention: 168h # 7 days
storage:
  trace:
    backend: local
    local:
      path: /tmp/tempo/blocks
    pool:
      max_workers: 100
      queue_depth: 10000
`;

const parse = (text: string) => parseConfigYaml(text, 'test.yaml');
const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('LOUPE_ERR_CONFIG');
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

function writeTemp(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'loupe-config-')), 'tempo.yaml');
  writeFileSync(file, text);
  return file;
}

describe('the reference configuration', () => {
  it('parses without warnings and its values take effect', () => {
    const { config, warnings } = parse(REFERENCE);
    expect(warnings).toEqual([]);
    expect(config.server.httpListenPort).toBe(3200);
    expect(config.ingester.traceIdlePeriodMs).toBe(10_000);
    expect(config.ingester.maxBlockBytes).toBe(1_000_000);
    expect(config.ingester.maxBlockDurationMs).toBe(5 * 60_000);
    expect(config.compactor.blockRetentionMs).toBe(168 * 3_600_000);
    expect(config.storage.backend).toBe('local');
    expect(config.storage.localPath).toBe('/tmp/tempo/blocks');
    expect(config.storage.walPath).toBe('/tmp/tempo/wal');
    expect(config.storage.pool).toEqual({ maxWorkers: 100, queueDepth: 10000 });
    expect(config.source).toBe('test.yaml');
  });

  it('opens OTLP/gRPC alone, on 0.0.0.0:4317', () => {
    const { receivers } = parse(REFERENCE).config;
    expect(receivers.http).toBeUndefined();
    expect(receivers.grpc).toEqual({
      host: '0.0.0.0',
      port: 4317,
      maxRecvMsgBytes: 20 * 1024 * 1024,
      keepalive: GRPC_KEEPALIVE_DEFAULTS,
    });
  });
});

describe('a Tempo 1.x-era local config', () => {
  it('starts, with a warning per feature Loupe does not have', () => {
    const { config, warnings } = parse(`auth_enabled: false
server:
  http_listen_port: 3100
distributor:
  receivers:
    jaeger:
      protocols:
        thrift_http:
        grpc:
    zipkin:
    otlp:
      protocols:
        http:
        grpc:
ingester:
  trace_idle_period: 10s
  max_block_bytes: 1_000_000
  max_block_duration: 5m
compactor:
  compaction:
    compaction_window: 1h
    max_block_bytes: 100_000_000
    block_retention: 1h
    compacted_block_retention: 10m
storage:
  trace:
    backend: local
    block:
      bloom_filter_false_positive: .05
      index_downsample_bytes: 1000
      encoding: zstd
    wal:
      path: /tmp/tempo/wal
      encoding: none
    local:
      path: /tmp/tempo/blocks
    pool:
      max_workers: 100
      queue_depth: 10000
`);
    expect(config.server.httpListenPort).toBe(3100);
    expect(config.receivers.grpc).toBeDefined();
    expect(config.receivers.http).toBeDefined();
    expect(config.compactor.blockRetentionMs).toBe(3_600_000);
    expect(config.compactor).toMatchObject({
      windowMs: 3_600_000,
      maxBlockBytes: 100_000_000,
      compactedBlockRetentionMs: 600_000,
      disabled: false,
    });
    expect(config.storage.bloomFalsePositive).toBe(0.05);
    expect(config.storage.walPath).toBe('/tmp/tempo/wal');
    // Its Jaeger and Zipkin receivers are started, on the Collector's default ports.
    expect(config.receivers.zipkin).toMatchObject({ host: '0.0.0.0', port: 9411 });
    expect(config.receivers.jaeger).toEqual({
      thriftHttp: { host: '0.0.0.0', port: 14268, maxRequestBodyBytes: 20 * 1024 * 1024 },
      grpc: { host: '0.0.0.0', port: 14250, maxRecvMsgBytes: 20 * 1024 * 1024 },
    });
    expect(warnings).toHaveLength(3);
    expect(warnings).toContain('config key "storage.trace.block.encoding" is accepted but ignored');
  });
});

describe('defaults', () => {
  it('without a config file: both receivers, Tempo timings, Loupe trace limit', () => {
    const { config, warnings } = loadConfig([]);
    expect(warnings).toEqual([]);
    expect(config).toEqual(defaultConfig());
    expect(config.server).toEqual({
      httpListenAddress: '',
      httpListenPort: 3200,
      logLevel: 'info',
      http: HTTP_SERVER_DEFAULTS,
    });
    expect(config.multitenancyEnabled).toBe(false);
    expect(Object.keys(config.receivers).sort()).toEqual(['grpc', 'http']);
    expect(config.receivers.grpc).toMatchObject({ host: '0.0.0.0', port: 4317 });
    expect(config.receivers.http).toEqual({
      host: '0.0.0.0',
      port: 4318,
      maxRequestBodyBytes: 20 * 1024 * 1024,
      corsAllowedOrigins: [],
    });
    expect(config.ingester).toEqual({
      traceIdlePeriodMs: 10_000,
      maxBlockBytes: 500 * 1024 * 1024,
      maxBlockDurationMs: 30 * 60_000,
      flushCheckPeriodMs: 10_000,
      completeBlockTimeoutMs: 15 * 60_000,
    });
    expect(config.target).toBe('all');
    expect(config.compactor.blockRetentionMs).toBe(336 * 3_600_000);
    expect(config.storage).toEqual({
      backend: 'local',
      localPath: resolve('data/blocks'),
      walPath: resolve('data/wal'),
      pool: { maxWorkers: 400, queueDepth: 20000 },
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 100 * 1024,
      blocklistPollMs: 300_000,
    });
    expect(config.overrides.maxBytesPerTrace).toBe(50_000_000);
  });

  it('an empty config file opens no receiver, and says so', () => {
    const { config, warnings } = parse('');
    expect(config.receivers).toEqual({});
    expect(warnings).toEqual([
      'no receiver configured (distributor.receivers.otlp, distributor.receivers.jaeger or distributor.receivers.zipkin): Loupe will not accept traces',
    ]);
  });
});

describe('command line', () => {
  const file = writeTemp('server:\n  http_listen_port: 3333\n');

  it.each([
    [`-config.file=${file}`],
    [`--config.file=${file}`],
    ['-config.file', file],
    ['--config.file', file],
  ])('reads the file given as %s', (...argv) => {
    const { config } = loadConfig(argv);
    expect(config.server.httpListenPort).toBe(3333);
    expect(config.source).toBe(file);
  });

  it('refuses a missing value, an unknown flag, a stray argument and an unreadable file', () => {
    expect(errorOf(() => loadConfig(['-config.file'])).message).toMatch(
      /flag needs an argument: -config.file/,
    );
    expect(errorOf(() => loadConfig(['-config.fil=x.yaml'])).message).toMatch(
      /flag provided but not defined: -config.fil/,
    );
    expect(errorOf(() => loadConfig(['tempo.yaml'])).message).toMatch(/unexpected argument "tempo.yaml"/);
    expect(errorOf(() => loadConfig(['-config.file=/nonexistent/tempo.yaml'])).message).toMatch(
      /cannot read config file "\/nonexistent\/tempo.yaml"/,
    );
  });

  it("leaves Grafana's __value.raw data-link variable alone under -config.expand-env", () => {
    const valueRaw = '$' + '{__value.raw}';
    const file = writeTemp(
      `logs:\n  derivedFields:\n    - name: TraceID\n      matcherRegex: "trace_id=(\\\\w+)"\n      url: "${valueRaw}"\n      datasourceUid: tempo\n`,
    );
    const { config } = loadConfig([`-config.file=${file}`, '-config.expand-env'], {});
    expect(config.logs.client.derivedFields[0]).toMatchObject({
      url: valueRaw,
      matcherRegex: 'trace_id=(\\w+)',
    });
  });

  it('expands environment variables (with defaults) only with -config.expand-env', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Tempo's ${VAR} syntax, not a JS template
    const yaml = 'server:\n  http_listen_port: ${PORT}\n  http_listen_address: ${ADDR:-127.0.0.1}\n';
    const envFile = writeTemp(yaml);
    const { config } = loadConfig([`-config.file=${envFile}`, '-config.expand-env'], { PORT: '3201' });
    expect(config.server).toMatchObject({ httpListenPort: 3201, httpListenAddress: '127.0.0.1' });
    expect(
      loadConfig([`-config.file=${envFile}`, '-config.expand-env=true'], { PORT: '1', ADDR: 'h' }).config
        .server,
    ).toMatchObject({ httpListenPort: 1, httpListenAddress: 'h' });
    expect(errorOf(() => loadConfig([`-config.file=${envFile}`], { PORT: '3201' })).message).toMatch(
      /server.http_listen_port/,
    );
  });
});

describe('targets (-target, target:)', () => {
  const querierFile = writeTemp(
    'target: querier\nquerier:\n  ingester_addresses: [dns+ingesters:3200, 10.0.0.7:3200]\n',
  );

  it('reads target from the file, and -target wins over it', () => {
    expect(loadConfig([`-config.file=${querierFile}`]).config.target).toBe('querier');
    expect(loadConfig([`-config.file=${querierFile}`]).config.querier.ingesterAddresses).toEqual([
      'dns+ingesters:3200',
      '10.0.0.7:3200',
    ]);
    expect(loadConfig([`-config.file=${querierFile}`, '-target=compactor']).config.target).toBe('compactor');
    expect(loadConfig(['-target', 'ingester']).config.target).toBe('ingester');
  });

  it('refuses an unknown target, a querier without ingesters, and an address that is not host:port', () => {
    expect(errorOf(() => loadConfig(['-target=distributor'])).message).toMatch(
      /invalid value "distributor" for -target: use one of all, ingester, querier, compactor/,
    );
    expect(errorOf(() => parse('target: frontend')).message).toMatch(/target/);
    expect(errorOf(() => loadConfig(['-target=querier'])).message).toMatch(
      /-target=querier needs "querier.ingester_addresses"/,
    );
    const bad = writeTemp('querier:\n  ingester_addresses: [ingester-0]\n');
    expect(errorOf(() => loadConfig([`-config.file=${bad}`])).message).toMatch(
      /querier.ingester_addresses.*"ingester-0" is not host:port/,
    );
  });
});

describe('unknown and ignored keys', () => {
  it.each([
    ['ingester:\n  foo: 1\n', 'ingester.foo'],
    ['foo: 1\n', 'foo'],
    [
      'distributor:\n  receivers:\n    otlp:\n      protocols:\n        grpc:\n          endpiont: ":1"\n',
      'distributor.receivers.otlp.protocols.grpc.endpiont',
    ],
    [
      'storage:\n  trace:\n    bloom_filter_false_positive: 0.1\n',
      'storage.trace.bloom_filter_false_positive',
    ],
  ])('%j stops with the full key path', (yaml, key) => {
    expect(errorOf(() => parse(yaml)).message).toContain(`unknown config key "${key}"`);
  });

  it('warns once per Tempo key it accepts but ignores', () => {
    const { warnings } = parse(
      [
        'server:\n  grpc_listen_port: 9095',
        'ingester:\n  lifecycler:\n    ring:\n      replication_factor: 1',
        'metrics_generator:\n  registry:\n    external_labels: {source: tempo}',
        'overrides:\n  metrics_generator_processors: [service-graphs]',
        'stream_over_http_enabled: true',
      ].join('\n'),
    );
    expect(warnings).toContain('config key "server.grpc_listen_port" is accepted but ignored');
    expect(warnings).toContain(
      'config key "ingester.lifecycler" is accepted but ignored (Loupe instances share a bucket, not a ring)',
    );
    expect(warnings).toContain(
      'config key "metrics_generator.registry.external_labels" is accepted but ignored',
    );
    expect(warnings).toContain('config key "overrides.metrics_generator_processors" is accepted but ignored');
    expect(warnings).toContain('config key "stream_over_http_enabled" is accepted but ignored');
  });
});

describe('value types', () => {
  it.each([
    [
      'server:\n  http_listen_port: abc\n',
      /"server.http_listen_port" must be a port number \(0-65535\), got "abc"/,
    ],
    ['server:\n  http_listen_port: 70000\n', /"server.http_listen_port" must be a port number/],
    ['ingester:\n  trace_idle_period: 10\n', /"ingester.trace_idle_period" must be a duration/],
    ['ingester:\n  max_block_duration: 0s\n', /"ingester.max_block_duration" must be a duration above zero/],
    ['multitenancy_enabled: please\n', /"multitenancy_enabled" must be true or false/],
    ['server:\n  log_level: verbose\n', /"server.log_level" must be one of debug, info, warn, error/],
    ['ingester: 5\n', /"ingester" must be a mapping/],
    ['storage:\n  trace:\n    block:\n      bloom_filter_false_positive: 2\n', /between 0 and 1/],
    [
      'distributor:\n  receivers:\n    otlp:\n      protocols:\n        http:\n          cors:\n            allowed_origins: "*"\n',
      /a list of strings/,
    ],
  ])('%j is refused', (yaml, message) => {
    expect(errorOf(() => parse(yaml)).message).toMatch(message);
  });

  it('reads YAML 1.1 as Go does', () => {
    const { config } = parse(
      'multitenancy_enabled: yes\ningester:\n  max_block_bytes: 2_000_000\nserver:\n  http_listen_address: 1:20\n',
    );
    expect(config.multitenancyEnabled).toBe(true);
    expect(config.ingester.maxBlockBytes).toBe(2_000_000);
    expect(config.server.httpListenAddress).toBe('1:20'); // no 1.1 sexagesimal: Go keeps it a string
  });

  it('reports invalid YAML and duplicate keys', () => {
    expect(errorOf(() => parse('server: [\n')).message).toMatch(/"test.yaml" is not valid YAML/);
    expect(errorOf(() => parse('server:\n  http_listen_port: 1\n  http_listen_port: 2\n')).message).toMatch(
      /not valid YAML/,
    );
  });

  it('accepts auth_enabled, Tempo 1.x name for multitenancy_enabled', () => {
    expect(parse('auth_enabled: true\n').config.multitenancyEnabled).toBe(true);
  });
});

describe('receivers', () => {
  const otlp = (protocols: string) => `distributor:\n  receivers:\n    otlp:\n      protocols:\n${protocols}`;

  it('http: beside grpc: adds the HTTP receiver, with its endpoint, body limit and CORS origins', () => {
    const { config } = parse(
      otlp(
        '        grpc:\n          endpoint: 127.0.0.1:14317\n          max_recv_msg_size_mib: 8\n' +
          '        http:\n          endpoint: ":14318"\n          max_request_body_size: 1048576\n' +
          '          cors:\n            allowed_origins: ["http://localhost:3000"]\n',
      ),
    );
    expect(config.receivers.grpc).toEqual({
      host: '127.0.0.1',
      port: 14317,
      maxRecvMsgBytes: 8 * 1024 * 1024,
      keepalive: GRPC_KEEPALIVE_DEFAULTS,
    });
    expect(config.receivers.http).toEqual({
      host: '0.0.0.0',
      port: 14318,
      maxRequestBodyBytes: 1048576,
      corsAllowedOrigins: ['http://localhost:3000'],
    });
  });

  it('http: alone opens only OTLP/HTTP; [::1] endpoints lose their brackets', () => {
    const { receivers } = parse(otlp('        http:\n          endpoint: "[::1]:4318"\n')).config;
    expect(receivers.grpc).toBeUndefined();
    expect(receivers.http).toMatchObject({ host: '::1', port: 4318 });
  });

  it('refuses an otlp receiver without protocols and a malformed endpoint', () => {
    expect(errorOf(() => parse('distributor:\n  receivers:\n    otlp:\n')).message).toMatch(
      /at least one protocol/,
    );
    expect(errorOf(() => parse(otlp('        grpc:\n          endpoint: localhost\n'))).message).toMatch(
      /"distributor.receivers.otlp.protocols.grpc.endpoint" must be an endpoint/,
    );
  });

  it("zipkin: alone starts the Zipkin receiver on the Collector's default endpoint and body limit", () => {
    const { config, warnings } = parse('distributor:\n  receivers:\n    zipkin:\n');
    expect(warnings).toEqual([]);
    expect(config.receivers).toEqual({
      zipkin: { host: '0.0.0.0', port: 9411, maxRequestBodyBytes: 20 * 1024 * 1024, parseStringTags: false },
    });
  });

  it('zipkin: takes its endpoint, body limit and parse_string_tags, and warns about the HTTP keys it ignores', () => {
    const { config, warnings } = parse(
      'distributor:\n  receivers:\n    zipkin:\n      endpoint: 127.0.0.1:19411\n' +
        '      max_request_body_size: 1048576\n      parse_string_tags: true\n      tls: {}\n      read_timeout: 5s\n',
    );
    expect(config.receivers.zipkin).toEqual({
      host: '127.0.0.1',
      port: 19411,
      maxRequestBodyBytes: 1048576,
      parseStringTags: true,
    });
    // An empty tls section is what complete default configs write: accepted, nothing to serve.
    expect(warnings).toEqual([
      'config key "distributor.receivers.zipkin.read_timeout" is accepted but ignored (the server.http_server_* timeouts apply to every listener)',
    ]);
    // A certificate would promise senders TLS that Loupe does not serve: refused, with what to do.
    for (const receiver of ['zipkin', 'otlp:\n      protocols:\n        grpc']) {
      const indent = receiver === 'zipkin' ? '      ' : '          ';
      expect(
        errorOf(() =>
          parse(
            `distributor:\n  receivers:\n    ${receiver}:\n${indent}tls:\n${indent}  cert_file: /c.pem\n`,
          ),
        ).message,
      ).toMatch(/tls" sets cert_file: .*terminate TLS in a proxy/);
    }
    expect(
      errorOf(() => parse('distributor:\n  receivers:\n    zipkin:\n      endpoint: 9411\n')).message,
    ).toMatch(/"distributor.receivers.zipkin.endpoint" must be an endpoint/);
    expect(
      errorOf(() => parse('distributor:\n  receivers:\n    zipkin:\n      endpiont: ":1"\n')).message,
    ).toContain('unknown config key "distributor.receivers.zipkin.endpiont"');
  });

  it('jaeger: starts the protocols it lists (a bare key takes the default endpoint); the UDP agent ones are ignored', () => {
    const jaeger = (protocols: string) =>
      `distributor:\n  receivers:\n    jaeger:\n      protocols:\n${protocols}`;
    const { config, warnings } = parse(
      jaeger(
        '        thrift_http:\n        grpc:\n          endpoint: 127.0.0.1:24250\n          max_recv_msg_size_mib: 4\n' +
          '        thrift_compact:\n          endpoint: 0.0.0.0:6831\n',
      ),
    );
    // The shape startJaegerReceivers takes (receivers/jaeger/start-jaeger-receivers.ts).
    const expected: JaegerReceiversConfig = {
      thriftHttp: { host: '0.0.0.0', port: 14268, maxRequestBodyBytes: 20 * 1024 * 1024 },
      grpc: { host: '127.0.0.1', port: 24250, maxRecvMsgBytes: 4 * 1024 * 1024 },
    };
    expect(config.receivers.jaeger).toEqual(expected);
    expect(warnings).toEqual([
      'config key "distributor.receivers.jaeger.protocols.thrift_compact" is accepted but ignored (Jaeger agent UDP protocols; Loupe takes Jaeger spans over thrift_http and grpc)',
    ]);
    expect(
      parse(jaeger('        thrift_http:\n          max_request_body_size: 1000\n')).config.receivers,
    ).toEqual({
      jaeger: { thriftHttp: { host: '0.0.0.0', port: 14268, maxRequestBodyBytes: 1000 } },
    });

    const udpOnly = parse(jaeger('        thrift_binary:\n'));
    expect(udpOnly.config.receivers.jaeger).toBeUndefined();
    expect(udpOnly.warnings.join('\n')).toMatch(/no receiver configured/);
    expect(errorOf(() => parse('distributor:\n  receivers:\n    jaeger:\n')).message).toMatch(
      /"distributor.receivers.jaeger" must list at least one protocol under protocols: \(thrift_http: and\/or grpc:\)/,
    );
  });

  it('warns about the receivers Loupe does not have', () => {
    const { warnings } = parse(
      `${otlp('        grpc:\n')}    opencensus:\n    kafka:\n      brokers: [k:9092]\n`,
    );
    expect(warnings).toEqual([
      'config key "distributor.receivers.opencensus" is accepted but ignored (Loupe receives OTLP, Jaeger and Zipkin)',
      'config key "distributor.receivers.kafka" is accepted but ignored (Loupe receives OTLP, Jaeger and Zipkin)',
    ]);
  });
});

describe('overrides', () => {
  it('reads max_bytes_per_trace in the legacy and the new form; 0 means no limit', () => {
    expect(parse('overrides:\n  max_bytes_per_trace: 5000000\n').config.overrides.maxBytesPerTrace).toBe(
      5_000_000,
    );
    const modern = 'overrides:\n  defaults:\n    global:\n      max_bytes_per_trace: 7000000\n';
    expect(parse(modern).config.overrides.maxBytesPerTrace).toBe(7_000_000);
    expect(parse('overrides:\n  max_bytes_per_trace: 0\n').config.overrides.maxBytesPerTrace).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it("reads Tempo's per-tenant runtime file settings, with Tempo's 10s period by default", () => {
    const file = parse('overrides:\n  per_tenant_override_config: /etc/loupe/overrides.yaml\n').config
      .overrides;
    expect(file).toMatchObject({ perTenantFile: '/etc/loupe/overrides.yaml', perTenantPeriodMs: 10_000 });
    const withPeriod = parse(
      'overrides:\n  defaults:\n    global:\n      max_bytes_per_trace: 1\n  per_tenant_override_config: o.yaml\n  per_tenant_override_period: 1m\n',
    ).config.overrides;
    expect(withPeriod).toMatchObject({
      maxBytesPerTrace: 1,
      perTenantFile: 'o.yaml',
      perTenantPeriodMs: 60_000,
    });
    expect(parse('').config.overrides.perTenantFile).toBeUndefined();
  });

  it('refuses mixing the two forms', () => {
    const mixed =
      'overrides:\n  max_bytes_per_trace: 1\n  defaults:\n    global:\n      max_bytes_per_trace: 2\n';
    expect(errorOf(() => parse(mixed)).message).toMatch(/legacy flat form and cannot be mixed/);
  });
});
