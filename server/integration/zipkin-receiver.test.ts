import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { type HrTime, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMicroseconds } from '@opentelemetry/core';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOfSpansType } from '../receivers/zipkin/zipkin-proto';
import { fetchTrace, TRACE_FORMS } from './support/clients';
import { type Overrides, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { emitThroughSdk, OTLP_KIND_NAMES, startCheckoutRequest } from './support/otel-sdk-services';
import type { FlatSpan, TypedValue } from './support/tempo-json';

/**
 * Loupe with Tempo's `distributor.receivers.zipkin` on: the OpenTelemetry JS SDK's Zipkin
 * exporter, and raw Zipkin v2 JSON and protobuf bodies, land as the OpenTelemetry Collector's
 * Zipkin receiver would have converted them, read back through Tempo's trace-by-ID API; bad
 * bodies, tenants and limits are answered as on the OTLP receivers.
 */

const ZIPKIN = { host: '127.0.0.1', port: 0, maxRequestBodyBytes: 20 * 1024 * 1024, parseStringTags: false };

async function startWithZipkin(overrides: Overrides = {}): Promise<TestLoupe & { zipkin: string }> {
  const server = await startTestLoupe({
    ...overrides,
    receivers: { zipkin: ZIPKIN, ...overrides.receivers },
  });
  return { ...server, zipkin: `http://127.0.0.1:${server.loupe.ports.zipkin}/api/v2/spans` };
}

async function stop(server: TestLoupe | undefined): Promise<void> {
  await server?.loupe.stop();
  if (server) removeDir(server.dataDir);
}

interface ZipkinAnswer {
  status: number;
  text: string;
  retryAfter: string | null;
  wwwAuthenticate: string | null;
}

async function postZipkin(
  url: string,
  body: string | Uint8Array,
  opts: {
    contentType?: string;
    gzip?: boolean;
    tenant?: string;
    encoding?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<ZipkinAnswer> {
  const headers: Record<string, string> = {
    ...opts.headers,
    'content-type':
      opts.contentType ?? (typeof body === 'string' ? 'application/json' : 'application/x-protobuf'),
  };
  if (opts.tenant !== undefined) headers['x-scope-orgid'] = opts.tenant;
  let payload = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  if (opts.gzip) payload = gzipSync(payload);
  if (opts.gzip || opts.encoding) headers['content-encoding'] = opts.encoding ?? 'gzip';
  const res = await fetch(url, { method: 'POST', headers, body: payload });
  return {
    status: res.status,
    text: await res.text(),
    retryAfter: res.headers.get('retry-after'),
    wwwAuthenticate: res.headers.get('www-authenticate'),
  };
}

const hexId = (bytes: number) => randomBytes(bytes).toString('hex');
const nowMicros = () => Date.now() * 1000;

/** A Zipkin v2 JSON body of one span named `name`, in a trace of its own. */
function oneSpanTrace(name: string): { traceId: string; body: string } {
  const traceId = hexId(16);
  return {
    traceId,
    body: JSON.stringify([{ traceId, id: hexId(8), name, timestamp: nowMicros(), duration: 1 }]),
  };
}

/**
 * frontend ── GET /checkout (server) ── POST /api/orders (client)
 *   checkout ── POST /api/orders (server) ─┬─ compute-total (internal, event)
 *                                          ├─ charge card (client, error)
 *                                          └─ publish order.created (producer, ok)
 */
async function emitThroughZipkinExporter(url: string, headers?: Record<string, string>) {
  const services = ['frontend', 'checkout'].map((service) => ({
    resource: { 'service.name': service, 'service.version': '2.1.0' },
    scope: { name: 'shop', version: '0.9.1' },
  }));
  const makeExporter = () => new ZipkinExporter({ url, headers });
  const { emitted, sent } = await emitThroughSdk(services, makeExporter, ([frontend, checkout]) => {
    const { root, call, handle, inHandle } = startCheckoutRequest(frontend, checkout, {
      'order.id': 'ord-1042',
      'order.items': 3,
      'order.total': 12.5,
      'order.express': true,
    });
    const compute = checkout.startSpan('compute-total', { kind: SpanKind.INTERNAL }, inHandle);
    compute.addEvent('tax-applied', { 'tax.rate': 0.2 });
    compute.end();
    const charge = checkout.startSpan('charge card', { kind: SpanKind.CLIENT }, inHandle);
    charge.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    charge.end();
    const publish = checkout.startSpan('publish order.created', { kind: SpanKind.PRODUCER }, inHandle);
    publish.setStatus({ code: SpanStatusCode.OK });
    publish.end();
    handle.end();
    call.end();
    root.end();
    return root.spanContext().traceId;
  });
  return { traceId: emitted, sent };
}

const nanosOfMicros = (micros: number) => (BigInt(Math.round(micros)) * 1000n).toString();
const micros = (time: HrTime) => hrTimeToMicroseconds(time);

/**
 * What the Collector's translator makes of a span the JS exporter sent: every attribute and the
 * resource as string tags, the resource's convention keys back on the resource; INTERNAL has no
 * Zipkin kind (so no OTLP kind); the exporter's `otel.status_code` values `OK`/`ERROR` are not
 * the Collector's, so only the `error` tag (the status message) makes an error; events keep
 * their names at microsecond precision.
 */
function expectedFromSdk(span: ReadableSpan): FlatSpan {
  const attributes: Record<string, TypedValue> = {};
  for (const [key, value] of Object.entries(span.attributes)) attributes[key] = { string: String(value) };
  if (span.status.code === SpanStatusCode.ERROR && span.status.message) {
    attributes.error = { string: span.status.message };
  }
  // INTERNAL has no Zipkin kind, so no OTLP kind either.
  const kinds = { ...OTLP_KIND_NAMES, [SpanKind.INTERNAL]: 'SPAN_KIND_UNSPECIFIED' };
  const start = micros(span.startTime);
  return {
    service: String(span.resource.attributes['service.name']),
    resource: {
      'service.name': { string: String(span.resource.attributes['service.name']) },
      'service.version': { string: '2.1.0' },
    },
    scope: { name: '', version: '' },
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    kind: kinds[span.kind],
    startTimeUnixNano: nanosOfMicros(start),
    endTimeUnixNano: (BigInt(nanosOfMicros(start)) + BigInt(nanosOfMicros(micros(span.duration)))).toString(),
    attributes,
    events: span.events.map((e) => ({
      name: e.name,
      timeUnixNano: nanosOfMicros(micros(e.time)),
      attributes: {},
    })),
    links: [],
    status: {
      code: span.status.code === SpanStatusCode.ERROR ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET',
      message: '',
    },
  };
}

describe('the Zipkin receiver', () => {
  let server: TestLoupe & { zipkin: string };
  beforeAll(async () => {
    server = await startWithZipkin();
  });
  afterAll(() => stop(server));

  it("takes the OpenTelemetry JS SDK's Zipkin exporter; Tempo's API returns each span as the Collector converts it", async () => {
    const { traceId, sent } = await emitThroughZipkinExporter(server.zipkin);
    expect(sent).toHaveLength(6);
    const expected = sent.map(expectedFromSdk).sort((a, b) => a.spanId.localeCompare(b.spanId));
    for (const form of TRACE_FORMS) {
      const answer = await fetchTrace(server.api, traceId, form);
      expect(answer.httpStatus, form).toBe(200);
      for (const [i, span] of answer.spans.entries())
        expect(span, `${form} ${span.name}`).toEqual(expected[i]);
      expect(answer.spans, form).toHaveLength(expected.length);
    }
    // Spot checks a reader of the trace sees, beyond the table above.
    const byName = new Map(
      (await fetchTrace(server.api, traceId, 'v2-json')).spans.map((s) => [`${s.service} ${s.name}`, s]),
    );
    expect(byName.get('checkout POST /api/orders')?.parentSpanId).toBe(
      byName.get('frontend POST /api/orders')?.spanId,
    );
    expect(byName.get('checkout charge card')?.status.code).toBe('STATUS_CODE_ERROR');
    expect(byName.get('checkout compute-total')?.events.map((e) => e.name)).toEqual(['tax-applied']);
  });

  it('takes Zipkin v2 protobuf (ListOfSpans), gzipped, with endpoints as net.* and peer.* attributes', async () => {
    const traceId = hexId(16);
    const [rootId, childId] = [hexId(8), hexId(8)];
    const start = nowMicros();
    const type = listOfSpansType();
    const body = type
      .encode(
        type.fromObject({
          spans: [
            {
              traceId: Buffer.from(traceId, 'hex'),
              id: Buffer.from(rootId, 'hex'),
              kind: 'SERVER',
              name: 'get /stock',
              timestamp: String(start),
              duration: '900',
              localEndpoint: { serviceName: 'inventory', ipv4: Buffer.from([10, 0, 0, 7]), port: 8080 },
              remoteEndpoint: { ipv6: Buffer.from('20010db8000000000000000000000001', 'hex'), port: 51000 },
              tags: {
                'http.route': '/stock',
                'otel.library.name': 'inventory-http',
                'otel.library.version': '3.0',
              },
            },
            {
              traceId: Buffer.from(traceId, 'hex'),
              parentId: Buffer.from(rootId, 'hex'),
              id: Buffer.from(childId, 'hex'),
              kind: 'CLIENT',
              name: 'select',
              timestamp: String(start + 100),
              duration: '300',
              localEndpoint: { serviceName: 'inventory' },
              remoteEndpoint: { serviceName: 'postgres' },
              annotations: [{ timestamp: String(start + 150), value: 'query sent' }],
              tags: { 'db.system': 'postgresql', error: 'true' },
            },
          ],
        }),
      )
      .finish();
    expect((await postZipkin(server.zipkin, body, { gzip: true })).status).toBe(202);

    const { spans } = await fetchTrace(server.api, traceId, 'v2-proto');
    const [root, child] = [spans.find((s) => s.spanId === rootId), spans.find((s) => s.spanId === childId)];
    expect(root).toMatchObject({
      service: 'inventory',
      scope: { name: 'inventory-http', version: '3.0' },
      kind: 'SPAN_KIND_SERVER',
      parentSpanId: '',
      startTimeUnixNano: `${start}000`,
      endTimeUnixNano: `${start + 900}000`,
      attributes: {
        'http.route': { string: '/stock' },
        'net.host.ip': { string: '10.0.0.7' },
        'net.host.port': { int: '8080' },
        'net.peer.ip': { string: '2001:db8::1' },
        'net.peer.port': { int: '51000' },
      },
    });
    expect(child).toMatchObject({
      kind: 'SPAN_KIND_CLIENT',
      parentSpanId: rootId,
      attributes: { 'db.system': { string: 'postgresql' }, 'peer.service': { string: 'postgres' } },
      events: [{ name: 'query sent', timeUnixNano: `${start + 150}000`, attributes: {} }],
      status: { code: 'STATUS_CODE_ERROR', message: '' },
    });
    expect(Object.keys(child?.attributes ?? {})).not.toContain('error');
  });

  it('takes gzipped JSON, an empty list, and reports spans refused among those taken', async () => {
    const traceId = hexId(16);
    const span = {
      traceId,
      id: hexId(8),
      name: 'gzipped',
      timestamp: nowMicros(),
      duration: 5,
      localEndpoint: { serviceName: 'svc' },
    };
    expect((await postZipkin(server.zipkin, JSON.stringify([span]), { gzip: true })).status).toBe(202);
    expect((await fetchTrace(server.api, traceId, 'v1-json')).spans.map((s) => s.name)).toEqual(['gzipped']);

    expect(await postZipkin(server.zipkin, '[]')).toMatchObject({ status: 202, text: '' });

    // An all-zero trace ID is no trace: that span is refused, the other kept, as OTLP's partial success.
    const kept = { ...span, traceId: hexId(16), name: 'kept' };
    const zero = { ...span, traceId: '0'.repeat(32), name: 'zero' };
    const partial = await postZipkin(server.zipkin, JSON.stringify([kept, zero]));
    expect(partial.status).toBe(202);
    expect(partial.text).toMatch(/^1 of 2 spans refused: /);
    expect((await fetchTrace(server.api, kept.traceId, 'v1-json')).spans.map((s) => s.name)).toEqual([
      'kept',
    ]);
  });

  it.each([
    ['JSON that does not parse', '[{"traceId": ', 'application/json', /^invalid Zipkin v2 JSON: /],
    [
      'a JSON object instead of a list',
      '{"traceId":"1"}',
      'application/json',
      /the body must be a JSON array of spans/,
    ],
    [
      'a span ID that is not hex',
      JSON.stringify([{ traceId: hexId(16), id: 'span-one' }]),
      'application/json',
      /span 0: "id": must be 1 to 16 hex digits \(a span ID\), got "span-one"/,
    ],
    [
      'a fractional timestamp',
      JSON.stringify([{ traceId: hexId(16), id: hexId(8), timestamp: 1.5 }]),
      'application/json',
      /"timestamp": must be a whole, non-negative number of microseconds/,
    ],
    [
      'JSON sent as protobuf',
      '[{"traceId":"1","id":"2"}]',
      'application/x-protobuf',
      /invalid Zipkin v2 protobuf \(ListOfSpans\)/,
    ],
  ])('answers %s with 400 and what to fix, and stays up', async (_name, body, contentType, message) => {
    const answer = await postZipkin(server.zipkin, body, { contentType });
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(message);
    const ok = JSON.stringify([{ traceId: hexId(16), id: hexId(8), timestamp: nowMicros() }]);
    expect((await postZipkin(server.zipkin, ok)).status).toBe(202);
  });

  it('answers a body in an unknown encoding 415, corrupt gzip 400, and Zipkin v1 400', async () => {
    expect((await postZipkin(server.zipkin, '[]', { encoding: 'br' })).status).toBe(415);
    const corrupt = await postZipkin(server.zipkin, '[]', { encoding: 'gzip' });
    expect(corrupt.status).toBe(400);
    expect(corrupt.text).toMatch(/invalid gzip body/);
    const v1 = await postZipkin(server.zipkin.replace('/api/v2/', '/api/v1/'), '[]');
    expect(v1).toMatchObject({
      status: 400,
      text: expect.stringMatching(/send Zipkin v2 .* to \/api\/v2\/spans/),
    });
  });
});

describe('the Zipkin receiver with multi-tenancy', () => {
  let server: TestLoupe & { zipkin: string };
  beforeAll(async () => {
    server = await startWithZipkin({ multitenancyEnabled: true });
  });
  afterAll(() => stop(server));

  it('refuses a push without X-Scope-OrgID with 401, and keeps each tenant to itself', async () => {
    const { traceId, body } = oneSpanTrace('tenanted');
    const missing = await postZipkin(server.zipkin, body);
    expect(missing.status).toBe(401);
    expect(missing.text).toBe('no org id'); // Tempo's words, as on the OTLP receivers

    expect((await postZipkin(server.zipkin, body, { tenant: 'team-a' })).status).toBe(202);
    expect(
      (await fetchTrace(server.api, traceId, 'v1-json', { tenant: 'team-a' })).spans.map((s) => s.name),
    ).toEqual(['tenanted']);
    expect((await fetchTrace(server.api, traceId, 'v1-json', { tenant: 'team-b' })).httpStatus).toBe(404);
  });

  it("the SDK exporter's headers carry the tenant", async () => {
    const { traceId } = await emitThroughZipkinExporter(server.zipkin, { 'X-Scope-OrgID': 'team-sdk' });
    expect((await fetchTrace(server.api, traceId, 'v2-json', { tenant: 'team-sdk' })).spans).toHaveLength(6);
  });
});

describe('the Zipkin receiver with auth:', () => {
  let server: TestLoupe & { zipkin: string };
  beforeAll(async () => {
    server = await startWithZipkin({
      multitenancyEnabled: true,
      auth: { tenants: [{ tenantId: 'team-a', bearerTokens: ['token-a'], basic: [] }] },
    });
  });
  afterAll(() => stop(server));

  it("asks for a tenant's credentials before reading the body, and files the spans under that tenant", async () => {
    const { traceId, body } = oneSpanTrace('authed');
    const anonymous = await postZipkin(server.zipkin, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.wwwAuthenticate).toContain('Bearer realm="Loupe"');
    expect(
      (await postZipkin(server.zipkin, body, { headers: { authorization: 'Bearer nope' } })).status,
    ).toBe(401);

    const asA = { authorization: 'Bearer token-a' };
    expect((await postZipkin(server.zipkin, body, { headers: asA })).status).toBe(202);
    const res = await fetch(`${server.api}/api/traces/${traceId}`, { headers: asA });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain('"name":"authed"');
  });
});

describe('the Zipkin receiver and limits', () => {
  let server: TestLoupe & { zipkin: string };
  beforeAll(async () => {
    server = await startWithZipkin({
      receivers: { zipkin: { ...ZIPKIN, maxRequestBodyBytes: 4096 } },
      overrides: { tenantLimits: { ingestionRateBytes: 1, ingestionBurstBytes: 600 } },
    });
  });
  afterAll(() => stop(server));

  it('answers a tenant over its ingestion rate 429 with Retry-After (retried by Zipkin reporters), a body over the limit 413', async () => {
    const body = JSON.stringify([
      {
        traceId: hexId(16),
        id: hexId(8),
        name: 'rate',
        timestamp: nowMicros(),
        tags: { pad: 'x'.repeat(300) },
      },
    ]);
    const answers: ZipkinAnswer[] = [];
    for (let i = 0; i < 3; i++) answers.push(await postZipkin(server.zipkin, body));
    expect(answers[0].status).toBe(202);
    const refused = answers.find((a) => a.status === 429);
    expect(refused?.retryAfter).toBe('1');
    expect(refused?.text).toMatch(/ingestion rate limit reached for tenant "single-tenant".*retry later/);

    const tooLarge = await postZipkin(server.zipkin, JSON.stringify([{ pad: 'x'.repeat(5000) }]));
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.text).toMatch(/larger than the configured limit \(max_request_body_size\)/);
  });
});

describe('receiver wiring', () => {
  let server: TestLoupe | undefined;
  afterAll(() => stop(server));

  it('starts the Zipkin and Jaeger receivers it is configured with, and reports each port', async () => {
    server = await startTestLoupe({
      receivers: {
        zipkin: ZIPKIN,
        jaeger: {
          thriftHttp: { host: '127.0.0.1', port: 0, maxRequestBodyBytes: 1 << 20 },
          grpc: { host: '127.0.0.1', port: 0, maxRecvMsgBytes: 1 << 20 },
        },
      },
    });
    const { ports } = server.loupe;
    const bound = [ports.otlpHttp, ports.otlpGrpc, ports.zipkin, ports.jaegerThriftHttp, ports.jaegerGrpc];
    for (const port of bound) expect(port).toBeGreaterThan(0);
    expect(new Set(bound).size).toBe(5);
    // Each HTTP receiver answers on its own port (Zipkin takes an empty list; an empty Thrift body is refused, not a crash).
    expect((await postZipkin(`http://127.0.0.1:${ports.zipkin}/api/v2/spans`, '[]')).status).toBe(202);
    const jaeger = await fetch(`http://127.0.0.1:${ports.jaegerThriftHttp}/api/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-thrift' },
      body: new Uint8Array(),
    });
    await jaeger.arrayBuffer();
    expect(jaeger.status).toBeLessThan(500);
  });
});
