import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SpanStatusCode } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from '../testing/test-config';
import { fetchTrace, grpcExport, metricValue, postTraces, scrapeMetrics } from './support/clients';
import { oneLoupePerTest, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';

/**
 * Per-tenant limits as a client meets them: over a limit that may pass later, HTTP 429 / gRPC
 * RESOURCE_EXHAUSTED (retried by exporters, so nothing is lost); over one that can never pass,
 * 413 / INVALID_ARGUMENT; each message names the limit and the tenant; the other tenants go on.
 */

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_RESOURCE_EXHAUSTED = 8;

const startLoupe = oneLoupePerTest();

/** Loupe with multitenancy and these tenants' limits in a runtime overrides file. */
async function start(perTenant: string): Promise<TestLoupe> {
  const dataDir = tempDataDir('loupe-limits-');
  const file = join(dataDir, 'overrides.yaml');
  writeFileSync(file, `overrides:\n${perTenant}`);
  return startLoupe({ multitenancyEnabled: true, overrides: { perTenantFile: file } }, dataDir);
}

function request(spans = 1): { body: Buffer; traceId: Buffer } {
  const traceId = newTraceId();
  const body = encodeTraceRequest([
    {
      service: 'checkout',
      spans: Array.from({ length: spans }, (_, i) => simpleSpan(traceId, `op ${i}`, Date.now() - 1000 + i)),
    },
  ]);
  return { body, traceId };
}

describe('per-tenant limits', () => {
  it('refuses a tenant over its ingestion rate with 429 / RESOURCE_EXHAUSTED, and not the others', async () => {
    const s = await start(
      `  small:\n    ingestion:\n      rate_limit_bytes: 100\n      burst_size_bytes: 1200\n`,
    );
    const { body } = request(5);
    expect(body.length).toBeGreaterThan(300);
    expect(body.length).toBeLessThan(400); // three fit the burst
    const answers: number[] = [];
    // Each refusal is held for its Retry-After (1 s) before it is answered.
    for (let i = 0; i < 6; i++) answers.push((await postTraces(s.otlp, body, { tenant: 'small' })).status);
    expect(answers.slice(0, 2)).toEqual([200, 200]);
    expect(answers).toContain(429);
    const refused = await postTraces(s.otlp, body, { tenant: 'small' });
    expect(refused.status).toBe(429);
    expect(refused.error?.message).toBe(
      'ingestion rate limit reached for tenant "small" (rate_limit_bytes: 100 bytes/s, burst_size_bytes: 1200): retry later',
    );
    const grpc = await grpcExport(s.grpc, body, { tenant: 'small' });
    expect(grpc.code).toBe(GRPC_RESOURCE_EXHAUSTED);
    expect(grpc.details).toContain('rate_limit_bytes');
    // Another tenant, at the defaults, is not affected.
    for (let i = 0; i < 10; i++)
      expect((await postTraces(s.otlp, body, { tenant: 'other' })).status).toBe(200);
    const metrics = await scrapeMetrics(s.api);
    expect(
      metricValue(metrics, 'loupe_tenant_requests_refused_total', {
        tenant: 'small',
        reason: 'rate_limited',
      }),
    ).toBe(answers.filter((status) => status === 429).length + 2);
    expect(metrics).not.toMatch(/loupe_tenant_requests_refused_total\{[^}]*tenant="other"/);
  });

  it('refuses with 413 / INVALID_ARGUMENT what can never pass: a request over the burst, or over max_spans_per_request', async () => {
    const s = await start(
      `  tiny:\n    ingestion:\n      burst_size_bytes: 500\n  few:\n    ingestion:\n      max_spans_per_request: 3\n`,
    );
    const big = request(20).body;
    const http = await postTraces(s.otlp, big, { tenant: 'tiny' });
    expect(http.status).toBe(413);
    expect(http.error?.message).toBe(
      `request of ${big.length} bytes is larger than tenant "tiny"'s ingestion burst (burst_size_bytes: 500): it can never be accepted; send smaller batches`,
    );
    expect((await grpcExport(s.grpc, big, { tenant: 'tiny' })).code).toBe(GRPC_INVALID_ARGUMENT);
    const four = await postTraces(s.otlp, request(4).body, { tenant: 'few' });
    expect(four.status).toBe(413);
    expect(four.error?.message).toContain(
      'request holds 4 spans, more than tenant "few"\'s max_spans_per_request (3)',
    );
    expect((await postTraces(s.otlp, request(3).body, { tenant: 'few' })).status).toBe(200);
  });

  it('refuses new traces past max_traces_per_user with 429, while spans of live traces still pass', async () => {
    const s = await start(`  busy:\n    ingestion:\n      max_traces_per_user: 2\n`);
    const first = request();
    const second = request();
    expect((await postTraces(s.otlp, first.body, { tenant: 'busy' })).status).toBe(200);
    expect((await postTraces(s.otlp, second.body, { tenant: 'busy' })).status).toBe(200);
    const third = await postTraces(s.otlp, request().body, { tenant: 'busy' });
    expect(third.status).toBe(429);
    expect(third.error?.message).toContain(
      'max live traces reached for tenant "busy" (max_traces_per_user: 2',
    );
    expect((await grpcExport(s.grpc, request().body, { tenant: 'busy' })).code).toBe(GRPC_RESOURCE_EXHAUSTED);
    // More spans of a live trace are fine.
    const more = encodeTraceRequest([
      { service: 'checkout', spans: [simpleSpan(first.traceId, 'late', Date.now())] },
    ]);
    expect((await postTraces(s.otlp, more, { tenant: 'busy' })).status).toBe(200);
    expect((await fetchTrace(s.api, hex(first.traceId), 'v2-json', { tenant: 'busy' })).spans).toHaveLength(
      2,
    );
  });

  it('keeps every span the real OTLP/HTTP exporter sends through a rate limit: it retries the 429s', async () => {
    // Room for about one export at a time, refilled within the exporter's retry backoff (1 s, growing).
    const s = await start(
      `  sdk:\n    ingestion:\n      rate_limit_bytes: 4000\n      burst_size_bytes: 4000\n`,
    );
    const exporter = new ProtoExporter({ url: `${s.otlp}/v1/traces`, headers: { 'X-Scope-OrgID': 'sdk' } });
    const { ids } = await exportSpans(exporter, 6);
    for (const id of ids)
      expect((await fetchTrace(s.api, id, 'v2-json', { tenant: 'sdk' })).spans, id).toHaveLength(1);
    const metrics = await scrapeMetrics(s.api);
    expect(
      metricValue(metrics, 'loupe_tenant_requests_refused_total', { tenant: 'sdk', reason: 'rate_limited' }),
    ).toBeGreaterThan(0);
  }, 120_000);

  it('answers the real OTLP/gRPC exporter RESOURCE_EXHAUSTED (the retryable code) over the rate limit', async () => {
    const s = await start(
      `  sdk:\n    ingestion:\n      rate_limit_bytes: 100\n      burst_size_bytes: 4000\n`,
    );
    // Spend the bucket, then export: the exporter reports the server's code and message.
    expect((await postTraces(s.otlp, request(10).body, { tenant: 'sdk' })).status).toBe(200);
    const metadata = new grpc.Metadata();
    metadata.set('x-scope-orgid', 'sdk');
    const exporter = new RecordingExporter(new GrpcExporter({ url: `http://${s.grpc}`, metadata }));
    await exportSpans(exporter, 3);
    const failed = exporter.results.find((r) => r.code === ExportResultCode.FAILED);
    expect(failed?.error).toMatchObject({ code: GRPC_RESOURCE_EXHAUSTED });
    expect(failed?.error?.message).toContain('ingestion rate limit reached for tenant "sdk"');
  }, 60_000);

  it('cuts attribute values past max_attribute_bytes with a marker, and keeps the span', async () => {
    const s = await start(`  verbose:\n    ingestion:\n      max_attribute_bytes: 100\n`);
    const traceId = newTraceId();
    const body = encodeTraceRequest([
      {
        service: 'checkout',
        spans: [
          simpleSpan(traceId, 'SELECT', Date.now() - 1000, {
            attributes: { 'db.statement': 'y'.repeat(1000) },
          }),
        ],
      },
    ]);
    const answer = await postTraces(s.otlp, body, { tenant: 'verbose' });
    expect(answer.status).toBe(200);
    expect(answer.partialSuccess?.rejectedSpans ?? 0).toBe(0);
    const [span] = (await fetchTrace(s.api, hex(traceId), 'v2-json', { tenant: 'verbose' })).spans;
    const statement = (span.attributes['db.statement'] as { string: string }).string;
    expect(statement).toMatch(/^y+…\[truncated from 1000 bytes\]$/);
    expect(Buffer.byteLength(statement)).toBeLessThanOrEqual(100);
    const metrics = await scrapeMetrics(s.api);
    expect(metricValue(metrics, 'loupe_distributor_attributes_truncated_total', { tenant: 'verbose' })).toBe(
      1,
    );
  });

  it('holds a tenant to its own max_active_series for metrics series, and others to the default', async () => {
    const s = await start(`  small:\n    metrics_generator:\n      max_active_series: 2\n`);
    const push = async (tenant: string) => {
      const points = ['a', 'b', 'c', 'd'].map((route) => ({
        attributes: [{ key: 'route', value: { stringValue: route } }],
        timeUnixNano: `${Date.now()}000000`,
        asInt: '1',
      }));
      const res = await fetch(`${s.otlp}/v1/metrics`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-scope-orgid': tenant },
        body: JSON.stringify({
          resourceMetrics: [
            { scopeMetrics: [{ metrics: [{ name: 'hits', gauge: { dataPoints: points } }] }] },
          ],
        }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as {
        partialSuccess?: { rejectedDataPoints?: string | number; errorMessage?: string };
      };
    };
    const small = await push('small');
    expect(Number(small.partialSuccess?.rejectedDataPoints)).toBe(2);
    expect(small.partialSuccess?.errorMessage).toContain('tenant small reached the limit of 2 series');
    expect(Number((await push('other')).partialSuccess?.rejectedDataPoints ?? 0)).toBe(0);
  });

  it('refuses a search over a longer range than max_search_duration, naming the limit', async () => {
    const s = await start(`  narrow:\n    read:\n      max_search_duration: 1h\n`);
    const end = Math.floor(Date.now() / 1000);
    const search = (tenant: string, hours: number) =>
      fetch(`${s.api}/api/search?q=%7B%7D&start=${end - hours * 3600}&end=${end}`, {
        headers: { 'X-Scope-OrgID': tenant },
      });
    const refused = await search('narrow', 2);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('exceeds tenant "narrow"\'s max_search_duration (1h)');
    expect((await search('narrow', 1)).status).toBe(200);
    expect((await search('other', 48)).status).toBe(200);
  });
});

/** Records what the wrapped (real) exporter was answered. */
class RecordingExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Ends `n` spans (each its own trace, ~1.5 KB) through the real SDK into `exporter`; their trace IDs. */
async function exportSpans(exporter: SpanExporter, n: number): Promise<{ ids: string[] }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'limits' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('limits');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan(`op ${i}`, { attributes: { payload: 'x'.repeat(1500) } });
    span.setStatus({ code: SpanStatusCode.OK });
    ids.push(span.spanContext().traceId);
    span.end();
  }
  await provider.forceFlush().catch(() => {});
  await provider.shutdown().catch(() => {});
  return { ids };
}
