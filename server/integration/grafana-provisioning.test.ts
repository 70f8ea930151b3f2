import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type HrTime, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  derivedField,
  expandLikeGrafana,
  formatTags,
  GrafanaDataSources,
  interpolate,
  matchLabel,
  SERVICE_GRAPH_METRICS,
  serviceGraphTableQueries,
  serviceMapQueries,
  tracesToLogsQuery,
} from './support/grafana-datasources';
import { flatten, type LokiStreamsResponse, lokiPushJson } from './support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import type { PromExemplarSeries } from './support/metrics-api';
import type { FlatSpan } from './support/tempo-json';

/**
 * docs/grafana/provisioning/datasources/loupe.yaml, checked by doing what Grafana does with it:
 * every URL, uid, label and metric name in the file is used, as Grafana's Tempo, Loki and
 * Prometheus data sources use it, against a real Loupe holding traces from the OpenTelemetry
 * SDK, logs (a Loki push with `trace_id=` in the line, an OTLP record inside the span) and the
 * span metrics and service graph derived from those traces.
 */

const FILE = fileURLToPath(
  new URL('../../docs/grafana/provisioning/datasources/loupe.yaml', import.meta.url),
);
const HOST = 'http://loupe:3200';
const RANGE = '1h'; // what Grafana puts for `$__range` with "Last 1 hour"

let server: TestLoupe;
const grafana = new GrafanaDataSources(FILE, HOST, () => server.api);
const { file } = grafana;
const byUid = (uid: string | undefined, type: string) => grafana.byUid(uid, type);
const baseOf = grafana.baseOf.bind(grafana);
const openTrace = grafana.openTrace.bind(grafana);
const tempo = grafana.only('tempo');
const loki = grafana.only('loki');
const prom = grafana.only('prometheus');

const hr = (ms: number): HrTime => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
const START_MS = Date.now() - 90_000;
let traceId = '';
let otherTraceId = '';

async function sendTelemetry(): Promise<void> {
  const exporter = () => new OTLPTraceExporter({ url: `${server.otlp}/v1/traces` });
  const provider = (service: string) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      spanProcessors: [new SimpleSpanProcessor(exporter())],
    });
  const frontend = provider('frontend');
  const checkout = provider('checkout');
  // frontend --POST /checkout--> checkout, whose server span fails: a service-graph edge, an error.
  const call = frontend
    .getTracer('shop')
    .startSpan('POST /checkout', { kind: SpanKind.CLIENT, startTime: hr(START_MS) }, ROOT_CONTEXT);
  const callContext = trace.setSpan(ROOT_CONTEXT, call);
  const served = checkout
    .getTracer('shop')
    .startSpan('POST /checkout', { kind: SpanKind.SERVER, startTime: hr(START_MS + 5) }, callContext);
  served.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  const logs = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    processors: [
      new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${server.otlp}/v1/logs` }) }),
    ],
  });
  logs.getLogger('shop').emit({
    context: trace.setSpan(ROOT_CONTEXT, served),
    timestamp: hr(START_MS + 20),
    severityNumber: SeverityNumber.ERROR,
    body: 'card authorisation failed',
  });
  served.end(hr(START_MS + 40));
  call.end(hr(START_MS + 50));
  const other = checkout.getTracer('shop').startSpan('GET /cart', { startTime: hr(START_MS) }, ROOT_CONTEXT);
  other.end(hr(START_MS + 10));
  traceId = call.spanContext().traceId;
  otherTraceId = other.spanContext().traceId;
  await Promise.all([frontend.forceFlush(), checkout.forceFlush(), logs.forceFlush()]);
  await Promise.all([frontend.shutdown(), checkout.shutdown(), logs.shutdown()]);

  // A logfmt line naming the trace, as an application logging to Loki writes it; one for another trace.
  const ns = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  const push = await lokiPushJson(server.api, {
    streams: [
      {
        stream: { service_name: 'checkout', env: 'prod' },
        values: [
          [ns(START_MS + 30), `level=error msg="payment refused" trace_id=${traceId}`],
          [ns(START_MS + 31), `level=info msg="cart read" trace_id=${otherTraceId}`],
        ],
      },
    ],
  });
  expect(push.status).toBe(204);

  // An application's own histogram with an exemplar (Prometheus's OTLP translation labels it `trace_id`).
  const metrics = await fetch(`${server.otlp}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeMetrics: [{ metrics: [otlpHistogramWithExemplar(ns(START_MS + 45), traceId)] }],
        },
      ],
    }),
  });
  expect(metrics.status).toBe(200);
  await server.loupe.seriesMetrics.collectNow();
}

/** One OTLP histogram point whose exemplar names `exemplarTraceId`, as an SDK with exemplars sends it. */
function otlpHistogramWithExemplar(timeUnixNano: string, exemplarTraceId: string) {
  const exemplar = { timeUnixNano, asDouble: 0.04, traceId: exemplarTraceId, spanId: '00f067aa0ba902b7' };
  const point = { timeUnixNano, count: '1', sum: 0.04, bucketCounts: ['1', '0'], explicitBounds: [0.1] };
  return {
    name: 'payment.duration',
    unit: 's',
    histogram: { aggregationTemporality: 2, dataPoints: [{ ...point, exemplars: [exemplar] }] },
  };
}

beforeAll(async () => {
  server = await startTestLoupe();
  await sendTelemetry();
});

afterAll(async () => {
  await server?.loupe.stop();
  if (server) removeDir(server.dataDir);
});

async function checkoutSpan(): Promise<FlatSpan> {
  const spans = await openTrace(tempo.uid, traceId);
  const span = spans.find((s) => s.service === 'checkout');
  if (!span) throw new Error('the checkout span is missing');
  return span;
}

const instant = grafana.instant.bind(grafana);

describe('the provisioning file', () => {
  it('declares the three data sources, each linking only to the others by uid and type', () => {
    expect(file.apiVersion).toBe(1);
    expect(file.datasources.map((d) => [d.type, d.uid])).toEqual([
      ['tempo', 'loupe-tempo'],
      ['loki', 'loupe-loki'],
      ['prometheus', 'loupe-prom'],
    ]);
    const t = tempo.jsonData;
    byUid(t.tracesToLogsV2.datasourceUid, 'loki');
    byUid(t.lokiSearch.datasourceUid, 'loki');
    byUid(t.tracesToMetrics.datasourceUid, 'prometheus');
    byUid(t.serviceMap.datasourceUid, 'prometheus');
    for (const f of loki.jsonData.derivedFields) byUid(f.datasourceUid, 'tempo');
    for (const d of prom.jsonData.exemplarTraceIdDestinations) byUid(d.datasourceUid, 'tempo');
    // Streaming makes Grafana call Tempo's gRPC streaming API, which Loupe does not serve.
    expect(t.streamingEnabled).toEqual({ search: false, metrics: false });
    expect([t.search.hide, t.nodeGraph.enabled]).toEqual([false, true]);
  });
});

describe('Tempo data source', () => {
  it('passes "Save & test" (GET /api/echo)', async () => {
    const res = await fetch(`${baseOf(tempo)}/api/echo`);
    expect([res.status, await res.text()]).toEqual([200, 'echo']);
  });

  it('opens the trace by ID (v2, protobuf) with both services', async () => {
    const spans = await openTrace(tempo.uid, traceId);
    expect(spans.map((s) => `${s.service} ${s.kind}`).sort()).toEqual([
      'checkout SPAN_KIND_SERVER',
      'frontend SPAN_KIND_CLIENT',
    ]);
  });

  it('finds it from the search tab (TraceQL) and autocompletes tag names', async () => {
    const end = Math.ceil(Date.now() / 1000);
    const q = encodeURIComponent('{resource.service.name="checkout" && status=error}');
    const res = await fetch(
      `${baseOf(tempo)}/api/search?q=${q}&limit=20&spss=3&start=${end - 3600}&end=${end}`,
    );
    const found = (await res.json()) as { traces: { traceID: string }[] };
    expect(found.traces.map((x) => x.traceID)).toEqual([traceId]);
    const tags = await fetch(
      `${baseOf(tempo)}/api/v2/search/tags?scope=resource&start=${end - 3600}&end=${end}`,
    );
    const body = (await tags.json()) as { scopes: { name: string; tags: string[] }[] };
    expect(body.scopes[0].tags).toContain('service.name');
  });
});

describe('Loki data source and the links into and out of it', () => {
  const lokiGetOk = <T = LokiStreamsResponse>(path: string, params: Record<string, string>, headers = {}) =>
    grafana.loki<T>(loki, path, params, headers);
  const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);

  it("runs the span's tracesToLogsV2 query and the derived field opens the trace from the line", async () => {
    const span = await checkoutSpan();
    const cfg = tempo.jsonData.tracesToLogsV2;
    // Grafana's query without customQuery: {<tags>} |="<trace ID>" (filterByTraceID).
    expect([cfg.customQuery ?? false, cfg.filterByTraceID, cfg.filterBySpanID]).toEqual([false, true, false]);
    const labels = await lokiGetOk<{ data: string[] }>('/api/v1/labels', {});
    expect(labels.data).toContain(cfg.tags[0].value); // the label service.name maps to
    const { expr, startMs, endMs } = tracesToLogsQuery(span, cfg);
    expect(expr).toBe(`{service_name="checkout"} |="${traceId}"`);
    const result = await lokiGetOk('/api/v1/query_range', {
      query: expr,
      start: ns(startMs),
      end: ns(endMs),
      limit: String(loki.jsonData.maxLines),
      direction: 'backward',
    });
    const lines = flatten(result).map((e) => e.line);
    expect(lines).toEqual([`level=error msg="payment refused" trace_id=${traceId}`]);
    const field = derivedField(loki, 'regex');
    const value = lines[0].match(field.matcherRegex)?.[1];
    expect(value).toBe(traceId);
    await openTrace(field.datasourceUid, interpolate(field.url, { '__value.raw': value as string }));
  });

  it("docs/grafana.md's custom query finds the OTLP record; the label derived field opens its trace", async () => {
    const guide = readFileSync(fileURLToPath(new URL('../../docs/grafana.md', import.meta.url)), 'utf8');
    const custom = /query: '(\{\$\$\{__tags\}\}[^']*)'/.exec(guide)?.[1];
    expect(custom, 'the custom tracesToLogsV2 query in docs/grafana.md').toBeDefined();
    const span = await checkoutSpan();
    const expr = interpolate(expandLikeGrafana(custom) as string, {
      __tags: formatTags(span, tempo.jsonData.tracesToLogsV2.tags),
      '__trace.traceId': span.traceId,
    });
    const end = Date.now();
    const result = await lokiGetOk(
      '/api/v1/query_range',
      { query: expr, start: ns(end - 3600_000), end: ns(end) },
      { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
    );
    const entries = flatten(result);
    expect(entries.map((e) => e.line)).toEqual(['card authorisation failed']);
    const field = derivedField(loki, 'label');
    const { key, value } = matchLabel(field, entries[0]);
    expect(key).toBe('trace_id');
    await openTrace(field.datasourceUid, interpolate(field.url, { '__value.raw': value as string }));
  });
});

describe('Prometheus data source: traces to metrics, exemplars, service graph', () => {
  it('answers every tracesToMetrics query with $__tags filled in from the span', async () => {
    const span = await checkoutSpan();
    const cfg = tempo.jsonData.tracesToMetrics;
    expect(cfg.queries.length).toBeGreaterThan(0);
    for (const { name, query } of cfg.queries as { name: string; query: string }[]) {
      const expr = query.replace(/\$__tags/g, formatTags(span, cfg.tags));
      expect(expr, name).toContain('service="checkout"');
      const result = await instant(prom, expr);
      expect(result.length, `${name}: ${expr}`).toBeGreaterThan(0);
      expect(
        result.some((r) => Number(r.value[1]) > 0),
        `${name}: ${JSON.stringify(result)}`,
      ).toBe(true);
    }
  });

  it('every exemplarTraceIdDestinations label is on an exemplar whose value opens the trace', async () => {
    const end = Date.now() / 1000;
    const queries = [
      ...tempo.jsonData.tracesToMetrics.queries.map((q: { query: string }) =>
        q.query.replace(/\$__tags/g, 'service="checkout"'),
      ),
      'payment_duration_seconds_bucket',
    ];
    const labels: Record<string, string>[] = [];
    for (const query of queries) {
      const series: PromExemplarSeries[] = await grafana.prom(prom, 'query_exemplars', {
        query,
        start: String(end - 3600),
        end: String(end),
      });
      labels.push(...series.flatMap((s) => s.exemplars.map((e) => e.labels)));
    }
    for (const destination of prom.jsonData.exemplarTraceIdDestinations) {
      const ids = labels.map((l) => l[destination.name]).filter((id) => id !== undefined);
      expect(ids, `exemplars labelled ${destination.name}`).toContain(traceId);
      await openTrace(destination.datasourceUid, ids.find((id) => id === traceId) as string);
    }
  });

  it("answers the service graph's queries with the frontend → checkout edge", async () => {
    const ds = byUid(tempo.jsonData.serviceMap.datasourceUid, 'prometheus');
    for (const metric of SERVICE_GRAPH_METRICS) {
      // makePromServiceMapRequest: the rates by edge, and the edges' labels.
      const { rates, edges } = serviceMapQueries(metric, RANGE);
      for (const query of [rates, edges]) {
        const edge = (await instant(ds, query)).map((r) => `${r.metric.client}→${r.metric.server}`);
        expect(edge, query).toContain('frontend→checkout');
      }
    }
    for (const expr of serviceGraphTableQueries(RANGE, 'POST /checkout')) {
      expect((await instant(ds, expr)).length, expr).toBeGreaterThan(0);
    }
  });
});
