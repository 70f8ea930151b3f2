import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { incompleteTraces, metricValue, scrapeMetrics, spanCountsOf } from './support/clients';
import { ingestInBlocks, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * Compaction in a running Loupe: blocks flushed one after another (traces split across them)
 * become one block while trace-by-ID lookups and searches run in a loop — none misses a span —
 * and a restart on the compacted store answers the same.
 */

const BATCHES = 4;
let server: TestLoupe;
const expected = new Map<string, number>();

beforeAll(async () => {
  server = await startTestLoupe({ ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } });
  // Small requests dealt round-robin to the batches: most traces end up in several blocks.
  const { requests } = generateTraceRequests({
    traces: 200,
    spansPerTrace: [3, 12],
    spansPerRequest: 9,
    seed: 21,
    startMs: Date.now() - 10 * 60_000,
  });
  spanCountsOf(requests, expected);
  await ingestInBlocks(server, requests, BATCHES);
}, 120_000);

afterAll(async () => {
  await server?.loupe.stop();
  if (server) removeDir(server.dataDir);
});

const missingSpans = () => incompleteTraces(server.api, expected);

async function searchCount(): Promise<number> {
  const res = await fetch(`${server.api}/api/search?q=${encodeURIComponent('{ }')}&limit=1000`);
  const body = (await res.json()) as { traces: { traceID: string }[] };
  return new Set(body.traces.map((t) => t.traceID)).size;
}

describe('compaction', () => {
  it('merges the flushed blocks into one while every lookup finds every span', async () => {
    const tenantBlocks = () => server.loupe.blocklist.blocks('single-tenant');
    expect(tenantBlocks().length).toBeGreaterThanOrEqual(BATCHES);
    expect(await missingSpans()).toEqual([]);

    let done = false;
    const duringCompaction: string[] = [];
    const lookups = (async () => {
      while (!done) duringCompaction.push(...(await missingSpans()));
    })();
    // Up to four blocks per compaction: run cycles until one block is left.
    for (let cycle = 0; cycle < 5 && tenantBlocks().length > 1; cycle++) await server.loupe.compact();
    done = true;
    await lookups;

    expect(tenantBlocks()).toHaveLength(1);
    expect(tenantBlocks()[0].meta.compactionLevel).toBeGreaterThanOrEqual(1);
    expect(duringCompaction).toEqual([]);
    expect(await missingSpans()).toEqual([]);
    expect(await searchCount()).toBe(expected.size);
    const metrics = await scrapeMetrics(server.api);
    const tenant = { tenant: 'single-tenant' };
    expect(metricValue(metrics, 'loupe_compactor_compactions_total', tenant)).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics, 'loupe_compactor_input_blocks_total', tenant)).toBeGreaterThanOrEqual(
      BATCHES,
    );
  });

  it('answers the same after a restart on the compacted store', async () => {
    const { dataDir } = server;
    await server.loupe.stop();
    server = await startTestLoupe({}, dataDir);
    expect(server.loupe.blocklist.blocks('single-tenant')).toHaveLength(1);
    expect(await missingSpans()).toEqual([]);
    expect(await searchCount()).toBe(expected.size);
  });
});
