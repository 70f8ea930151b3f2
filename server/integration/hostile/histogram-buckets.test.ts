import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpProtoTypes } from '../../otlp/protobuf-root';
import { isReady, metricValue, scrapeMetrics } from '../support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';
import { instantVector } from '../support/metrics-api';
import { decodeExportResponse } from '../support/otlp-response';

/**
 * One OTLP histogram data point with 100,000 explicit bounds (a 1.5 MB request) became ~100,000
 * series: the tenant's whole series budget, and half a gigabyte, until they went stale. A data
 * point with more than `metrics.max_histogram_buckets` (160) buckets is now refused whole, and
 * one request creates at most `metrics.max_new_series_per_request` new series; both are named in
 * OTLP `partial_success`, counted, and what was accepted stays queryable.
 */

const TENANT = 'single-tenant';
const attr = (key: string, stringValue: string) => ({ key, value: { stringValue } });
const now = () => `${Date.now()}000000`;

function metricsRequest(metrics: object[]): Uint8Array {
  const { ExportMetricsServiceRequest } = otlpProtoTypes();
  const resourceMetrics = [
    { resource: { attributes: [attr('service.name', 'hostile')] }, scopeMetrics: [{ metrics }] },
  ];
  return ExportMetricsServiceRequest.encode(
    ExportMetricsServiceRequest.fromObject({ resourceMetrics }),
  ).finish();
}

function histogram(name: string, bounds: number) {
  const dataPoint = {
    timeUnixNano: now(),
    count: 1,
    sum: 1,
    explicitBounds: Array.from({ length: bounds }, (_, i) => i / 10),
    bucketCounts: Array.from({ length: bounds + 1 }, (_, i) => (i === 1 ? 1 : 0)),
  };
  return { name, histogram: { aggregationTemporality: 2, dataPoints: [dataPoint] } };
}

function gauge(name: string, points: number, value = 1) {
  const dataPoints = Array.from({ length: points }, (_, i) => ({
    attributes: [attr('n', String(i))],
    timeUnixNano: now(),
    asDouble: value,
  }));
  return { name, gauge: { dataPoints } };
}

async function push(server: TestLoupe, body: Uint8Array) {
  const res = await fetch(`${server.otlp}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: Buffer.from(body),
  });
  expect(res.status).toBe(200);
  const { partialSuccess } = decodeExportResponse(new Uint8Array(await res.arrayBuffer()));
  return { rejected: partialSuccess?.rejectedSpans ?? 0, message: partialSuccess?.errorMessage ?? '' };
}

const activeSeries = async (server: TestLoupe) =>
  metricValue(await scrapeMetrics(server.api), 'loupe_metrics_active_series', { tenant: TENANT });

describe('a histogram data point with 100,000 buckets', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    server = await startTestLoupe();
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('is refused through partial_success naming the limit; the rest of the request is stored', async () => {
    const body = metricsRequest([histogram('huge', 100_000), histogram('normal', 10), gauge('beside', 1)]);
    expect(body.length).toBeGreaterThan(1_000_000);
    const answer = await push(server, body);
    expect(answer.rejected).toBe(1);
    expect(answer.message).toContain('"huge" has 100001 buckets, over the limit of 160');
    expect(answer.message).toContain('metrics.max_histogram_buckets');
    // 11 buckets + _sum + _count of the normal histogram, and the gauge.
    expect(await activeSeries(server)).toBe(14);
    const buckets = await instantVector(`${server.api}/prometheus`, 'normal_bucket');
    expect(buckets).toHaveLength(11);
    expect(await instantVector(`${server.api}/prometheus`, 'beside')).toHaveLength(1);
    expect(await instantVector(`${server.api}/prometheus`, '{__name__=~"huge.*"}')).toEqual([]);
    const exposition = await scrapeMetrics(server.api);
    expect(
      metricValue(exposition, 'loupe_metrics_data_points_refused_total', { reason: 'too_many_buckets' }),
    ).toBe(1);
    expect(await isReady(server.api)).toBe(true);
  });
});

describe('a request creating more new series than metrics.max_new_series_per_request', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    server = await startTestLoupe({ metrics: { maxNewSeriesPerRequest: 50 } });
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('has the excess refused with the limit named; series it already has are never refused', async () => {
    const first = await push(server, metricsRequest([gauge('wide', 120)]));
    expect(first.rejected).toBe(70);
    expect(first.message).toBe(
      '70 new series refused: one request may create at most 50 (metrics.max_new_series_per_request); send fewer new series per request',
    );
    expect(await instantVector(`${server.api}/prometheus`, 'wide')).toHaveLength(50);

    // The same 120 again: the 50 known ones are updated and 50 more created.
    const second = await push(server, metricsRequest([gauge('wide', 120, 2)]));
    expect(second.rejected).toBe(20);
    const stored = await instantVector(`${server.api}/prometheus`, 'wide');
    expect(stored).toHaveLength(100);
    expect(stored.filter((s) => s.value[1] === '2')).toHaveLength(100);
    const exposition = await scrapeMetrics(server.api);
    expect(
      metricValue(exposition, 'loupe_metrics_series_dropped_total', { reason: 'max_new_series_per_request' }),
    ).toBe(90);
    expect(await isReady(server.api)).toBe(true);
  });
});
