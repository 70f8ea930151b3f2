import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTraces } from './support/clients';
import { flushAll, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';

/**
 * The calls Grafana's Tempo data source makes (search form, TraceQL editor autocompletion),
 * exactly as it makes them, and spans sent by the real OpenTelemetry JS SDK found by search.
 */

let server: TestLoupe;
const now = Date.now();
const recent: { traceId: string; startMs: number }[] = [];
let oldTrace: string;

interface SearchBody {
  traces: {
    traceID: string;
    rootServiceName: string;
    rootTraceName?: string;
    startTimeUnixNano: string;
    durationMs: number;
    spanSet: unknown;
    spanSets: {
      spans: {
        spanID: string;
        startTimeUnixNano: string;
        durationNanos: string;
        attributes?: { key: string; value: Record<string, unknown> }[];
      }[];
      matched: number;
    }[];
  }[];
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${server.api}${path}`);
  const text = await res.text();
  expect(res.status, `${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

/** A frontend request through a backend; tier `gold` on frontend spans, `silver` on backend ones. */
async function push(startMs: number): Promise<string> {
  const traceId = newTraceId();
  const root = simpleSpan(traceId, 'GET /home', startMs, {
    kind: 2,
    durationMs: 40,
    attributes: { 'http.route': '/home', 'app/tier': 'gold' },
  });
  const calls = [1, 2, 3, 4].map((i) =>
    simpleSpan(traceId, `call ${i}`, startMs + i, {
      parentSpanId: root.spanId,
      kind: 3,
      attributes: { 'http.route': `/api/${i}`, 'app/tier': 'gold' },
    }),
  );
  const backend = simpleSpan(traceId, 'serve', startMs + 2, {
    parentSpanId: calls[0].spanId,
    kind: 2,
    attributes: { 'http.route': '/internal', 'app/tier': 'silver' },
  });
  const body = encodeTraceRequest([
    { service: 'frontend', attributes: { 'k8s.cluster.name': 'prod-1' }, spans: [root, ...calls] },
    { service: 'backend', attributes: { 'k8s.cluster.name': 'prod-1' }, spans: [backend] },
  ]);
  expect((await postTraces(server.otlp, body)).status).toBe(200);
  return hex(traceId);
}

beforeAll(async () => {
  server = await startTestLoupe({ ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } });
  for (let i = 0; i < 25; i++) {
    const startMs = now - 30 * 60_000 + i * 1000;
    recent.push({ traceId: await push(startMs), startMs });
  }
  oldTrace = await push(now - 3 * 3600_000);
});

afterAll(async () => {
  await server?.loupe.stop();
  if (server) removeDir(server.dataDir);
});

const seconds = (ms: number) => String(Math.floor(ms / 1000));

describe.each(['live', 'flushed'] as const)("Grafana's calls while traces are %s", (stage) => {
  beforeAll(async () => {
    if (stage === 'flushed') await flushAll(server);
  });

  it('/api/search?q=…&limit=20&spss=3&start=…&end=…: the 20 newest in range, with span sets cut to 3', async () => {
    const q = '{resource.service.name="frontend" && kind=client}';
    const body = await getJson<SearchBody>(
      `/api/search?q=${encodeURIComponent(q)}&limit=20&spss=3&start=${seconds(now - 3600_000)}&end=${seconds(now)}`,
    );
    const newest = [...recent].sort((a, b) => b.startMs - a.startMs).slice(0, 20);
    expect(body.traces.map((t) => t.traceID)).toEqual(newest.map((t) => t.traceId));
    for (const [i, t] of body.traces.entries()) {
      expect(t.traceID).toMatch(/^[0-9a-f]{32}$/);
      expect(t.rootServiceName).toBe('frontend');
      expect(t.rootTraceName).toBe('GET /home');
      expect(t.startTimeUnixNano).toBe(String(BigInt(newest[i].startMs) * 1_000_000n));
      expect(t.durationMs).toBe(40);
      expect(t.spanSets).toHaveLength(1);
      expect(t.spanSet).toEqual(t.spanSets[0]);
      expect(t.spanSets[0].matched).toBe(4);
      expect(t.spanSets[0].spans).toHaveLength(3);
      for (const span of t.spanSets[0].spans) {
        expect(span.spanID).toMatch(/^[0-9a-f]{16}$/);
        expect(span.startTimeUnixNano).toMatch(/^\d{19}$/);
        expect(span.durationNanos).toBe('5000000');
        expect(span.attributes).toEqual(
          expect.arrayContaining([{ key: 'kind', value: { stringValue: 'client' } }]),
        );
      }
    }
    const old = await getJson<SearchBody>(
      `/api/search?q=${encodeURIComponent(q)}&limit=20&spss=3&start=${seconds(now - 4 * 3600_000)}&end=${seconds(now - 2 * 3600_000)}`,
    );
    expect(old.traces.map((t) => t.traceID)).toEqual([oldTrace]);
  });

  it('/api/v2/search/tags?scope=resource: the resource scope alone', async () => {
    const body = await getJson<{ scopes: { name: string; tags: string[] }[] }>(
      `/api/v2/search/tags?scope=resource&start=${seconds(now - 3600_000)}&end=${seconds(now)}`,
    );
    expect(body.scopes.map((s) => s.name)).toEqual(['resource']);
    expect(body.scopes[0].tags).toEqual(expect.arrayContaining(['service.name', 'k8s.cluster.name']));
    expect(body.scopes[0].tags).not.toContain('http.route');
  });

  it('/api/v2/search/tag/<double-encoded name>/values?q=…: typed values narrowed by the query', async () => {
    const name = encodeURIComponent(encodeURIComponent('span.app/tier'));
    expect(name).toBe('span.app%252Ftier');
    const all = await getJson<{ tagValues: { type: string; value: string }[] }>(
      `/api/v2/search/tag/${name}/values`,
    );
    expect(all.tagValues).toEqual(
      expect.arrayContaining([
        { type: 'string', value: 'gold' },
        { type: 'string', value: 'silver' },
      ]),
    );
    const q = encodeURIComponent('{resource.service.name="backend"}');
    const narrowed = await getJson<{ tagValues: { type: string; value: string }[] }>(
      `/api/v2/search/tag/${name}/values?q=${q}`,
    );
    expect(narrowed.tagValues).toEqual([{ type: 'string', value: 'silver' }]);
    const routes = await getJson<{ tagValues: { type: string; value: string }[] }>(
      `/api/v2/search/tag/${encodeURIComponent(encodeURIComponent('span.http.route'))}/values?q=${q}`,
    );
    expect(routes.tagValues).toEqual([{ type: 'string', value: '/internal' }]);
  });

  it('/api/search/tags and /api/search/tag/service.name/values: the v1 forms', async () => {
    const tags = await getJson<{ tagNames: string[] }>('/api/search/tags');
    expect(tags.tagNames).toEqual(
      expect.arrayContaining(['service.name', 'http.route', 'app/tier', 'k8s.cluster.name']),
    );
    expect(tags.tagNames).toEqual([...tags.tagNames].sort());
    const values = await getJson<{ tagValues: string[] }>('/api/search/tag/service.name/values');
    expect([...values.tagValues].sort()).toEqual(['backend', 'frontend']);
  });
});

describe('spans from the OpenTelemetry JS SDK', () => {
  const exporters: [string, (s: TestLoupe) => SpanExporter][] = [
    ['exporter-trace-otlp-proto', (s) => new ProtoExporter({ url: `${s.otlp}/v1/traces` })],
    ['exporter-trace-otlp-grpc', (s) => new GrpcExporter({ url: `http://${s.grpc}` })],
  ];

  it.each(exporters)(
    'are found by TraceQL on the attributes the SDK set (%s), live and from blocks',
    async (name, make) => {
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'sdk-shop', 'service.version': '2.0.0' }),
        spanProcessors: [new SimpleSpanProcessor(make(server))],
      });
      const tracer = provider.getTracer('search-test');
      const orderId = `sdk-${name}`;
      const root = tracer.startSpan(
        'checkout',
        {
          kind: SpanKind.SERVER,
          attributes: { 'order.id': orderId, 'order.items': 3, 'order.express': true },
        },
        ROOT_CONTEXT,
      );
      const child = tracer.startSpan(
        'charge',
        { kind: SpanKind.CLIENT, attributes: { 'payment.amount': 12.5 } },
        trace.setSpan(ROOT_CONTEXT, root),
      );
      child.end();
      root.end();
      await provider.forceFlush();
      await provider.shutdown();
      const traceId = root.spanContext().traceId;

      for (const stage of ['live', 'flushed']) {
        if (stage === 'flushed') await flushAll(server);
        const body = await getJson<SearchBody>(
          `/api/search?q=${encodeURIComponent(`{ span.order.id = "${orderId}" && span.order.items = 3 }`)}`,
        );
        expect(
          body.traces.map((t) => t.traceID),
          stage,
        ).toEqual([traceId]);
        const [found] = body.traces;
        expect(found.rootServiceName).toBe('sdk-shop');
        expect(found.rootTraceName).toBe('checkout');
        expect(found.spanSets[0].spans.map((s) => s.spanID)).toEqual([root.spanContext().spanId]);
        expect(found.spanSets[0].spans[0].attributes).toEqual(
          expect.arrayContaining([
            { key: 'order.id', value: { stringValue: orderId } },
            { key: 'order.items', value: { intValue: '3' } },
          ]),
        );
        const structural = await getJson<SearchBody>(
          `/api/search?q=${encodeURIComponent(`{ span.order.express = true && resource.service.version = "2.0.0" } > { span.payment.amount > 10 }`)}&limit=100`,
        );
        expect(
          structural.traces.map((t) => t.traceID),
          stage,
        ).toContain(traceId);
      }
    },
  );
});
