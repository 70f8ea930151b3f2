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
import { parse } from 'yaml';
import { fetchTrace } from './support/clients';
import { flatten, type LokiStreamsResponse, lokiGet, lokiPushJson } from './support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import type { PromExemplarSeries, PromVectorItem } from './support/metrics-api';
import type { FlatSpan, TypedValue } from './support/tempo-json';

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

interface DataSource {
  name: string;
  type: string;
  uid: string;
  url: string;
  // biome-ignore lint/suspicious/noExplicitAny: provisioning jsonData is free-form YAML
  jsonData: Record<string, any>;
}

/** Grafana expands `$VAR`/`${VAR}` from the environment in provisioning files and reads `$$` as `$`. */
function expandLikeGrafana(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$(\$|\{?[A-Za-z_])/g, (match, next: string) => {
      if (next === '$') return '$';
      throw new Error(`"${value}" would be expanded as an environment variable by Grafana (${match}…)`);
    });
  }
  if (Array.isArray(value)) return value.map(expandLikeGrafana);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandLikeGrafana(v)]));
  }
  return value;
}

const file = expandLikeGrafana(parse(readFileSync(FILE, 'utf8'))) as {
  apiVersion: number;
  datasources: DataSource[];
};

function byUid(uid: string | undefined, type: string): DataSource {
  const found = file.datasources.find((d) => d.uid === uid);
  if (!found) throw new Error(`no data source with uid ${uid} in ${FILE}`);
  expect(found.type, `data source ${uid}`).toBe(type);
  return found;
}
const only = (type: string) => {
  const all = file.datasources.filter((d) => d.type === type);
  expect(all, `${type} data sources`).toHaveLength(1);
  return all[0];
};
const tempo = only('tempo');
const loki = only('loki');
const prom = only('prometheus');

let server: TestLoupe;
/** The data source's URL with Grafana's host replaced by this test's Loupe. */
function baseOf(ds: DataSource): string {
  expect(ds.url.startsWith(HOST), `${ds.uid} url ${ds.url}`).toBe(true);
  return server.api + ds.url.slice(HOST.length);
}

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

/** What Grafana shows after following a link to `uid` with `query` as the trace ID: the trace. */
async function openTrace(uid: string, query: string): Promise<FlatSpan[]> {
  const answer = await fetchTrace(baseOf(byUid(uid, 'tempo')), query, 'v2-proto');
  expect(answer.httpStatus).toBe(200);
  expect(answer.spans.length, `spans of trace ${query}`).toBeGreaterThan(0);
  expect(new Set(answer.spans.map((s) => s.traceId))).toEqual(new Set([query]));
  return answer.spans;
}

/** Grafana's `${name}` variables in a link or query, from `vars`; one without a value fails. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (vars[name] === undefined) throw new Error(`no value for the variable ${name} in ${text}`);
    return vars[name];
  });
}
/** A span's tags as Grafana's trace view has them: resource attributes, then span attributes. */
const spanTags = (span: FlatSpan): [string, string][] =>
  [...Object.entries(span.resource), ...Object.entries(span.attributes)].map(([k, v]) => [
    k,
    String(Object.values(v as TypedValue)[0]),
  ]);
/** Grafana's `tags` mapping: `label="value"` for each configured tag the span has, joined by ", ". */
function formatTags(span: FlatSpan, tags: { key: string; value?: string }[]): string {
  const have = spanTags(span);
  return tags
    .flatMap((t) => have.filter(([k]) => k === t.key).map(([, v]) => `${t.value || t.key}="${v}"`))
    .join(', ');
}
async function checkoutSpan(): Promise<FlatSpan> {
  const spans = await openTrace(tempo.uid, traceId);
  const span = spans.find((s) => s.service === 'checkout');
  if (!span) throw new Error('the checkout span is missing');
  return span;
}

/** A Prometheus API call as Grafana makes it, with the data source's `httpMethod`. */
async function promQuery(ds: DataSource, path: string, params: Record<string, string>) {
  const body = new URLSearchParams(params).toString();
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const res = await (ds.jsonData.httpMethod === 'GET'
    ? fetch(`${baseOf(ds)}/api/v1/${path}?${body}`)
    : fetch(`${baseOf(ds)}/api/v1/${path}`, { method: 'POST', headers: form, body }));
  const text = await res.text();
  expect(res.status, `${path} ${params.query}: ${text}`).toBe(200);
  return JSON.parse(text).data;
}
const instant = async (ds: DataSource, query: string): Promise<PromVectorItem[]> =>
  (await promQuery(ds, 'query', { query, time: String(Date.now() / 1000) })).result;

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
  const lokiGetOk = async <T = LokiStreamsResponse>(
    path: string,
    params: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<T> => {
    const res = await lokiGet<T>(baseOf(loki), path, params, headers);
    expect(res.status, `${path}: ${res.text}`).toBe(200);
    return res.json();
  };
  const ns = (ms: number) => String(BigInt(Math.round(ms)) * 1_000_000n);

  it("runs the span's tracesToLogsV2 query and the derived field opens the trace from the line", async () => {
    const span = await checkoutSpan();
    const cfg = tempo.jsonData.tracesToLogsV2;
    // Grafana's query without customQuery: {<tags>} |="<trace ID>" (filterByTraceID).
    expect([cfg.customQuery ?? false, cfg.filterByTraceID, cfg.filterBySpanID]).toEqual([false, true, false]);
    const labels = await lokiGetOk<{ data: string[] }>('/api/v1/labels', {});
    expect(labels.data).toContain(cfg.tags[0].value); // the label service.name maps to
    const expr = `{${formatTags(span, cfg.tags)}} |="${span.traceId}"`;
    expect(expr).toBe(`{service_name="checkout"} |="${traceId}"`);
    const shiftMs = (s: string) => Number(/^(-?\d+)m$/.exec(s)?.[1]) * 60_000;
    const start = Number(BigInt(span.startTimeUnixNano) / 1_000_000n) + shiftMs(cfg.spanStartTimeShift);
    const end = Number(BigInt(span.endTimeUnixNano) / 1_000_000n) + shiftMs(cfg.spanEndTimeShift);
    const result = await lokiGetOk('/api/v1/query_range', {
      query: expr,
      start: ns(start),
      end: ns(end),
      limit: String(loki.jsonData.maxLines),
      direction: 'backward',
    });
    const lines = flatten(result).map((e) => e.line);
    expect(lines).toEqual([`level=error msg="payment refused" trace_id=${traceId}`]);
    const field = loki.jsonData.derivedFields.find(
      (f: { matcherType?: string }) => f.matcherType !== 'label',
    );
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
    const field = loki.jsonData.derivedFields.find(
      (f: { matcherType?: string }) => f.matcherType === 'label',
    );
    // Grafana's label matcher: the first label (stream, structured metadata, parsed) whose key matches.
    const { labels: stream, extra } = entries[0];
    const labels = { ...stream, ...extra?.structuredMetadata, ...extra?.parsed };
    const key = Object.keys(labels).find((k) => new RegExp(field.matcherRegex).test(k));
    expect(key).toBe('trace_id');
    await openTrace(field.datasourceUid, interpolate(field.url, { '__value.raw': labels[key as string] }));
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
      const series: PromExemplarSeries[] = await promQuery(prom, 'query_exemplars', {
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
    const metrics = [
      'traces_service_graph_request_server_seconds_sum',
      'traces_service_graph_request_total',
      'traces_service_graph_request_failed_total',
      'traces_service_graph_request_server_seconds_bucket',
    ];
    const ds = byUid(tempo.jsonData.serviceMap.datasourceUid, 'prometheus');
    for (const metric of metrics) {
      // makePromServiceMapRequest: the rates by edge, and the edges' labels.
      const rates = await instant(ds, `sum by (client, server) (rate(${metric}[${RANGE}]))`);
      expect(rates.map((r) => `${r.metric.client}→${r.metric.server}`)).toContain('frontend→checkout');
      const edges = await instant(ds, `group by (client, connection_type, server) (${metric})`);
      expect(edges.map((r) => `${r.metric.client}→${r.metric.server}`)).toContain('frontend→checkout');
    }
    // The Service Graph view's table: rate, errors and p90 duration by span name.
    const server = 'span_kind="SPAN_KIND_SERVER"';
    const table = [
      `topk(5, sum(rate(traces_spanmetrics_calls_total{${server}}[${RANGE}])) by (span_name))`,
      `topk(5, sum(rate(traces_spanmetrics_calls_total{status_code="STATUS_CODE_ERROR",${server}}[${RANGE}])) by (span_name))`,
      `histogram_quantile(.9, sum(rate(traces_spanmetrics_latency_bucket{${server},span_name="POST /checkout"}[${RANGE}])) by (le))`,
    ];
    for (const expr of table) expect((await instant(ds, expr)).length, expr).toBeGreaterThan(0);
  });
});
