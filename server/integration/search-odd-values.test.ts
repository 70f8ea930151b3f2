import { describe, expect, it, onTestFinished } from 'vitest';
import { postTraces } from './support/clients';
import { flushAll, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * Inputs at the edges of what OTLP carries (huge numbers, retried exports) must not stop a block
 * (and its search sidecar) from being written, and must answer the same before and after the flush.
 */

let server: TestLoupe;

/** One span as OTLP/JSON, with the attribute values given as OTLP AnyValue JSON. */
function otlpJson(traceId: string, attributes: Record<string, Record<string, unknown>>): string {
  const start = BigInt(Date.now() - 2000) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'edges' } }] },
        scopeSpans: [
          {
            scope: { name: 'odd-values' },
            spans: [
              {
                traceId,
                spanId: '0123456789abcdef',
                name: 'edge values',
                kind: 1,
                startTimeUnixNano: String(start),
                endTimeUnixNano: String(start + 1_000_000n),
                attributes: Object.entries(attributes).map(([key, value]) => ({ key, value })),
              },
            ],
          },
        ],
      },
    ],
  });
}

interface SearchBody {
  traces: {
    serviceStats?: Record<string, { spanCount: number; errorCount?: number }>;
    traceID: string;
    spanSets: { spans: { attributes?: { key: string; value: Record<string, unknown> }[] }[] }[];
  }[];
}

async function search(q: string): Promise<SearchBody> {
  const res = await fetch(`${server.api}/api/search?${new URLSearchParams({ q })}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as SearchBody;
}

describe('edge attribute values', () => {
  it.each([
    ['the largest int64', { intValue: '9223372036854775807' }],
    ['a whole-number double past int64', { doubleValue: 1e19 }],
  ])('%s: the block is flushed and the trace found the same after', async (_, value) => {
    const running = await startTestLoupe({
      ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 },
    });
    server = running;
    onTestFinished(async () => {
      await running.loupe.stop();
      removeDir(running.dataDir);
    });
    const traceId = 'e'.repeat(31) + ('intValue' in value ? '1' : '2');
    const body = otlpJson(traceId, { 'edge.value': value, 'edge.tag': { stringValue: 'odd' } });
    expect((await postTraces(server.otlp, body)).status).toBe(200);
    const q = '{ span.edge.tag = "odd" } | select(span.edge.value)';
    const live = await search(q);
    expect(live.traces.map((t) => t.traceID)).toEqual([traceId]);
    await flushAll(server, 5000);
    const flushed = await search(q);
    expect(flushed.traces).toEqual(live.traces);
  });

  it('a retried export (the same spans twice) counts each span once, live and from blocks', async () => {
    const running = await startTestLoupe({
      ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 },
    });
    server = running;
    onTestFinished(async () => {
      await running.loupe.stop();
      removeDir(running.dataDir);
    });
    const traceId = 'f'.repeat(32);
    const body = otlpJson(traceId, {
      'edge.tag': { stringValue: 'retried' },
      'http.status_code': { intValue: '500' },
    });
    for (let i = 0; i < 2; i++) expect((await postTraces(server.otlp, body)).status).toBe(200);
    for (const stage of ['live', 'flushed']) {
      if (stage === 'flushed') await flushAll(server);
      const answer = await search('{ span.edge.tag = "retried" }');
      expect(
        answer.traces.map((t) => t.traceID),
        stage,
      ).toEqual([traceId]);
      expect(answer.traces[0].serviceStats, stage).toEqual({ edges: { spanCount: 1 } });
      expect(answer.traces[0].spanSets[0].spans, stage).toHaveLength(1);
    }
  });
});
