import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends';
import { fetchTrace, metricValue, postTraces, scrapeMetrics, TRACE_FORMS } from './support/clients';
import { flushAll, removeDir, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, type SpanSpec, simpleSpan } from './support/otlp-request';
import { spanIdsOf } from './support/tempo-json';
import { decodeTempoMessage } from './support/tempo-proto';

/**
 * The parts of Tempo's HTTP API that Grafana and Prometheus rely on, beyond the happy path of
 * trace by ID: health and build endpoints, metrics in both exposition formats, the not-found
 * answers of v1 and v2, `start`/`end`, and a trace whose spans are spread over every stage;
 * with blocks on the local disk and on S3.
 */

describeEachBackend('Tempo API', (backend) => {
  let server: TestLoupe;

  beforeAll(async () => {
    // Long idle and block periods: this file moves traces between stages itself.
    server = await backend.start({ ingester: { traceIdlePeriodMs: 30_000, maxBlockDurationMs: 120_000 } });
  });

  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  function push(spans: SpanSpec[], service = 'api-test') {
    return postTraces(server.otlp, encodeTraceRequest([{ service, spans }]));
  }

  describe('health and build endpoints', () => {
    it('/api/echo answers "echo" (Grafana\'s Test button)', async () => {
      const res = await fetch(`${server.api}/api/echo`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('echo');
    });

    it('/ready answers 200', async () => {
      const res = await fetch(`${server.api}/ready`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    });

    it('/api/status/buildinfo reports a Tempo version of at least 2.2', async () => {
      const res = await fetch(`${server.api}/api/status/buildinfo`);
      expect(res.status).toBe(200);
      const info = (await res.json()) as Record<string, unknown>;
      for (const field of ['version', 'revision', 'branch', 'buildUser', 'buildDate', 'goVersion']) {
        expect(info, field).toHaveProperty(field);
      }
      const match = /^v?(\d+)\.(\d+)\./.exec(String(info.version));
      expect(match, String(info.version)).not.toBeNull();
      const [major, minor] = [Number(match![1]), Number(match![2])];
      expect(major > 2 || (major === 2 && minor >= 2)).toBe(true);
    });
  });

  describe('/metrics', () => {
    it('serves Prometheus text that counts received spans', async () => {
      const before = metricValue(await scrapeMetrics(server.api), 'loupe_distributor_spans_received_total');
      const traceId = newTraceId();
      const now = Date.now();
      expect((await push([1, 2, 3, 4].map((i) => simpleSpan(traceId, `m${i}`, now)))).status).toBe(200);
      const res = await fetch(`${server.api}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toMatch(/^# HELP /m);
      expect(text).toMatch(/^# TYPE loupe_discarded_spans_total counter$/m);
      expect(text).not.toContain('# EOF');
      expect(metricValue(text, 'loupe_distributor_spans_received_total') - before).toBe(4);
    });

    it('serves OpenMetrics when the scraper asks for it', async () => {
      const res = await fetch(`${server.api}/metrics`, {
        headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
      const text = await res.text();
      expect(text.trimEnd().endsWith('# EOF')).toBe(true);
      expect(text).toMatch(/^# TYPE loupe_query_trace_by_id_seconds histogram$/m);
    });
  });

  describe('unknown trace IDs', () => {
    it('v1: 404 with an empty body, as JSON and as protobuf', async () => {
      for (const accept of ['application/json', 'application/protobuf']) {
        const res = await fetch(`${server.api}/api/traces/${hex(newTraceId())}`, { headers: { accept } });
        expect(res.status, accept).toBe(404);
        expect((await res.arrayBuffer()).byteLength, accept).toBe(0);
      }
    });

    it('v2: 200 with an empty trace, as JSON and as protobuf', async () => {
      const id = hex(newTraceId());
      const json = await fetch(`${server.api}/api/v2/traces/${id}`);
      expect(json.status).toBe(200);
      const body = (await json.json()) as { trace?: { resourceSpans?: unknown[] }; status?: string };
      expect(body.trace).toBeDefined();
      expect(body.trace?.resourceSpans ?? []).toEqual([]);
      expect(body.status ?? 'COMPLETE').toBe('COMPLETE');

      const proto = await fetch(`${server.api}/api/v2/traces/${id}`, {
        headers: { accept: 'application/protobuf' },
      });
      expect(proto.status).toBe(200);
      const decoded = decodeTempoMessage(
        'tempopb.TraceByIDResponse',
        new Uint8Array(await proto.arrayBuffer()),
      );
      const trace = decoded.field(1) as Record<string, unknown[] | undefined> | undefined;
      expect(trace?.[decoded.nestedFieldName(1, 1)] ?? []).toEqual([]);
      expect(decoded.field(3) ?? 'COMPLETE').toBe('COMPLETE');
    });
  });

  describe('start and end', () => {
    it('narrow the search: a trace in a block is found only when the range covers it', async () => {
      // Flush what other tests left live first, so that the block cut below holds only the old trace.
      await flushAll(server);
      const traceId = newTraceId();
      const twoHoursAgo = Date.now() - 2 * 3600_000;
      const spans = [simpleSpan(traceId, 'old work', twoHoursAgo, { durationMs: 2000 })];
      expect((await push(spans)).status).toBe(200);
      await flushAll(server);
      expect(server.loupe.ingester.findUnflushed('single-tenant', hex(traceId))).toBeUndefined();

      const at = Math.floor(twoHoursAgo / 1000);
      const nowSeconds = Math.floor(Date.now() / 1000);
      const id = hex(traceId);
      for (const form of TRACE_FORMS) {
        const covering = await fetchTrace(server.api, id, form, { start: at - 60, end: at + 60 });
        expect(spanIdsOf(covering.spans), `${form} covering`).toEqual([hex(spans[0].spanId)]);
        const unbounded = await fetchTrace(server.api, id, form);
        expect(unbounded.spans, `${form} unbounded`).toHaveLength(1);
        const later = await fetchTrace(server.api, id, form, {
          start: nowSeconds - 3600,
          end: nowSeconds + 60,
        });
        expect(later.spans, `${form} later range`).toEqual([]);
        const earlier = await fetchTrace(server.api, id, form, { start: at - 7200, end: at - 3600 });
        expect(earlier.spans, `${form} earlier range`).toEqual([]);
        if (form.startsWith('v1')) expect(later.httpStatus).toBe(404);
      }
      // Only `start`, or only `end`, narrow from one side.
      expect((await fetchTrace(server.api, id, 'v2-json', { start: at - 60 })).spans).toHaveLength(1);
      expect((await fetchTrace(server.api, id, 'v2-json', { start: nowSeconds - 60 })).spans).toHaveLength(0);
      expect((await fetchTrace(server.api, id, 'v2-json', { end: at + 60 })).spans).toHaveLength(1);
      expect((await fetchTrace(server.api, id, 'v2-json', { end: at - 3600 })).spans).toHaveLength(0);
    });
  });

  describe('a trace spread over every stage', () => {
    it('comes back whole from two flushed blocks, the head block and live spans, duplicates once', async () => {
      const traceId = newTraceId();
      const id = hex(traceId);
      const now = Date.now();
      const [a, b, c, d, e, f] = ['a', 'b', 'c', 'd', 'e', 'f'].map((name, i) =>
        simpleSpan(traceId, `part ${name}`, now + i * 10),
      );
      const storedBlocks = async () => (await backend.storedBlocks(server.dataDir)).length;
      const blocksBefore = await storedBlocks();

      expect((await push([a, b], 'frontend')).status).toBe(200);
      await flushAll(server);
      // b again (a client retry), with c from another service: b now sits in two blocks.
      const retry = encodeTraceRequest([
        { service: 'backend', spans: [c] },
        { service: 'frontend', spans: [b] },
      ]);
      expect((await postTraces(server.otlp, retry)).status).toBe(200);
      await flushAll(server);
      expect(await storedBlocks()).toBe(blocksBefore + 2);
      expect(server.loupe.blocklist.candidates('single-tenant', traceId).length).toBe(2);

      // d and e go to the head block: a tick past the idle period cuts them, while the block is far from full.
      expect((await push([d, e], 'worker')).status).toBe(200);
      server.loupe.ingester.tick(Date.now() + server.config.ingester.traceIdlePeriodMs + 1);
      const scraped = await scrapeMetrics(server.api);
      expect(metricValue(scraped, 'loupe_ingester_live_traces')).toBe(0);
      expect(await storedBlocks()).toBe(blocksBefore + 2);

      // f, and e once more, stay live.
      expect((await push([f, e], 'worker')).status).toBe(200);

      const expected = [a, b, c, d, e, f].map((s) => hex(s.spanId)).sort();
      for (const form of TRACE_FORMS) {
        const answer = await fetchTrace(server.api, id, form);
        expect(answer.httpStatus, form).toBe(200);
        expect(spanIdsOf(answer.spans), form).toEqual(expected);
        const names = answer.spans.map((s) => `${s.service}:${s.name}`).sort();
        expect(names, form).toEqual([
          'backend:part c',
          'frontend:part a',
          'frontend:part b',
          'worker:part d',
          'worker:part e',
          'worker:part f',
        ]);
      }

      // And once everything is flushed, still whole.
      await flushAll(server);
      const flushed = await fetchTrace(server.api, id, 'v2-proto');
      expect(spanIdsOf(flushed.spans)).toEqual(expected);
    });
  });
});
