import { createServer } from 'node:net';
import { type HrTime, ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningPrometheus, startPrometheus } from '../testing/prometheus';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { type PromExemplarSeries, type PromVectorItem, promGet } from './support/metrics-api';

/**
 * A real Prometheus (Debian's 2.42, exemplar storage on) scrapes Loupe's `/metrics` as
 * OpenMetrics every second: the target must stay up, the span metrics arrive with a `tenant`
 * label, and Prometheus's own `query_exemplars` returns the trace IDs of the spans Loupe saw.
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value (Prometheus scrapes on its own schedule). */
async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a real Prometheus scraping Loupe', () => {
  let loupe: TestLoupe;
  let prometheus: RunningPrometheus;
  const traceIds: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    // Loupe also pushes every collection to this Prometheus's remote-write receiver.
    loupe = await startTestLoupe({
      metrics: { generator: { remoteWrite: [{ url: `http://127.0.0.1:${port}/api/v1/write` }] } },
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      spanProcessors: [new SimpleSpanProcessor(new ProtoExporter({ url: `${loupe.otlp}/v1/traces` }))],
    });
    const tracer = provider.getTracer('prometheus-scrape-test');
    const start = Date.now() - 5_000;
    const hr = (ms: number): HrTime => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
    for (const ms of [5, 70, 700]) {
      const span = tracer.startSpan(
        'GET /shop',
        { kind: SpanKind.SERVER, startTime: hr(start) },
        ROOT_CONTEXT,
      );
      span.end(hr(start + ms));
      traceIds.push(span.spanContext().traceId);
    }
    await provider.forceFlush();
    await provider.shutdown();
    prometheus = await startPrometheus({
      port,
      scrapeTarget: `127.0.0.1:${loupe.loupe.ports.http}`,
      dataDir: loupe.dataDir,
    });
    await loupe.loupe.seriesMetrics.collectNow();
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await loupe?.loupe.stop();
    removeDir(loupe.dataDir);
  });

  it('keeps the target up and stores the span metrics with a tenant label', async () => {
    const targets = await promGet<{ data: { activeTargets: { health: string; lastError: string }[] } }>(
      prometheus.url,
      'targets',
    );
    expect(targets.body.data.activeTargets.map((t) => [t.health, t.lastError])).toEqual([['up', '']]);
    const calls = await eventually(async () => {
      const { body } = await promGet<{ data: { result: PromVectorItem[] } }>(prometheus.url, 'query', {
        query: 'traces_spanmetrics_calls_total{job="loupe"}',
      });
      return body.data.result.length > 0 ? body.data.result : undefined;
    }, 'traces_spanmetrics_calls_total in Prometheus');
    expect(calls.map((c) => [c.metric.tenant, c.metric.service, c.metric.span_name, c.value[1]])).toEqual([
      ['single-tenant', 'shop', 'GET /shop', '3'],
    ]);
  });

  it("answers query_exemplars with the trace IDs of Loupe's spans", async () => {
    const series = await eventually(async () => {
      const now = Date.now() / 1000;
      const { body } = await promGet<{ data: PromExemplarSeries[] }>(prometheus.url, 'query_exemplars', {
        query: 'traces_spanmetrics_latency_bucket',
        start: String(now - 600),
        end: String(now + 60),
      });
      const found = body.data.flatMap((s) => s.exemplars.map((e) => e.labels.traceID));
      return traceIds.every((id) => found.includes(id)) ? body.data : undefined;
    }, 'all three exemplars in Prometheus');
    const byLe = Object.fromEntries(
      series.map((s) => [s.seriesLabels.le, s.exemplars.map((e) => e.labels.traceID)]),
    );
    // 5 ms, 70 ms and 700 ms land in the 0.008, 0.128 and 1.024 buckets.
    expect(byLe['0.008']).toContain(traceIds[0]);
    expect(byLe['0.128']).toContain(traceIds[1]);
    expect(byLe['1.024']).toContain(traceIds[2]);
  });

  it('receives remote-written span metrics (no job label, unlike the scraped ones)', async () => {
    const written = await eventually(async () => {
      const { body } = await promGet<{ data: { result: PromVectorItem[] } }>(prometheus.url, 'query', {
        query: 'traces_spanmetrics_calls_total{job=""}',
      });
      return body.data.result.length > 0 ? body.data.result : undefined;
    }, 'remote-written traces_spanmetrics_calls_total');
    expect(written.map((w) => [w.metric.tenant, w.metric.service, w.value[1]])).toEqual([
      ['single-tenant', 'shop', '3'],
    ]);
  });
});
