import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends';
import { postTraces } from './support/clients';
import { flushAll, removeDir, type TestLoupe } from './support/loupe-server';
import {
  encodeTraceRequest,
  hex,
  msToNs,
  newSpanId,
  newTraceId,
  type SpanSpec,
} from './support/otlp-request';

/**
 * A search answers the same wherever its traces are: live in the ingester, in blocks (through
 * the search sidecar), and in blocks loaded by a restarted Loupe. And newest-first holds across
 * live traces and blocks mixed. Blocks on the local disk, and on S3.
 */

const KEEP_LIVE = { ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } };
const base = Date.now() - 120_000;

interface SearchBody {
  traces: {
    traceID: string;
    rootServiceName: string;
    rootTraceName?: string;
    startTimeUnixNano: string;
    durationMs: number;
    spanSets: {
      spans: { spanID: string; attributes?: unknown[] }[];
      matched: number;
      attributes?: unknown[];
    }[];
    serviceStats: Record<string, { spanCount: number; errorCount?: number }>;
  }[];
}

async function search(server: TestLoupe, params: Record<string, string>): Promise<SearchBody> {
  const res = await fetch(`${server.api}/api/search?${new URLSearchParams(params)}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as SearchBody;
}

/** `frontend` GET /shop → three `orders` spans (one errors on odd i) → a `db` span; attributes of every type. */
function shopTrace(i: number, startMs: number): { traceId: string; body: Buffer } {
  const traceId = newTraceId();
  const root = newSpanId();
  const handler = newSpanId();
  const span = (name: string, offsetMs: number, durationMs: number, extra: Partial<SpanSpec>): SpanSpec => ({
    traceId,
    spanId: newSpanId(),
    parentSpanId: handler,
    name,
    kind: 1,
    startNs: msToNs(startMs + offsetMs),
    endNs: msToNs(startMs + offsetMs + durationMs),
    ...extra,
  });
  const body = encodeTraceRequest([
    {
      service: 'frontend',
      attributes: { 'deployment.zone': i % 2 === 0 ? 'eu' : 'us' },
      spans: [
        {
          traceId,
          spanId: root,
          name: 'GET /shop',
          kind: 2,
          startNs: msToNs(startMs),
          endNs: msToNs(startMs + 100 + i),
          attributes: {
            'customer.id': `c-${i}`,
            'http.status_code': i % 2 ? 500 : 200,
            'cart.total': 9.5 + i,
            'cart.empty': i % 3 === 0,
          },
          statusCode: i % 2 ? 2 : 0,
        },
      ],
    },
    {
      service: 'orders',
      spans: [
        { ...span('handle', 1, 90, { kind: 2, parentSpanId: root }), spanId: handler },
        span('load cart', 2, 10, { attributes: { 'cart.items': i } }),
        span('price cart', 12, 20, {
          attributes: { 'cart.items': i },
          statusCode: i % 2 ? 2 : 0,
          statusMessage: i % 2 ? 'price failed' : undefined,
        }),
        span('save order', 40, 30, { attributes: { 'cart.items': i } }),
      ],
    },
  ]);
  return { traceId: hex(traceId), body };
}

const QUERIES: Record<string, string>[] = [
  { q: '{}', limit: '8' },
  { q: '{}', limit: '100', spss: '5' },
  { q: '{ resource.service.name = "orders" }', spss: '2', limit: '50' },
  { q: '{ status = error }', limit: '50' },
  { q: '{ span.http.status_code = 500 && span.customer.id =~ "c-1.*" }' },
  { q: '{ span.cart.items >= 10 } | select(span.cart.items, resource.service.name)', spss: '4', limit: '50' },
  { q: '{ .cart.empty = true } | by(resource.deployment.zone)', limit: '50' },
  { q: '{ resource.service.name = "frontend" } >> { statusMessage = "price failed" }', limit: '50' },
  { q: '{ name = "price cart" } | count() > 0', limit: '50' },
  { q: '{ span.cart.total > 20 && kind = server }', limit: '50' },
  { q: '{ duration > 25ms } && { resource.deployment.zone = "us" }', limit: '50' },
  { tags: 'customer.id=c-7' },
];

describeEachBackend('search at every stage', (backend) => {
  describe('the same answers live, from blocks, and after a restart', () => {
    let server: TestLoupe;
    const pushed: { traceId: string; startMs: number }[] = [];

    beforeAll(async () => {
      server = await backend.start(KEEP_LIVE);
      for (let i = 0; i < 24; i++) {
        const { traceId, body } = shopTrace(i, base + i * 1000);
        expect((await postTraces(server.otlp, body)).status).toBe(200);
        pushed.push({ traceId, startMs: base + i * 1000 });
      }
    });

    afterAll(async () => {
      await server?.loupe.stop();
      if (server) removeDir(server.dataDir);
    });

    it('gives the same trace IDs, order, root names, stats and span sets at every stage', async () => {
      const answers = async () =>
        Promise.all(QUERIES.map(async (params) => (await search(server, params)).traces));
      const live = await answers();
      expect(live[0].map((t) => t.traceID)).toEqual(
        [...pushed]
          .reverse()
          .slice(0, 8)
          .map((t) => t.traceId),
      );
      expect(live[2][0].spanSets[0].spans).toHaveLength(2);
      expect(live[2][0].spanSets[0].matched).toBe(4);
      expect(live[3]).toHaveLength(12);
      for (const [i, answer] of live.entries())
        expect(answer.length, JSON.stringify(QUERIES[i])).toBeGreaterThan(0);

      await flushAll(server);
      const flushed = await answers();
      for (const [i, answer] of flushed.entries())
        expect.soft(answer, `from blocks: ${JSON.stringify(QUERIES[i])}`).toEqual(live[i]);

      await server.loupe.stop();
      server = await backend.start(KEEP_LIVE, server.dataDir);
      const restarted = await answers();
      for (const [i, answer] of restarted.entries())
        expect.soft(answer, `after restart: ${JSON.stringify(QUERIES[i])}`).toEqual(live[i]);
    }, 60_000);
  });

  describe('newest first across blocks and live traces', () => {
    let server: TestLoupe;
    const pushed: { traceId: string; startMs: number }[] = [];

    beforeAll(async () => {
      server = await backend.start(KEEP_LIVE);
      // Three interleaved generations: two flushed to their own blocks, the third left live, so
      // the newest traces are spread over every place a search looks.
      for (const generation of [0, 1, 2]) {
        for (let i = generation; i < 30; i += 3) {
          const startMs = base + i * 1000;
          const { traceId, body } = shopTrace(i, startMs);
          expect((await postTraces(server.otlp, body)).status).toBe(200);
          pushed.push({ traceId, startMs });
        }
        if (generation < 2) await flushAll(server);
      }
    });

    afterAll(async () => {
      await server?.loupe.stop();
      if (server) removeDir(server.dataDir);
    });

    const newest = (n: number) =>
      [...pushed]
        .sort((a, b) => b.startMs - a.startMs)
        .slice(0, n)
        .map((t) => t.traceId);

    it.each([1, 2, 5, 7, 13, 30])(
      '{} with limit %i answers exactly the newest traces by start',
      async (limit) => {
        const body = await search(server, { q: '{}', limit: String(limit) });
        expect(body.traces.map((t) => t.traceID)).toEqual(newest(limit));
      },
    );

    it('a filter keeps that order: the newest matching traces across both', async () => {
      const body = await search(server, { q: '{ status = error }', limit: '6' });
      // Trace i errors when i is odd; i is its start's offset from `base` in seconds.
      const expected = [...pushed]
        .sort((a, b) => b.startMs - a.startMs)
        .filter((t) => ((t.startMs - base) / 1000) % 2 === 1)
        .slice(0, 6);
      expect(body.traces.map((t) => t.traceID)).toEqual(expected.map((t) => t.traceId));
    });
  });

  describe('a trace split between a block and live spans', () => {
    let server: TestLoupe;
    afterAll(async () => {
      await server?.loupe.stop();
      if (server) removeDir(server.dataDir);
    });

    it('answers with its root service and all its spans, as trace by ID does', async () => {
      server = await backend.start(KEEP_LIVE);
      const traceId = newTraceId();
      const root = newSpanId();
      const startMs = Date.now() - 10_000;
      const child = (name: string, offsetMs: number): SpanSpec => ({
        traceId,
        spanId: newSpanId(),
        parentSpanId: root,
        name,
        kind: 3,
        startNs: msToNs(startMs + offsetMs),
        endNs: msToNs(startMs + offsetMs + 5),
      });
      // The children arrive first and are flushed; the root (which ends last) arrives afterwards.
      const children = encodeTraceRequest([
        { service: 'worker', spans: [child('step 1', 10), child('step 2', 20)] },
      ]);
      expect((await postTraces(server.otlp, children)).status).toBe(200);
      await flushAll(server);
      const rootSpan = {
        traceId,
        spanId: root,
        name: 'job',
        kind: 2,
        startNs: msToNs(startMs),
        endNs: msToNs(startMs + 50),
      };
      expect(
        (await postTraces(server.otlp, encodeTraceRequest([{ service: 'scheduler', spans: [rootSpan] }])))
          .status,
      ).toBe(200);

      for (const q of ['{}', '{ resource.service.name = "worker" }', '{ name = "job" }']) {
        const body = await search(server, { q });
        expect(
          body.traces.map((t) => t.traceID),
          q,
        ).toEqual([hex(traceId)]);
        const [trace] = body.traces;
        expect.soft(trace.rootServiceName, q).toBe('scheduler');
        expect.soft(trace.rootTraceName, q).toBe('job');
        expect.soft(trace.durationMs, q).toBe(50);
        expect.soft(trace.serviceStats, q).toEqual({ scheduler: { spanCount: 1 }, worker: { spanCount: 2 } });
      }
      const structural = await search(server, {
        q: '{ resource.service.name = "scheduler" } > { resource.service.name = "worker" }',
      });
      expect
        .soft(
          structural.traces.map((t) => t.traceID),
          'structural',
        )
        .toEqual([hex(traceId)]);
    });
  });
});
