import { type HrTime, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { instantVector, queryExemplars, valuesBy } from './support/metrics-api';

/**
 * The real OpenTelemetry SDK sends spans with known durations and statuses; span metrics,
 * their histogram buckets and exemplars, and the service graph must come out exactly as
 * hand-counted, through Loupe's Prometheus API and its `/metrics`, and survive a restart.
 */

const BASE_MS = Date.now() - 60_000;
const hr = (ms: number): HrTime => [Math.floor(ms / 1000), (ms % 1000) * 1e6];

function tracer(exporter: SpanExporter, service: string) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { provider, tracer: provider.getTracer('metrics-test') };
}

/** Starts and ends a span of exactly `durationMs`. */
function timedSpan(
  t: ReturnType<typeof tracer>['tracer'],
  name: string,
  kind: SpanKind,
  durationMs: number,
  opts: { error?: boolean; ok?: boolean; parent?: Span; attributes?: Record<string, string> } = {},
): Span {
  const start = BASE_MS + Math.floor(Math.random() * 1000);
  const ctx = opts.parent ? trace.setSpan(ROOT_CONTEXT, opts.parent) : ROOT_CONTEXT;
  const span = t.startSpan(name, { kind, startTime: hr(start), attributes: opts.attributes }, ctx);
  if (opts.error) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  if (opts.ok) span.setStatus({ code: SpanStatusCode.OK });
  span.end(hr(start + durationMs));
  return span;
}

describe('span metrics and service graph from the real OpenTelemetry SDK', () => {
  let server: TestLoupe;
  const traceIdsByDuration = new Map<number, string>();
  let errorTraceId = '';

  beforeAll(async () => {
    server = await startTestLoupe({
      metrics: {
        generator: {
          spanMetrics: { dimensions: ['http.route', 'deployment.environment'] },
        },
      },
    });
    const checkout = tracer(new ProtoExporter({ url: `${server.otlp}/v1/traces` }), 'checkout');
    for (const ms of [10, 20, 300]) {
      const span = timedSpan(checkout.tracer, 'GET /cart', SpanKind.SERVER, ms, {
        attributes: { 'http.route': '/cart' },
      });
      traceIdsByDuration.set(ms, span.spanContext().traceId);
    }
    errorTraceId = timedSpan(checkout.tracer, 'GET /cart', SpanKind.SERVER, 1500, {
      error: true,
      attributes: { 'http.route': '/cart' },
    }).spanContext().traceId;
    timedSpan(checkout.tracer, 'SELECT carts', SpanKind.CLIENT, 3, { ok: true });
    timedSpan(checkout.tracer, 'SELECT carts', SpanKind.CLIENT, 3, { ok: true });
    await checkout.provider.forceFlush();

    // frontend → checkout over gRPC export: one CLIENT span whose child SERVER span failed.
    const frontend = tracer(new GrpcExporter({ url: `http://${server.grpc}` }), 'frontend');
    const backend = tracer(new GrpcExporter({ url: `http://${server.grpc}` }), 'checkout');
    const call = timedSpan(frontend.tracer, 'POST /order', SpanKind.CLIENT, 50);
    timedSpan(backend.tracer, 'POST /order', SpanKind.SERVER, 40, { parent: call, error: true });
    await Promise.all([frontend.provider.forceFlush(), backend.provider.forceFlush()]);
    await Promise.all([
      checkout.provider.shutdown(),
      frontend.provider.shutdown(),
      backend.provider.shutdown(),
    ]);
    await server.loupe.seriesMetrics.collectNow();
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  const api = () => `${server.api}/prometheus`;

  it('counts calls per service, span name, kind and status, with configured dimensions', async () => {
    const calls = await instantVector(api(), 'traces_spanmetrics_calls_total{service="checkout"}');
    expect(valuesBy(calls, 'span_name', 'span_kind', 'status_code')).toEqual({
      'GET /cart,SPAN_KIND_SERVER,STATUS_CODE_UNSET': 3,
      'GET /cart,SPAN_KIND_SERVER,STATUS_CODE_ERROR': 1,
      'SELECT carts,SPAN_KIND_CLIENT,STATUS_CODE_OK': 2,
      'POST /order,SPAN_KIND_SERVER,STATUS_CODE_ERROR': 1,
    });
    const cart = calls.find((c) => c.metric.status_code === 'STATUS_CODE_UNSET')!;
    // Span attribute and resource attribute dimensions, dots made underscores as Tempo does.
    expect(cart.metric).toMatchObject({ http_route: '/cart', deployment_environment: 'test' });
  });

  it('fills the latency histogram buckets (Tempo defaults) with each span in its bucket', async () => {
    const buckets = await instantVector(
      api(),
      'traces_spanmetrics_latency_bucket{span_name="GET /cart",status_code="STATUS_CODE_UNSET"}',
    );
    const byLe = valuesBy(buckets, 'le');
    // 10 ms, 20 ms and 300 ms: cumulative counts per upper bound.
    expect(byLe).toMatchObject({ '0.008': 0, '0.016': 1, '0.032': 2, '0.256': 2, '0.512': 3, '+Inf': 3 });
    expect(Object.keys(byLe)).toHaveLength(15);
    const [sum] = await instantVector(
      api(),
      'traces_spanmetrics_latency_sum{status_code="STATUS_CODE_UNSET",span_name="GET /cart"}',
    );
    expect(Number(sum.value[1])).toBeCloseTo(0.33, 6);
    // All four GET /cart spans: rank 2 of 4 is the 20 ms span, at the top of (0.016, 0.032].
    const [median] = await instantVector(
      api(),
      'histogram_quantile(0.5, sum by (le) (traces_spanmetrics_latency_bucket{span_name="GET /cart"}))',
    );
    expect(Number(median.value[1])).toBeCloseTo(0.032, 9);
  });

  it('keeps exemplars pointing at the spans’ real trace IDs', async () => {
    const now = Date.now() / 1000;
    const series = await queryExemplars(
      api(),
      'traces_spanmetrics_latency_bucket{span_name="GET /cart"}',
      now - 600,
      now + 60,
    );
    const byLe = new Map(series.map((s) => [s.seriesLabels.le, s.exemplars]));
    expect(byLe.get('0.512')?.map((e) => e.labels.traceID)).toEqual([traceIdsByDuration.get(300)]);
    expect(Number(byLe.get('0.512')![0].value)).toBeCloseTo(0.3, 9);
    expect(byLe.get('2.048')?.map((e) => e.labels.traceID)).toEqual([errorTraceId]);
    for (const s of series) {
      for (const e of s.exemplars) expect(e.labels.spanID).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it('pairs a CLIENT span with its SERVER child into a service graph edge', async () => {
    const total = await instantVector(api(), 'traces_service_graph_request_total');
    expect(valuesBy(total, 'client', 'server')).toEqual({ 'frontend,checkout': 1 });
    const failed = await instantVector(api(), 'traces_service_graph_request_failed_total');
    expect(valuesBy(failed, 'client', 'server')).toEqual({ 'frontend,checkout': 1 });
    const server = valuesBy(
      await instantVector(api(), 'traces_service_graph_request_server_seconds_bucket'),
      'le',
    );
    const client = valuesBy(
      await instantVector(api(), 'traces_service_graph_request_client_seconds_bucket'),
      'le',
    );
    // Server span 40 ms, client span 50 ms: both in (0.032, 0.064].
    expect([server['0.032'], server['0.064'], client['0.032'], client['0.064']]).toEqual([0, 1, 0, 1]);
  });

  it('exposes the span metrics on /metrics as OpenMetrics with exemplars, for all tenants', async () => {
    const res = await fetch(`${server.api}/metrics`, {
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('application/openmetrics-text');
    expect(text).toContain('# TYPE traces_spanmetrics_calls counter');
    expect(text).toMatch(
      /traces_spanmetrics_calls_total\{tenant="single-tenant",service="checkout",span_name="GET \/cart",span_kind="SPAN_KIND_SERVER",status_code="STATUS_CODE_UNSET"[^}]*\} 3\n/,
    );
    const exemplarLine = text
      .split('\n')
      .find((l) => l.includes('le="0.512"') && l.includes('GET /cart') && l.includes('STATUS_CODE_UNSET'));
    expect(exemplarLine).toMatch(
      new RegExp(
        ` 3 # \\{traceID="${traceIdsByDuration.get(300)}",spanID="[0-9a-f]{16}"\\} 0\\.3 \\d+\\.\\d{3}$`,
      ),
    );
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
    const plain = await (await fetch(`${server.api}/metrics`)).text();
    expect(plain).toContain('# TYPE traces_spanmetrics_calls_total counter');
    expect(plain).not.toContain('# {traceID=');
  });

  it('keeps the stored samples and exemplars across a restart', async () => {
    const before = await instantVector(api(), 'sum(traces_spanmetrics_calls_total)');
    expect(Number(before[0].value[1])).toBe(8);
    await server.loupe.stop();
    server = await startTestLoupe(server.config, server.dataDir);
    const after = await instantVector(api(), 'sum(traces_spanmetrics_calls_total)');
    expect(Number(after[0].value[1])).toBe(8);
    const now = Date.now() / 1000;
    const series = await queryExemplars(
      api(),
      'traces_spanmetrics_latency_bucket{le="0.512"}',
      now - 600,
      now + 60,
    );
    expect(series.flatMap((s) => s.exemplars.map((e) => e.labels.traceID))).toContain(
      traceIdsByDuration.get(300),
    );
  });
});
