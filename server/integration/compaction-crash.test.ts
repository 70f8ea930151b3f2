import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { tempDataDir } from '../testing/test-config';
import { incompleteTraces, spanCountsOf } from './support/clients';
import { ensureStopped, type LoupeProcess, spawnLoupe, writeChildConfig } from './support/loupe-process';
import {
  blocksOnDisk,
  ingestInBlocks,
  removeDir,
  startTestLoupe,
  type TestLoupe,
} from './support/loupe-server';

/**
 * Compaction killed with SIGKILL at many points: a child Loupe compacting every 200 ms (merged
 * blocks deleted 1 ms after) is killed a growing delay after it starts, again and again; after
 * every kill, a Loupe on the same folder finds every trace whole and each trace once in search.
 * (On this machine the kills land before any compaction, between a compacted block's meta.json
 * and the deletion of its inputs — 7 block folders for 6 blocks — and after both.)
 */

const BATCHES = 6;
const dataDir = tempDataDir('loupe-compaction-crash-');
const expected = new Map<string, number>();
let child: LoupeProcess | undefined;

beforeAll(async () => {
  const server = await startTestLoupe(
    { ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } },
    dataDir,
  );
  const { requests } = generateTraceRequests({
    traces: 150,
    spansPerTrace: [3, 12],
    spansPerRequest: 11,
    seed: 77,
    startMs: Date.now() - 10 * 60_000,
  });
  spanCountsOf(requests, expected);
  await ingestInBlocks(server, requests, BATCHES);
  await server.loupe.stop();
}, 120_000);

afterAll(async () => {
  await ensureStopped(child);
  removeDir(dataDir);
});

/** A Loupe that does not compact, on the same folder: what a user would find after the crash. */
async function check(): Promise<{ incomplete: string[]; searched: string[] }> {
  const server: TestLoupe = await startTestLoupe({}, dataDir);
  try {
    const res = await fetch(`${server.api}/api/search?q=${encodeURIComponent('{ }')}&limit=1000`);
    const body = (await res.json()) as { traces: { traceID: string }[] };
    return {
      incomplete: await incompleteTraces(server.api, expected),
      searched: body.traces.map((t) => t.traceID),
    };
  } finally {
    await server.loupe.stop();
  }
}

describe('compaction under SIGKILL', () => {
  it('loses no span and shows no trace twice, wherever the kill lands', async () => {
    const config = writeChildConfig(
      dataDir,
      { idle: '60s', blockDuration: '10m' },
      `compactor:
  compaction:
    compaction_cycle: 200ms
    compacted_block_retention: 1ms
`,
    );
    const before = blocksOnDisk(join(dataDir, 'blocks')).length;
    expect(before).toBeGreaterThanOrEqual(BATCHES);
    for (const delayMs of [0, 150, 250, 320, 400, 500, 650, 800, 1000, 1400]) {
      child = await spawnLoupe(config);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.child.kill('SIGKILL');
      await child.exited;
      const { incomplete, searched } = await check();
      expect(incomplete, `after a kill ${delayMs} ms in`).toEqual([]);
      expect(searched.length, `after a kill ${delayMs} ms in`).toBe(expected.size);
      expect(new Set(searched).size).toBe(searched.length);
    }
    // Left alone, it ends with fewer blocks than it started with.
    child = await spawnLoupe(config);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    child.child.kill('SIGTERM');
    await child.exited;
    expect(blocksOnDisk(join(dataDir, 'blocks')).length).toBeLessThan(before);
    expect((await check()).incomplete).toEqual([]);
  }, 180_000);
});
