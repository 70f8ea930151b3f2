import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as HttpMetricExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { instantVector, queryExemplars, valuesBy } from './support/metrics-api';

/**
 * Applications' own metrics: the real OpenTelemetry metrics SDK exports over each OTLP
 * transport into Loupe's series store and they come back through the Prometheus API with
 * Prometheus's OTLP naming (`_total`, unit suffixes, `job`/`instance`), delta temporality
 * stored cumulative; exemplars pushed with data points are kept; the series limit is reported.
 */

async function exportOnce(exporter: PushMetricExporter, service: string, record: (p: MeterProvider) => void) {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1` }),
    readers: [reader],
  });
  record(provider);
  await provider.forceFlush();
  return provider;
}

function recordSample(provider: MeterProvider) {
  const meter = provider.getMeter('otlp-ingest-test');
  meter.createCounter('http.server.requests').add(5, { 'http.route': '/a' });
  const duration = meter.createHistogram('http.server.duration', { unit: 's' });
  for (const v of [0.1, 0.2, 3]) duration.record(v, { 'http.route': '/a' });
  meter.createGauge('queue.depth').record(7);
}

describe('OTLP metrics from the real OpenTelemetry metrics SDK', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    server = await startTestLoupe();
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  const api = () => `${server.api}/prometheus`;
  const variants = [
    { name: 'grpc', make: () => new GrpcMetricExporter({ url: `http://${server.grpc}` }) },
    { name: 'proto', make: () => new ProtoMetricExporter({ url: `${server.otlp}/v1/metrics` }) },
    { name: 'json', make: () => new HttpMetricExporter({ url: `${server.otlp}/v1/metrics` }) },
  ];

  for (const variant of variants) {
    it(`stores counters, histograms and gauges sent with exporter-metrics-otlp-${variant.name}`, async () => {
      const job = `svc-${variant.name}`;
      const provider = await exportOnce(variant.make(), job, recordSample);
      await provider.shutdown();
      const requests = await instantVector(api(), `http_server_requests_total{job="${job}"}`);
      expect(requests.map((r) => [r.metric, r.value[1]])).toEqual([
        [{ __name__: 'http_server_requests_total', http_route: '/a', instance: `${job}-1`, job }, '5'],
      ]);
      const buckets = valuesBy(
        await instantVector(api(), `http_server_duration_seconds_bucket{job="${job}"}`),
        'le',
      );
      expect(buckets).toMatchObject({ '0': 0, '5': 3, '10': 3, '+Inf': 3 });
      const [count] = await instantVector(api(), `http_server_duration_seconds_count{job="${job}"}`);
      expect(count.value[1]).toBe('3');
      const [sum] = await instantVector(api(), `http_server_duration_seconds_sum{job="${job}"}`);
      expect(Number(sum.value[1])).toBeCloseTo(3.3, 9);
      const [gauge] = await instantVector(api(), `queue_depth{job="${job}"}`);
      expect(gauge.value[1]).toBe('7');
    });
  }

  it('accumulates delta temporality into cumulative counters', async () => {
    const exporter = new HttpMetricExporter({
      url: `${server.otlp}/v1/metrics`,
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'delta-svc' }),
      readers: [reader],
    });
    const counter = provider.getMeter('delta').createCounter('jobs.done');
    counter.add(5);
    await provider.forceFlush();
    await new Promise((r) => setTimeout(r, 5)); // a later timestamp for the second export
    counter.add(3);
    await provider.forceFlush();
    await provider.shutdown();
    const [done] = await instantVector(api(), 'jobs_done_total{job="delta-svc"}');
    expect(done.value[1]).toBe('8');
  });

  it('keeps exemplars of pushed data points, with their trace and span IDs', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const spanId = '00f067aa0ba902b7';
    const nowNanos = `${Date.now()}000000`;
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'exemplar-svc' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'orders.latency',
                  unit: 's',
                  histogram: {
                    aggregationTemporality: 2,
                    dataPoints: [
                      {
                        timeUnixNano: nowNanos,
                        count: '2',
                        sum: 0.4,
                        bucketCounts: ['1', '1', '0'],
                        explicitBounds: [0.1, 0.5],
                        exemplars: [{ timeUnixNano: nowNanos, asDouble: 0.31, traceId, spanId }],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${server.otlp}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const now = Date.now() / 1000;
    const series = await queryExemplars(api(), 'orders_latency_seconds_bucket', now - 60, now + 60);
    expect(series).toEqual([
      {
        seriesLabels: { __name__: 'orders_latency_seconds_bucket', job: 'exemplar-svc', le: '0.5' },
        exemplars: [
          { labels: { trace_id: traceId, span_id: spanId }, value: '0.31', timestamp: expect.any(Number) },
        ],
      },
    ]);
  });
});

describe('series limit per tenant', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    server = await startTestLoupe({ metrics: { maxSeriesPerTenant: 3 } });
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('refuses new series past the limit with a partial success naming the limit, and counts them', async () => {
    const points = ['a', 'b', 'c', 'd', 'e'].map((route) => ({
      attributes: [{ key: 'route', value: { stringValue: route } }],
      timeUnixNano: `${Date.now()}000000`,
      asInt: '1',
    }));
    const body = {
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'hits', gauge: { dataPoints: points } }] }] }],
    };
    const res = await fetch(`${server.otlp}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as {
      partialSuccess?: { rejectedDataPoints?: string | number; errorMessage?: string };
    };
    expect(Number(answer.partialSuccess?.rejectedDataPoints)).toBe(2);
    expect(answer.partialSuccess?.errorMessage).toContain('max_series_per_tenant');
    expect(await instantVector(`${server.api}/prometheus`, 'count(hits)')).toMatchObject([
      { value: [expect.any(Number), '3'] },
    ]);
    const metrics = await (await fetch(`${server.api}/metrics`)).text();
    expect(metrics).toMatch(/loupe_metrics_series_dropped_total\{tenant="single-tenant",reason="otlp"\} 2/);
  });

  it('drops span-metrics series past the limit too, counts them, and keeps serving', async () => {
    const span = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'GET /limited',
      kind: 2,
      startTimeUnixNano: `${Date.now() - 5}000000`,
      endTimeUnixNano: `${Date.now()}000000`,
    };
    const trace = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'limited' } }] },
          scopeSpans: [{ spans: [span] }],
        },
      ],
    };
    const res = await fetch(`${server.otlp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(trace),
    });
    expect(res.status).toBe(200);
    await server.loupe.seriesMetrics.collectNow();
    const metrics = await (await fetch(`${server.api}/metrics`)).text();
    // The latency histogram (14 buckets + +Inf + _sum + _count) never fits in a limit of 3.
    expect(metrics).toMatch(
      /loupe_metrics_series_dropped_total\{tenant="single-tenant",reason="span_metrics"\} (1[7-9]|[2-9]\d)/,
    );
    expect(await instantVector(`${server.api}/prometheus`, 'traces_spanmetrics_latency_count')).toEqual([]);
    expect(await instantVector(`${server.api}/prometheus`, 'count(hits)')).toMatchObject([
      { value: [expect.any(Number), '3'] },
    ]);
  });
});
