import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends';
import { postTraces } from './support/clients';
import { flushAll, removeDir, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, msToNs, newSpanId, newTraceId } from './support/otlp-request';

/**
 * Tempo's search API end to end: OTLP in, `/api/search` and the tag routes out, with the same
 * answers while traces are live and after they are flushed to blocks with their search sidecar,
 * on the local disk and on S3.
 */

const base = Date.now() - 60_000;
interface Pushed {
  traceId: string;
  startMs: number;
}

describeEachBackend('search API', (backend) => {
  let server: TestLoupe;
  const pushed: Pushed[] = [];

  /** A two-span trace: `frontend` GET /checkout → `orders` SELECT, customer and error as asked. */
  async function pushTrace(i: number, customer: string, error: boolean, durationMs: number): Promise<Pushed> {
    const traceId = newTraceId();
    const rootId = newSpanId();
    const startMs = base + i * 1000;
    const startNs = msToNs(startMs);
    const body = encodeTraceRequest([
      {
        service: 'frontend',
        spans: [
          {
            traceId,
            spanId: rootId,
            name: 'GET /checkout',
            kind: 2,
            startNs,
            endNs: startNs + msToNs(durationMs),
            attributes: { 'customer.id': customer, 'http.status_code': error ? 500 : 200 },
            statusCode: error ? 2 : 0,
          },
        ],
      },
      {
        service: 'orders',
        spans: [
          {
            traceId,
            spanId: newSpanId(),
            parentSpanId: rootId,
            name: 'SELECT orders',
            kind: 3,
            startNs: startNs + msToNs(1),
            endNs: startNs + msToNs(durationMs - 1),
            attributes: { 'db.system': 'postgresql' },
          },
        ],
      },
    ]);
    const res = await postTraces(server.otlp, body);
    expect(res.status).toBe(200);
    const trace = { traceId: hex(traceId), startMs };
    pushed.push(trace);
    return trace;
  }

  async function search(params: Record<string, string>, headers: Record<string, string> = {}) {
    const res = await fetch(`${server.api}/api/search?${new URLSearchParams(params)}`, { headers });
    return {
      status: res.status,
      body: res.status === 200 ? ((await res.json()) as SearchBody) : await res.text(),
    };
  }

  interface SearchBody {
    traces: {
      traceID: string;
      rootServiceName: string;
      rootTraceName?: string;
      startTimeUnixNano: string;
      durationMs: number;
      spanSets: { spans: { spanID: string; attributes?: { key: string }[] }[]; matched: number }[];
      serviceStats: Record<string, { spanCount: number; errorCount?: number }>;
    }[];
    metrics: { inspectedTraces: number; totalBlocks: number };
  }

  beforeAll(async () => {
    server = await backend.start({ ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } });
    for (let i = 0; i < 30; i++) await pushTrace(i, `customer-${i}`, i % 5 === 0, 100 + i * 50);
  });

  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  function expectAnswers(body: SearchBody, expectedIds: string[]) {
    expect(body.traces.map((t) => t.traceID)).toEqual(expectedIds);
  }

  const newestFirst = () => [...pushed].sort((a, b) => b.startMs - a.startMs);

  describe.each(['live', 'flushed'] as const)('search while traces are %s', (stage) => {
    beforeAll(async () => {
      if (stage === 'flushed') await flushAll(server);
    });

    it('{} answers the newest traces first, limited', async () => {
      const { status, body } = await search({ q: '{}', limit: '5' });
      expect(status).toBe(200);
      expectAnswers(
        body as SearchBody,
        newestFirst()
          .slice(0, 5)
          .map((t) => t.traceId),
      );
    });

    it("finds one customer among many, with Tempo's trace fields", async () => {
      const { body } = await search({ q: '{ span.customer.id = "customer-7" }' });
      const result = body as SearchBody;
      expectAnswers(result, [pushed[7].traceId]);
      const trace = result.traces[0];
      expect(trace.rootServiceName).toBe('frontend');
      expect(trace.rootTraceName).toBe('GET /checkout');
      expect(trace.durationMs).toBe(100 + 7 * 50);
      expect(trace.serviceStats).toEqual({ frontend: { spanCount: 1 }, orders: { spanCount: 1 } });
      expect(trace.spanSets[0].matched).toBe(1);
      expect(trace.spanSets[0].spans[0].attributes?.map((a) => a.key)).toContain('customer.id');
    });

    it('combines attribute, duration and status conditions', async () => {
      const { body } = await search({ q: '{ status = error && duration > 1s }' });
      const expected = newestFirst().filter(
        (t) => pushed.indexOf(t) % 5 === 0 && 100 + pushed.indexOf(t) * 50 > 1000,
      );
      expectAnswers(
        body as SearchBody,
        expected.map((t) => t.traceId),
      );
    });

    it('structural: a frontend span with an orders child', async () => {
      const { body } = await search({
        q: '{ resource.service.name = "frontend" } > { resource.service.name = "orders" }',
        limit: '3',
      });
      expectAnswers(
        body as SearchBody,
        newestFirst()
          .slice(0, 3)
          .map((t) => t.traceId),
      );
    });

    it('legacy tags and minDuration', async () => {
      const { body } = await search({ tags: 'customer.id=customer-3', minDuration: '100ms' });
      expectAnswers(body as SearchBody, [pushed[3].traceId]);
    });

    it("tag names by scope and typed values, with Grafana's double-encoded v2 name", async () => {
      const tags = (await (await fetch(`${server.api}/api/v2/search/tags?scope=span`)).json()) as {
        scopes: { name: string; tags: string[] }[];
      };
      expect(tags.scopes[0].tags).toEqual(
        expect.arrayContaining(['customer.id', 'db.system', 'http.status_code']),
      );
      const name = encodeURIComponent(encodeURIComponent('span.http.status_code'));
      const values = (await (await fetch(`${server.api}/api/v2/search/tag/${name}/values`)).json()) as {
        tagValues: { type: string; value: string }[];
      };
      expect(values.tagValues).toEqual(
        expect.arrayContaining([
          { type: 'int', value: '200' },
          { type: 'int', value: '500' },
        ]),
      );
      const narrowed = (await (
        await fetch(
          `${server.api}/api/v2/search/tag/resource.service.name/values?q=${encodeURIComponent('{ span.db.system = "postgresql" }')}`,
        )
      ).json()) as { tagValues: { value: string }[] };
      expect(narrowed.tagValues.map((v) => v.value)).toEqual(['orders']);
    });
  });

  describe('bad searches', () => {
    it('a malformed query answers 400 saying where', async () => {
      const { status, body } = await search({ q: '{ span.foo = }' });
      expect(status).toBe(400);
      expect(body).toMatch(/line 1, column 14/);
    });

    it('a bad limit answers 400', async () => {
      const { status, body } = await search({ q: '{}', limit: 'lots' });
      expect(status).toBe(400);
      expect(body).toMatch(/limit/);
    });
  });

  describe('a trace split between a block and live spans', () => {
    it('is judged whole: conditions on both parts match, and the root is known', async () => {
      const traceId = newTraceId();
      const rootId = newSpanId();
      const startNs = msToNs(Date.now() - 5_000);
      const root = encodeTraceRequest([
        {
          service: 'frontend',
          spans: [
            {
              traceId,
              spanId: rootId,
              name: 'GET /split',
              startNs,
              endNs: startNs + msToNs(50),
              attributes: { 'customer.id': 'split-customer' },
            },
          ],
        },
      ]);
      expect((await postTraces(server.otlp, root)).status).toBe(200);
      await flushAll(server);
      const late = encodeTraceRequest([
        {
          service: 'mailer',
          spans: [
            {
              traceId,
              spanId: newSpanId(),
              parentSpanId: rootId,
              name: 'send receipt',
              startNs: startNs + msToNs(60),
              endNs: startNs + msToNs(70),
              attributes: { 'mail.late': 'yes' },
            },
          ],
        },
      ]);
      expect((await postTraces(server.otlp, late)).status).toBe(200);
      const { body } = await search({
        q: '{ span.customer.id = "split-customer" } && { span.mail.late = "yes" }',
      });
      const result = body as SearchBody;
      expect(result.traces.map((t) => t.traceID)).toEqual([hex(traceId)]);
      expect(result.traces[0].rootServiceName).toBe('frontend');
      expect(result.traces[0].serviceStats).toEqual({ frontend: { spanCount: 1 }, mailer: { spanCount: 1 } });
      const lateOnly = (await search({ q: '{ span.mail.late = "yes" }' })).body as SearchBody;
      expect(lateOnly.traces[0].rootTraceName).toBe('GET /split');
    });
  });
});
