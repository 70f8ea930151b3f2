import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { postTraces } from './support/clients';
import { flushAll, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newSpanId, newTraceId, simpleSpan } from './support/otlp-request';

/**
 * Search's boundaries: one tenant never sees another's traces, tags or values; a search that
 * cannot finish in `query_timeout` answers 504 and leaves the server healthy; a trace whose
 * root has not arrived says so, as Tempo does.
 */

interface SearchBody {
  traces: {
    traceID: string;
    rootServiceName: string;
    rootTraceName?: string;
    serviceStats: Record<string, unknown>;
  }[];
}

async function get(
  server: TestLoupe,
  path: string,
  tenant?: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.api}${path}`, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  return { status: res.status, text: await res.text() };
}

async function getJson<T>(server: TestLoupe, path: string, tenant?: string): Promise<T> {
  const { status, text } = await get(server, path, tenant);
  expect(status, `${path}: ${text}`).toBe(200);
  return JSON.parse(text) as T;
}

const q = (traceql: string) => `/api/search?${new URLSearchParams({ q: traceql, limit: '100' })}`;

describe('tenant isolation with multi-tenancy on', () => {
  let server: TestLoupe;
  const own: Record<string, string[]> = { 'team-a': [], 'team-b': [] };
  const shared = newTraceId();

  beforeAll(async () => {
    server = await startTestLoupe({
      multitenancyEnabled: true,
      ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 },
    });
    const now = Date.now() - 5000;
    for (const [tenant, letter] of [
      ['team-a', 'a'],
      ['team-b', 'b'],
    ] as const) {
      for (let i = 0; i < 3; i++) {
        const traceId = newTraceId();
        const span = simpleSpan(traceId, `op-${letter}`, now + i, {
          attributes: { [`secret.${letter}`]: `value-${letter}`, shared: `from-${letter}` },
        });
        const body = encodeTraceRequest([
          { service: `svc-${letter}`, attributes: { [`res.${letter}`]: letter }, spans: [span] },
        ]);
        expect((await postTraces(server.otlp, body, { tenant })).status).toBe(200);
        own[tenant].push(hex(traceId));
      }
      // The same trace ID in both tenants, with different spans.
      const span = simpleSpan(shared, `shared-${letter}`, now + 10, {
        attributes: { shared: `from-${letter}` },
      });
      expect(
        (
          await postTraces(server.otlp, encodeTraceRequest([{ service: `svc-${letter}`, spans: [span] }]), {
            tenant,
          })
        ).status,
      ).toBe(200);
      own[tenant].push(hex(shared));
    }
  });

  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  describe.each(['live', 'flushed'] as const)('while traces are %s', (stage) => {
    beforeAll(async () => {
      if (stage === 'flushed') await flushAll(server);
    });

    it.each([
      ['team-a', 'a', 'b'],
      ['team-b', 'b', 'a'],
    ])('%s sees only its own traces and spans', async (tenant, mine, theirs) => {
      const all = await getJson<SearchBody>(server, q('{}'), tenant);
      expect(all.traces.map((t) => t.traceID).sort()).toEqual([...own[tenant]].sort());
      for (const trace of all.traces) expect(Object.keys(trace.serviceStats)).toEqual([`svc-${mine}`]);
      expect(
        (await getJson<SearchBody>(server, q(`{ resource.service.name = "svc-${theirs}" }`), tenant)).traces,
      ).toEqual([]);
      expect(
        (await getJson<SearchBody>(server, q(`{ span.shared = "from-${theirs}" }`), tenant)).traces,
      ).toEqual([]);
      const sharedHit = await getJson<SearchBody>(
        server,
        q(`{ span.shared = "from-${mine}" && name = "shared-${mine}" }`),
        tenant,
      );
      expect(sharedHit.traces.map((t) => [t.traceID, Object.keys(t.serviceStats)])).toEqual([
        [hex(shared), [`svc-${mine}`]],
      ]);
    });

    it.each([
      ['team-a', 'a', 'b'],
      ['team-b', 'b', 'a'],
    ])('%s gets only its own tag names and values', async (tenant, mine, theirs) => {
      const v2 = await getJson<{ scopes: { name: string; tags: string[] }[] }>(
        server,
        '/api/v2/search/tags',
        tenant,
      );
      const tags = Object.fromEntries(v2.scopes.map((s) => [s.name, s.tags]));
      expect(tags.span).toContain(`secret.${mine}`);
      expect(tags.span).not.toContain(`secret.${theirs}`);
      expect(tags.resource).toContain(`res.${mine}`);
      expect(tags.resource).not.toContain(`res.${theirs}`);
      const v1 = await getJson<{ tagNames: string[] }>(server, '/api/search/tags', tenant);
      expect(v1.tagNames).not.toContain(`secret.${theirs}`);
      const services = await getJson<{ tagValues: string[] }>(
        server,
        '/api/search/tag/service.name/values',
        tenant,
      );
      expect(services.tagValues).toEqual([`svc-${mine}`]);
      const shared = await getJson<{ tagValues: { value: string }[] }>(
        server,
        '/api/v2/search/tag/span.shared/values',
        tenant,
      );
      expect(shared.tagValues.map((v) => v.value)).toEqual([`from-${mine}`]);
      const theirsValues = await getJson<{ tagValues: unknown[] }>(
        server,
        `/api/v2/search/tag/span.secret.${theirs}/values`,
        tenant,
      );
      expect(theirsValues.tagValues).toEqual([]);
    });

    it('answers a search without X-Scope-OrgID as trace by ID does', async () => {
      const byId = await get(server, `/api/traces/${hex(shared)}`);
      expect(byId.status).toBe(401);
      for (const path of [
        q('{}'),
        '/api/search/tags',
        '/api/v2/search/tags',
        '/api/search/tag/service.name/values',
        '/api/v2/search/tag/resource.service.name/values',
      ]) {
        const answer = await get(server, path);
        expect([answer.status, answer.text], path).toEqual([byId.status, byId.text]);
      }
    });
  });
});

describe('a search past query_timeout', () => {
  let server: TestLoupe;
  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  it('answers 504 saying it timed out, live and from blocks, and the server stays ready', async () => {
    server = await startTestLoupe({
      search: { queryTimeoutMs: 5 },
      ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 },
    });
    const { requests } = generateTraceRequests({
      traces: 1500,
      spansPerTrace: 8,
      spansPerRequest: 500,
      startMs: Date.now() - 600_000,
    });
    for (const request of requests) expect((await postTraces(server.otlp, request)).status).toBe(200);
    // Matches nothing, and nothing in a summary can rule a trace out: every trace must be read.
    const path = `/api/search?${new URLSearchParams({ q: '{ } | count() > 100', limit: '20' })}`;
    for (const stage of ['live', 'flushed']) {
      if (stage === 'flushed') await flushAll(server, 30_000);
      const started = performance.now();
      const answer = await get(server, path);
      expect(answer.status, `${stage}: ${answer.text}`).toBe(504);
      expect(answer.text, stage).toMatch(/timed out/);
      expect(answer.text, stage).toMatch(/query_timeout/);
      expect(performance.now() - started, stage).toBeLessThan(2000);
      const ready = await get(server, '/ready');
      expect([ready.status, ready.text], stage).toEqual([200, 'ready']);
    }
  }, 60_000);
});

describe('a trace whose root span has not arrived', () => {
  let server: TestLoupe;
  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  it('has rootServiceName "<root span not yet received>" and no root name, live and from blocks', async () => {
    server = await startTestLoupe({ ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } });
    const traceId = newTraceId();
    const orphan = simpleSpan(traceId, 'orphan work', Date.now() - 1000, {
      parentSpanId: newSpanId(),
      attributes: { 'orphan.tag': 'yes' },
    });
    expect(
      (await postTraces(server.otlp, encodeTraceRequest([{ service: 'late', spans: [orphan] }]))).status,
    ).toBe(200);
    for (const stage of ['live', 'flushed']) {
      if (stage === 'flushed') await flushAll(server);
      for (const traceql of ['{ span.orphan.tag = "yes" }', '{}']) {
        const body = await getJson<SearchBody>(server, q(traceql));
        expect(
          body.traces.map((t) => t.traceID),
          `${stage} ${traceql}`,
        ).toEqual([hex(traceId)]);
        expect(body.traces[0].rootServiceName, `${stage} ${traceql}`).toBe('<root span not yet received>');
        expect(body.traces[0].rootTraceName, `${stage} ${traceql}`).toBeUndefined();
      }
    }
  });
});
