import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, postTraces } from '../support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';
import { instantVector, promGet } from '../support/metrics-api';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../support/otlp-request';

/**
 * Issue 11: one span whose service or span name is 10 MiB must not take `/metrics`, span-metrics
 * collection, the series API or a restart down for everyone. The value is cut to
 * `metrics_generator.registry.max_label_value_length` (2048 bytes by default) and counted; an
 * OTLP metrics data point with such a label is refused on its own (Mimir's behaviour).
 */

const MiB = 1024 * 1024;
const LIMIT = 2048;
const hugeService = `huge-service-${'s'.repeat(10 * MiB)}`;
const hugeSpanName = `huge-span-${'n'.repeat(10 * MiB)}`;
const TENANT = 'single-tenant';

async function sendSpan(server: TestLoupe, service: string, name: string, kind = 2): Promise<void> {
  const body = encodeTraceRequest([
    { service, spans: [simpleSpan(newTraceId(), name, Date.now() - 1000, { kind, durationMs: 20 })] },
  ]);
  const answer = await postTraces(server.otlp, body);
  expect(answer.status).toBe(200);
}

async function scrape(server: TestLoupe): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.api}/metrics`);
  return { status: res.status, text: await res.text() };
}

describe('a 10 MiB service name or span name', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    // 40 MiB in a few seconds: past the default ingestion rate, which is not what this tests.
    server = await startTestLoupe({ overrides: { tenantLimits: { ingestionRateBytes: 0 } } });
    for (let i = 0; i < 3; i++) await sendSpan(server, 'steady', 'GET /steady');
    await sendSpan(server, hugeService, 'GET /huge');
    await sendSpan(server, 'long-names', hugeSpanName);
    // A second pair, as in the issue: four requests of about 10 MiB each.
    await sendSpan(server, `${hugeService}-2`, 'GET /huge');
    await sendSpan(server, 'long-names', `${hugeSpanName}-2`);
  }, 60_000);

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('collects span metrics into the series store without failing', async () => {
    await expect(server.loupe.seriesMetrics.collectNow()).resolves.toBeUndefined();
  }, 30_000);

  it('keeps /metrics answering with Loupe’s own metrics and every service’s span metrics', async () => {
    const { status, text } = await scrape(server);
    expect(status).toBe(200);
    expect(text).toContain('loupe_distributor_spans_received_total');
    expect(metricValue(text, 'traces_spanmetrics_calls_total', { tenant: TENANT, service: 'steady' })).toBe(
      3,
    );
    // The huge values are there, cut to the limit: one series per distinct prefix.
    const truncatedService = hugeService.slice(0, LIMIT);
    expect(metricValue(text, 'traces_spanmetrics_calls_total', { service: truncatedService })).toBe(2);
    const truncatedName = hugeSpanName.slice(0, LIMIT);
    expect(metricValue(text, 'traces_spanmetrics_calls_total', { span_name: truncatedName })).toBe(2);
    expect(text.length).toBeLessThan(2 * MiB);
  }, 30_000);

  it('counts the truncated label values', async () => {
    const { text } = await scrape(server);
    expect(
      metricValue(text, 'loupe_metrics_generator_label_values_truncated_total', { tenant: TENANT }),
    ).toBeGreaterThanOrEqual(4);
  });

  it('answers the series API quickly, with the truncated value', async () => {
    const started = Date.now();
    const { status, body } = await promGet<{ data: Record<string, string>[] }>(
      `${server.api}/prometheus`,
      'series',
      { 'match[]': 'traces_spanmetrics_calls_total' },
    );
    expect(status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2000);
    const services = new Set(body.data.map((s) => s.service));
    expect(services).toContain('steady');
    expect(services).toContain(hugeService.slice(0, LIMIT));
    for (const s of body.data) {
      for (const value of Object.values(s)) expect(Buffer.byteLength(value)).toBeLessThanOrEqual(LIMIT);
    }
  });

  it('keeps the span metrics of every service across a restart', async () => {
    await server.loupe.stop();
    server = await startTestLoupe(server.config, server.dataDir);
    const steady = await instantVector(
      `${server.api}/prometheus`,
      'traces_spanmetrics_calls_total{service="steady"}',
    );
    expect(steady.map((s) => s.value[1])).toEqual(['3']);
    const huge = await instantVector(
      `${server.api}/prometheus`,
      'traces_spanmetrics_calls_total{service=~"huge-service-.*"}',
    );
    expect(huge.map((s) => s.metric.service)).toEqual([hugeService.slice(0, LIMIT)]);
    expect(huge[0].value[1]).toBe('2');
    const longNames = await instantVector(
      `${server.api}/prometheus`,
      'traces_spanmetrics_calls_total{service="long-names"}',
    );
    expect(longNames.map((s) => s.metric.span_name)).toEqual([hugeSpanName.slice(0, LIMIT)]);
    const { status } = await scrape(server);
    expect(status).toBe(200);
  }, 60_000);
});

describe('an OTLP metrics push with a 10 MiB label value among good data points', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    server = await startTestLoupe();
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('refuses that data point through partial_success and stores the others', async () => {
    const point = (route: string) => ({
      attributes: [{ key: 'route', value: { stringValue: route } }],
      timeUnixNano: `${Date.now()}000000`,
      asInt: '1',
    });
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pusher' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'hits',
                  gauge: { dataPoints: [point('/a'), point(`/${'x'.repeat(10 * MiB)}`), point('/b')] },
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
    const answer = (await res.json()) as {
      partialSuccess?: { rejectedDataPoints?: string | number; errorMessage?: string };
    };
    expect(Number(answer.partialSuccess?.rejectedDataPoints)).toBe(1);
    const message = answer.partialSuccess?.errorMessage ?? '';
    expect(message).toContain('"route"');
    expect(message).toContain('max_label_value_length');
    expect(message.length).toBeLessThan(1000);
    const stored = await instantVector(`${server.api}/prometheus`, 'hits{job="pusher"}');
    expect(stored.map((s) => s.metric.route).sort()).toEqual(['/a', '/b']);
    const { status, text } = await scrape(server);
    expect(status).toBe(200);
    expect(text.length).toBeLessThan(2 * MiB);
  }, 30_000);
});
