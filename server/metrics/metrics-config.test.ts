import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfigYaml } from '../config/load-config';
import { TEMPO_DEFAULT_BUCKETS } from '../metrics-generator/metrics-generator-config';

const parse = (text: string) => parseConfigYaml(text, 'test.yaml');

describe('metrics_generator and metrics config', () => {
  it("defaults to Tempo's buckets, 15 s collection and Loupe as the only data source", () => {
    const { metrics } = defaultConfig();
    expect(metrics.generator.spanMetrics.histogramBuckets).toEqual(TEMPO_DEFAULT_BUCKETS);
    expect(metrics.generator.serviceGraphs).toMatchObject({ waitMs: 10_000, maxItems: 10_000 });
    expect(metrics.generator.collectionIntervalMs).toBe(15_000);
    expect(metrics.client.datasources).toEqual([{ uid: 'loupe', name: 'Loupe', url: '/prometheus' }]);
    expect(metrics.prometheusUrl).toBeUndefined();
  });

  it('bounds PromQL queries: query_timeout 2m and max_samples 5,000,000 by default, both settable', () => {
    expect(defaultConfig().metrics).toMatchObject({ queryTimeoutMs: 120_000, maxSamples: 5_000_000 });
    const { config } = parse('metrics:\n  query_timeout: 30s\n  max_samples: 1000\n');
    expect(config.metrics).toMatchObject({ queryTimeoutMs: 30_000, maxSamples: 1000 });
    expect(() => parse('metrics:\n  max_samples: 0\n')).toThrow('metrics.max_samples');
  });

  it("reads Tempo's metrics_generator keys and Loupe's metrics section", () => {
    const { config, warnings } = parse(`
metrics_generator:
  registry:
    collection_interval: 5s
    stale_duration: 1m
  storage:
    path: /var/tempo/generator/wal
    remote_write:
      - url: http://prometheus:9090/api/v1/write
        send_exemplars: true
  processor:
    span_metrics:
      histogram_buckets: [0.5, 0.1, 1]
      dimensions: [http.method]
      intrinsic_dimensions:
        status_message: true
    service_graphs:
      dimensions: [cluster]
      wait: 2s
      max_items: 500
metrics:
  retention_period: 48h
  max_series_per_tenant: 5000
  prometheus_url: http://prometheus:9090/
`);
    const m = config.metrics;
    expect(m.generator).toMatchObject({
      collectionIntervalMs: 5000,
      staleDurationMs: 60_000,
      remoteWrite: [{ url: 'http://prometheus:9090/api/v1/write' }],
      spanMetrics: { histogramBuckets: [0.1, 0.5, 1], dimensions: ['http.method'] },
      serviceGraphs: { dimensions: ['cluster'], waitMs: 2000, maxItems: 500 },
    });
    expect(m.generator.spanMetrics.intrinsicDimensions).toMatchObject({
      service: true,
      status_message: true,
    });
    expect(m).toMatchObject({
      retentionMs: 48 * 3600_000,
      maxSeriesPerTenant: 5000,
      prometheusUrl: 'http://prometheus:9090',
    });
    expect(m.client.datasources.map((d) => d.url)).toEqual(['/prometheus', '/loupe/proxy/prometheus']);
    expect(warnings).toContain(
      'config key "metrics_generator.storage.path" is accepted but ignored (Loupe keeps samples in its own WAL)',
    );
  });

  it.each([
    [
      'metrics_generator:\n  processor:\n    span_metrics:\n      histogram_buckets: [0, 1]\n',
      'histogram_buckets',
    ],
    ['metrics_generator:\n  registry:\n    collection_interval: 0s\n', 'collection_interval'],
    ['metrics:\n  prometheus_url: ftp://x\n', 'prometheus_url'],
    ['metrics_generator:\n  storage:\n    remote_write: [{}]\n', 'remote_write'],
    ['metrics:\n  max_series_per_tenant: -1\n', 'max_series_per_tenant'],
    ['metrics_generator:\n  registry:\n    max_label_value_length: 1.5\n', 'max_label_value_length'],
    ['metrics:\n  max_label_name_length: -1\n', 'max_label_name_length'],
  ])('refuses %j naming the key', (yaml, key) => {
    expect(() => parse(yaml)).toThrow(key);
  });

  it("reads Tempo's registry label limits and Mimir's for OTLP metrics, 1024 and 2048 bytes by default", () => {
    const { metrics } = defaultConfig();
    expect(metrics.generator).toMatchObject({ maxLabelNameLength: 1024, maxLabelValueLength: 2048 });
    expect(metrics).toMatchObject({ maxLabelNameLength: 1024, maxLabelValueLength: 2048 });
    const { config, warnings } = parse(`
metrics_generator:
  registry:
    max_label_name_length: 100
    max_label_value_length: 0
metrics:
  max_label_name_length: 200
  max_label_value_length: 300
`);
    expect(config.metrics.generator).toMatchObject({ maxLabelNameLength: 100, maxLabelValueLength: 0 });
    expect(config.metrics).toMatchObject({ maxLabelNameLength: 200, maxLabelValueLength: 300 });
    expect(warnings.filter((w) => w.includes('max_label'))).toEqual([]);
  });
});
