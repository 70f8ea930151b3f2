import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../config/load-config';
import { fetchTrace, postTraces } from './support/clients';
import { flatten, lokiGet, lokiPushJson, nanosAgo } from './support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';

/**
 * `auth:` end to end: with it, every push (OTLP/HTTP, OTLP/gRPC, Loki) and every query must carry
 * a tenant's credentials; the tenant is the credentials' one, so Grafana with basic auth needs no
 * `X-Scope-OrgID`; naming another tenant is refused; health checks stay open.
 */

const AUTH_YAML = `
multitenancy_enabled: true
auth:
  tenants:
    team-a:
      bearer_tokens: ["token-a"]
      basic:
        - username: grafana-a
          password: "pw-a"
    team-b:
      basic:
        - username: grafana-b
          password: "pw-b"
`;

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const AS_A = { authorization: 'Bearer token-a' };
const AS_A_BASIC = { authorization: basic('grafana-a', 'pw-a') };
const AS_B = { authorization: basic('grafana-b', 'pw-b') };

// index.html reduced to the markers around #root, so trace pages are rendered by the server.
const SHELL = `<!doctype html><html><head></head>
<body><!--loupe:root--><div id="root">skeleton</div><!--/loupe:root--></body></html>`;

/** Sends one span through a real SDK exporter; resolves with its trace ID and what the exporter was answered. */
async function exportOneSpan(
  exporter: SpanExporter,
  name: string,
): Promise<{ traceId: string; result: ExportResult }> {
  const recorded = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'auth-test' }),
    spanProcessors: [new SimpleSpanProcessor(recorded)],
  });
  const span = provider.getTracer('auth-test').startSpan(name);
  span.end();
  await provider.forceFlush();
  // Exported directly, not by a span processor: a processor hands failures to the global error handler.
  const result = await new Promise<ExportResult>((resolve) =>
    exporter.export(recorded.getFinishedSpans(), resolve),
  );
  await Promise.all([provider.shutdown(), exporter.shutdown()]);
  return { traceId: span.spanContext().traceId, result };
}

function grpcMetadata(headers: Record<string, string>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return metadata;
}

const identity = (b: Buffer): Buffer => b;

/** A raw OTLP/gRPC Export call with the given metadata. */
async function grpcCall(
  address: string,
  service: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<{ code: grpc.status; details: string }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  try {
    return await new Promise((resolve) => {
      client.makeUnaryRequest(
        `/opentelemetry.proto.collector.${service}/Export`,
        identity,
        identity,
        Buffer.from(body),
        grpcMetadata(headers),
        { deadline: Date.now() + 10_000 },
        (err: grpc.ServiceError | null) =>
          resolve(err ? { code: err.code, details: err.details } : { code: grpc.status.OK, details: '' }),
      );
    });
  } finally {
    client.close();
  }
}

function oneSpanBody(name = 'op') {
  const traceId = newTraceId();
  const body = encodeTraceRequest([{ service: 'auth-raw', spans: [simpleSpan(traceId, name, Date.now())] }]);
  return { traceId: hex(traceId), body };
}

describe('auth: credentials per tenant', () => {
  let server: TestLoupe;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(path.join(tmpdir(), 'loupe-auth-dist-'));
    writeFileSync(path.join(dist, 'index.html'), SHELL);
    const { auth, multitenancyEnabled } = parseConfigYaml(AUTH_YAML, 'auth.yaml').config;
    server = await startTestLoupe(
      { multitenancyEnabled, auth, receivers: { http: { corsAllowedOrigins: ['http://app.example'] } } },
      undefined,
      { webDistDir: dist },
    );
  });

  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
    if (dist) removeDir(dist);
  });

  describe('OTLP/HTTP', () => {
    it('takes spans from the SDK exporter with a bearer token, into the token’s tenant', async () => {
      const exporter = new ProtoExporter({ url: `${server.otlp}/v1/traces`, headers: AS_A });
      const { traceId, result } = await exportOneSpan(exporter, 'http-bearer');
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      const asA = await fetchTrace(server.api, traceId, 'v2-json', {});
      expect(asA.httpStatus).toBe(401); // the query needs credentials too
      const found = await fetch(`${server.api}/api/v2/traces/${traceId}`, { headers: AS_A_BASIC });
      expect(found.status).toBe(200);
      expect(await found.text()).toContain('http-bearer');
      const asB = await fetch(`${server.api}/api/v2/traces/${traceId}`, { headers: AS_B });
      expect(await asB.text()).not.toContain('http-bearer');
    });

    it('reports a wrong token to the SDK as a failure, not retried', async () => {
      const exporter = new ProtoExporter({
        url: `${server.otlp}/v1/traces`,
        headers: { authorization: 'Bearer nope' },
      });
      const started = Date.now();
      const { result } = await exportOneSpan(exporter, 'http-wrong');
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('answers 401 with WWW-Authenticate for missing or wrong credentials, on every signal', async () => {
      const { body } = oneSpanBody();
      const missing = await postTraces(server.otlp, body, { tenant: 'team-a' });
      expect(missing.status).toBe(401);
      expect(missing.error?.message).toMatch(/^no credentials: send "Authorization: Bearer <token>"/);
      const wrong = await postTraces(server.otlp, body, {
        headers: { authorization: basic('grafana-a', 'x') },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.error?.message).toMatch(/^invalid credentials/);
      for (const signal of ['traces', 'logs', 'metrics']) {
        const res = await fetch(`${server.otlp}/v1/${signal}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        expect([signal, res.status]).toEqual([signal, 401]);
        expect(res.headers.get('www-authenticate')).toBe(
          'Basic realm="Loupe", charset="UTF-8", Bearer realm="Loupe"',
        );
        expect(((await res.json()) as { code: number }).code).toBe(grpc.status.UNAUTHENTICATED);
      }
    });

    it('lets a browser preflight without credentials, and send Authorization after it', async () => {
      const preflight = await fetch(`${server.otlp}/v1/traces`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    });

    it('answers 403 when X-Scope-OrgID names another tenant than the credentials', async () => {
      const { body } = oneSpanBody();
      const res = await postTraces(server.otlp, body, { tenant: 'team-b', headers: AS_A });
      expect(res.status).toBe(403);
      expect(res.error?.message).toBe(
        'the credentials sent are for tenant "team-a", not "team-b": send that tenant\'s credentials, or no X-Scope-OrgID',
      );
      expect(res.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      const same = await postTraces(server.otlp, body, { tenant: 'team-a', headers: AS_A });
      expect(same.status).toBe(200);
    });
  });

  describe('OTLP/gRPC', () => {
    it('takes spans from the SDK exporter with authorization metadata', async () => {
      const exporter = new GrpcExporter({
        url: `http://${server.grpc}`,
        metadata: grpcMetadata({ authorization: basic('grafana-b', 'pw-b') }),
      });
      const { traceId, result } = await exportOneSpan(exporter, 'grpc-basic');
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      const asB = await fetchTraceText(traceId, AS_B);
      expect(asB).toContain('grpc-basic');
      expect(await fetchTraceText(traceId, AS_A)).not.toContain('grpc-basic');
    });

    it('reports a wrong token to the SDK as a failure, not retried', async () => {
      const exporter = new GrpcExporter({
        url: `http://${server.grpc}`,
        metadata: grpcMetadata({ authorization: 'Bearer nope' }),
      });
      const started = Date.now();
      const { result } = await exportOneSpan(exporter, 'grpc-wrong');
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error?.message).toContain('invalid credentials');
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('answers UNAUTHENTICATED without valid credentials and PERMISSION_DENIED across tenants', async () => {
      const { body } = oneSpanBody();
      const trace = 'trace.v1.TraceService';
      const missing = await grpcCall(server.grpc, trace, body, { 'x-scope-orgid': 'team-a' });
      expect(missing.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(missing.details).toMatch(/^no credentials/);
      expect((await grpcCall(server.grpc, trace, body, { authorization: 'Bearer x' })).code).toBe(
        grpc.status.UNAUTHENTICATED,
      );
      expect((await grpcCall(server.grpc, 'logs.v1.LogsService', new Uint8Array(), {})).code).toBe(
        grpc.status.UNAUTHENTICATED,
      );
      expect((await grpcCall(server.grpc, 'metrics.v1.MetricsService', new Uint8Array(), {})).code).toBe(
        grpc.status.UNAUTHENTICATED,
      );
      const crossing = await grpcCall(server.grpc, trace, body, { ...AS_A, 'x-scope-orgid': 'team-b' });
      expect(crossing.code).toBe(grpc.status.PERMISSION_DENIED);
      expect((await grpcCall(server.grpc, trace, body, { ...AS_A, 'x-scope-orgid': 'team-a' })).code).toBe(
        grpc.status.OK,
      );
    });
  });

  async function fetchTraceText(traceId: string, headers: Record<string, string>): Promise<string> {
    const res = await fetch(`${server.api}/api/v2/traces/${traceId}`, { headers });
    expect(res.status).toBe(200);
    return res.text();
  }

  describe('queries on :3200', () => {
    it('finds a trace by ID and by search with basic auth alone, in the credentials’ tenant', async () => {
      const { traceId, body } = oneSpanBody('searched-op');
      expect((await postTraces(server.otlp, body, { headers: AS_B })).status).toBe(200);
      for (const form of ['v1-json', 'v2-proto'] as const) {
        const res = await fetch(
          `${server.api}${form === 'v1-json' ? '/api/traces/' : '/api/v2/traces/'}${traceId}`,
          { headers: { ...AS_B, ...(form === 'v2-proto' ? { accept: 'application/protobuf' } : {}) } },
        );
        expect([form, res.status]).toEqual([form, 200]);
        expect(Buffer.from(await res.arrayBuffer()).includes('searched-op')).toBe(true);
      }
      const search = (headers: Record<string, string>) =>
        fetch(`${server.api}/api/search?${new URLSearchParams({ q: '{ name = "searched-op" }' })}`, {
          headers,
        });
      const asB = await search(AS_B);
      expect(asB.status).toBe(200);
      const ids = ((await asB.json()) as { traces: { traceID: string }[] }).traces.map((t) => t.traceID);
      expect(ids.map((id) => id.padStart(32, '0'))).toContain(traceId);
      const asA = await search(AS_A_BASIC);
      expect(((await asA.json()) as { traces: unknown[] }).traces).toEqual([]);
      expect((await search({})).status).toBe(401);
    });

    it('refuses another tenant named in X-Scope-OrgID: 403 in each API’s own format', async () => {
      const crossing = { ...AS_B, 'x-scope-orgid': 'team-a' };
      const tempo = await fetch(`${server.api}/api/v2/traces/${hex(newTraceId())}`, { headers: crossing });
      expect(tempo.status).toBe(403);
      expect(await tempo.text()).toMatch(/^the credentials sent are for tenant "team-b", not "team-a"/);
      const search = await fetch(`${server.api}/api/search/tags`, { headers: crossing });
      expect(search.status).toBe(403);
      const prometheus = await fetch(`${server.api}/prometheus/api/v1/labels`, { headers: crossing });
      expect(prometheus.status).toBe(403);
      expect(await prometheus.json()).toMatchObject({
        status: 'error',
        error: expect.stringContaining('team-b'),
      });
      const loki = await lokiGet(server.api, '/loki/api/v1/labels', {}, crossing);
      expect(loki.status).toBe(403);
    });

    it('takes Loki pushes with credentials, into their tenant', async () => {
      const push = (headers: Record<string, string>) =>
        lokiPushJson(
          server.api,
          { streams: [{ stream: { job: 'auth-test' }, values: [[String(nanosAgo(5)), 'hello from b']] }] },
          headers,
        );
      const missing = await push({ 'x-scope-orgid': 'team-b' });
      expect(missing.status).toBe(401);
      expect(missing.text).toMatch(/^no credentials/);
      expect((await push({ ...AS_B, 'x-scope-orgid': 'team-a' })).status).toBe(403);
      expect((await push(AS_B)).status).toBe(204);
      const query = (headers: Record<string, string>) =>
        lokiGet(server.api, '/loki/api/v1/query_range', { query: '{job="auth-test"}', since: '1h' }, headers);
      const asB = await query(AS_B);
      expect(asB.status).toBe(200);
      expect(flatten(asB.json()).map((e) => e.line)).toEqual(['hello from b']);
      expect(flatten((await query(AS_A)).json())).toEqual([]);
      expect((await query({})).status).toBe(401);
    });

    it('keeps /ready, /api/echo and /metrics open; the rest asks for credentials', async () => {
      for (const open of ['/ready', '/api/echo', '/metrics']) {
        expect([open, (await fetch(`${server.api}${open}`)).status]).toEqual([open, 200]);
      }
      for (const closed of [
        '/api/status/buildinfo',
        '/loupe/config',
        '/prometheus/api/v1/labels',
        '/nowhere',
      ]) {
        const res = await fetch(`${server.api}${closed}`);
        expect([closed, res.status]).toEqual([closed, 401]);
      }
      const config = await fetch(`${server.api}/loupe/config`, { headers: AS_A_BASIC });
      expect(config.status).toBe(200);
    });

    it('asks a browser for basic credentials on the UI, which then works with them', async () => {
      const prompt = await fetch(`${server.api}/`, { headers: { accept: 'text/html' } });
      expect(prompt.status).toBe(401);
      expect(prompt.headers.get('www-authenticate')).toMatch(/^Basic realm="Loupe"/);
      const page = await fetch(`${server.api}/`, { headers: { accept: 'text/html', ...AS_A_BASIC } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('loupe:root');
    });

    it("renders a trace page only for the credentials' own tenant", async () => {
      const { traceId, body } = oneSpanBody('page-op');
      expect((await postTraces(server.otlp, body, { headers: AS_A })).status).toBe(200);
      const page = async (query: string, headers: Record<string, string>) => {
        const res = await fetch(`${server.api}/trace/${traceId}${query}`, {
          headers: { accept: 'text/html', ...headers },
        });
        expect(res.status).toBe(200);
        return res.text();
      };
      expect(await page('', AS_A_BASIC)).toContain('data-prerendered');
      expect(await page('?tenant=team-a', AS_A_BASIC)).toContain('data-prerendered');
      const elsewhere = await page('?tenant=team-a', AS_B);
      expect(elsewhere).not.toContain('data-prerendered');
      expect(elsewhere).not.toContain('page-op');
    });
  });
});

describe('auth: between a querier and its ingesters', () => {
  let ingester: TestLoupe;
  let querier: TestLoupe;

  beforeAll(async () => {
    const { auth } = parseConfigYaml(AUTH_YAML, 'auth.yaml').config;
    ingester = await startTestLoupe({ target: 'ingester', multitenancyEnabled: true, auth });
    querier = await startTestLoupe({
      target: 'querier',
      multitenancyEnabled: true,
      auth,
      querier: { ingesterAddresses: [`127.0.0.1:${ingester.loupe.ports.http}`] },
      storage: { localPath: ingester.config.storage.localPath },
    });
  });

  afterAll(async () => {
    await querier?.loupe.stop();
    await ingester?.loupe.stop();
    for (const s of [querier, ingester]) if (s) removeDir(s.dataDir);
  });

  it("reads the ingesters' unflushed spans with the tenant's own credentials", async () => {
    const { traceId, body } = oneSpanBody('unflushed-op');
    expect((await postTraces(ingester.otlp, body, { headers: AS_B })).status).toBe(200);
    const internal = await fetch(`${ingester.api}/internal/v1/unflushed/refs`, {
      headers: { 'x-scope-orgid': 'team-b' },
    });
    expect(internal.status).toBe(401);
    const res = await fetch(`${querier.api}/api/v2/traces/${traceId}`, { headers: AS_B });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('unflushed-op');
    const failures = await querier.loupe.metrics.ingesterQueryFailures.get();
    expect(failures.values.reduce((n, v) => n + v.value, 0)).toBe(0);
  });
});
