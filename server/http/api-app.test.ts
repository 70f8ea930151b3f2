import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../integration/support/otlp-request';
import { combineTraceParts } from '../otlp/combine-trace';
import type { FindOptions, FoundTrace, TraceLookup } from '../query/find-trace';
import { SelfMetrics } from '../self-metrics/self-metrics';
import { Overrides } from '../tenancy/overrides';
import { buildApiApp } from './api-app';

/**
 * Tempo's trace-by-ID API through `buildApiApp(...).inject()`: no ports, a fake lookup. What
 * Grafana sees for found, missing, partial and malformed requests, per tenant.
 */
const traceId = Buffer.from(newTraceId());
const hexId = traceId.toString('hex');
const spans = [
  simpleSpan(traceId, 'root', Date.now() - 1000),
  simpleSpan(traceId, 'child', Date.now() - 900),
];
const data = combineTraceParts([encodeTraceRequest([{ service: 'checkout', spans }])], 0).data;

class FakeLookup implements TraceLookup {
  readonly asked: { tenantId: string; key: string; opts?: FindOptions }[] = [];
  constructor(private readonly answers: Record<string, FoundTrace>) {}
  async findTraceById(tenantId: string, _id: Buffer, key: string, opts?: FindOptions) {
    this.asked.push({ tenantId, key, opts });
    return this.answers[`${tenantId}/${key}`];
  }
}

describe('trace by ID through the API app', () => {
  const lookup = new FakeLookup({
    [`acme/${hexId}`]: { data, spanCount: 2, truncated: false },
    [`big/${hexId}`]: { data, spanCount: 2, truncated: true },
  });
  let app: Awaited<ReturnType<typeof buildApiApp>>;

  beforeAll(async () => {
    app = await buildApiApp({
      multitenancyEnabled: true,
      clientConfig: { logs: {}, metrics: {} },
      finder: lookup,
      overrides: new Overrides(
        { maxBytesPerTrace: 5_000_000 },
        new Map([['big', { maxBytesPerTrace: 1234 }]]),
      ),
      metrics: new SelfMetrics(),
      logger: pino({ level: 'silent' }),
      version: 'test',
      isReady: () => true,
      webDistDir: '/nonexistent',
    });
  });

  afterAll(() => app.close());

  const get = (url: string, tenant?: string, accept?: string) =>
    app.inject({
      url,
      headers: { ...(tenant ? { 'x-scope-orgid': tenant } : {}), ...(accept ? { accept } : {}) },
    });

  it('v1 JSON: the batches of a found trace; 404 with an empty body for another tenant', async () => {
    const found = await get(`/api/traces/${hexId}`, 'acme');
    expect(found.statusCode).toBe(200);
    expect(found.json().batches[0].scopeSpans[0].spans.map((s: { name: string }) => s.name)).toEqual([
      'root',
      'child',
    ]);
    const otherTenant = await get(`/api/traces/${hexId}`, 'someone-else');
    expect([otherTenant.statusCode, otherTenant.body]).toEqual([404, '']);
  });

  it('v1 protobuf with Accept: application/protobuf is the stored bytes', async () => {
    const res = await get(`/api/traces/${hexId}`, 'acme', 'application/protobuf');
    expect(res.headers['content-type']).toContain('application/protobuf');
    expect(Buffer.from(res.rawPayload).equals(data)).toBe(true);
  });

  it("v2: PARTIAL names the tenant's own max_bytes_per_trace", async () => {
    const res = await get(`/api/v2/traces/${hexId}`, 'big');
    expect(res.json()).toMatchObject({
      status: 'PARTIAL',
      message: 'trace exceeds max_bytes_per_trace (1234 bytes): some spans were refused or cut',
    });
    expect((await get(`/api/v2/traces/${hexId}`, 'acme')).json().status).toBeUndefined();
  });

  it('passes start/end, pads short IDs, and refuses bad input with a plain-text reason', async () => {
    await get('/api/v2/traces/ABC?start=100&end=200', 'acme');
    expect(lookup.asked.at(-1)).toEqual({
      tenantId: 'acme',
      key: `${'0'.repeat(29)}abc`,
      opts: { startMs: 100_000, endMs: 200_000 },
    });
    const badId = await get('/api/traces/not-hex', 'acme');
    expect([badId.statusCode, badId.body]).toEqual([
      400,
      'invalid trace ID "not-hex": expected 1 to 32 hexadecimal characters',
    ]);
    expect((await get('/api/traces/abc?start=200&end=100', 'acme')).statusCode).toBe(400);
    const noTenant = await get(`/api/traces/${hexId}`);
    expect([noTenant.statusCode, noTenant.body]).toEqual([401, 'no org id']);
  });
});

describe('trace by ID meets its deadline', () => {
  it('answers 504 at querier.trace_by_id.query_timeout while the lookup is still waiting on a slow store', async () => {
    const stalled: TraceLookup = { findTraceById: () => new Promise(() => {}) };
    const app = await buildApiApp({
      multitenancyEnabled: false,
      clientConfig: { logs: {}, metrics: {} },
      finder: stalled,
      traceByIdTimeoutMs: 200,
      overrides: new Overrides({ maxBytesPerTrace: 5_000_000 }),
      metrics: new SelfMetrics(),
      logger: pino({ level: 'silent' }),
      version: 'test',
      isReady: () => true,
      webDistDir: '/nonexistent',
    });
    try {
      for (const url of [`/api/traces/${hexId}`, `/api/v2/traces/${hexId}`]) {
        const began = performance.now();
        const res = await app.inject({ url });
        expect(res.statusCode).toBe(504);
        expect(res.body).toMatch(/query timed out after 200ms/);
        expect(performance.now() - began).toBeLessThan(2000);
      }
    } finally {
      await app.close();
    }
  });
});
