import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../testing/s3';
import { tempDataDir } from '../testing/test-config';
import { incompleteTraces, postTraces, spanCountsOf, waitFor } from './support/clients';
import {
  ensureStopped,
  type LoupeProcess,
  s3TraceStorage,
  spawnLoupe,
  writeChildConfig,
} from './support/loupe-process';
import { removeDir } from './support/loupe-server';

/**
 * Several Loupe processes on one bucket (a real Ceph radosgw), as docs/operations.md runs them:
 * two ingesters behind a "load balancer" that deals requests between them (so a trace lands on
 * both), a querier that knows only the bucket and the ingesters' addresses, and two compactors
 * (one works, the other waits for the lease).
 * Ingester `slow` keeps what it receives unflushed; ingester `fast` flushes blocks within a
 * second, long before the querier's blocklist poll (1h) would find them. Every trace must come
 * back whole through the querier: by ID and by search, before and after compaction, and after
 * an ingester stops (flushing on its way down) and the compactor is killed.
 */

let s3: RunningS3;
let bucket: string;
const dirs: string[] = [];
const procs: LoupeProcess[] = [];
const expected = new Map<string, number>();
let slow: LoupeProcess;
let fast: LoupeProcess;
let querier: LoupeProcess;
let compactor: LoupeProcess | undefined;
let otherCompactor: LoupeProcess | undefined;

/** A config for one role: everything on loopback, blocks in the shared bucket, WAL in its own folder. */
function configFor(name: string, timings: { idle?: string; blockDuration?: string }, extra: string): string {
  const dir = tempDataDir(`loupe-multi-${name}-`);
  dirs.push(dir);
  // The querier's poll is an hour: whatever it finds of fresh blocks, it learns from the ingesters.
  const storage = `    blocklist_poll: 1h\n${s3TraceStorage(s3.options({ bucket }))}`;
  return writeChildConfig(dir, timings, extra, storage);
}

async function start(
  name: string,
  target: string,
  extra = '',
  timings: { idle?: string; blockDuration?: string } = {},
): Promise<LoupeProcess> {
  const proc = await spawnLoupe(configFor(name, timings, extra), 30_000, [`-target=${target}`]);
  procs.push(proc);
  return proc;
}

const address = (proc: LoupeProcess) => proc.api.replace('http://', '');

async function searchedIds(api: string): Promise<string[]> {
  const res = await fetch(`${api}/api/search?q=${encodeURIComponent('{ }')}&limit=1000&spss=1`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { traces: { traceID: string }[] };
  return body.traces.map((t) => t.traceID);
}

async function metaObjects(): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'single-tenant/' }));
  return (page.Contents ?? []).map((o) => o.Key ?? '').filter((key) => key.endsWith('/meta.json'));
}

/** Every expected trace whole by ID through the querier, and each found once by search. */
async function expectAllWhole(): Promise<void> {
  expect(await incompleteTraces(querier.api, expected)).toEqual([]);
  const ids = await searchedIds(querier.api);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual([...expected.keys()].sort());
}

beforeAll(async () => {
  s3 = await startS3();
  bucket = await s3.newBucket();
  [slow, fast] = await Promise.all([
    start('slow', 'ingester', '', { idle: '10m', blockDuration: '30m' }),
    start('fast', 'ingester', '', { idle: '300ms', blockDuration: '1s' }),
  ]);
  querier = await start(
    'querier',
    'querier',
    `querier:\n  ingester_addresses: [${address(slow)}, ${address(fast)}]\n`,
  );
}, S3_START_TIMEOUT_MS + 60_000);

afterAll(async () => {
  for (const proc of procs) await ensureStopped(proc);
  for (const dir of dirs) removeDir(dir);
  if (bucket) await s3.dropBucket(bucket);
  await s3?.stop();
}, 60_000);

describe('two ingesters, a querier and a compactor on one bucket', () => {
  it('finds every trace whole through the querier while it is split between unflushed data and fresh blocks', async () => {
    const { requests } = generateTraceRequests({
      traces: 60,
      spansPerTrace: [3, 9],
      spansPerRequest: 4,
      seed: 21,
      startMs: Date.now() - 60_000,
    });
    spanCountsOf(requests, expected);
    // A round-robin load balancer: consecutive requests, and so the spans of most traces, go to
    // both. Sent in two halves, each flushed by `fast` into its own block, so there is
    // something to compact; neither is in the querier's blocklist (its poll is 1h).
    const half = Math.ceil(requests.length / 2);
    for (const [i, request] of requests.entries()) {
      const target = i % 2 === 0 ? slow : fast;
      expect((await postTraces(target.otlp, request)).status).toBe(200);
      if (i === half - 1) await waitFor(async () => (await metaObjects()).length >= 1, 15_000);
    }
    await waitFor(async () => (await metaObjects()).length >= 2, 15_000);
    await expectAllWhole();
  }, 90_000);

  it('still finds every trace whole after a compactor merged the fresh blocks', async () => {
    const before = (await metaObjects()).length;
    const compactorConfig =
      'compactor:\n  compaction:\n    compaction_cycle: 500ms\n    compacted_block_retention: 1s\n';
    [compactor, otherCompactor] = await Promise.all([
      start('compactor-a', 'compactor', compactorConfig),
      start('compactor-b', 'compactor', compactorConfig),
    ]);
    expect(before).toBeGreaterThanOrEqual(2);
    // Merged: one block where there were several, the inputs deleted after compacted_block_retention.
    await waitFor(async () => (await metaObjects()).length < before, 30_000);
    // Exactly one of the two holds the lease; the other says whom it waits for.
    const held = await Promise.all(
      [compactor, otherCompactor].map(async (proc) =>
        /^loupe_compactor_lease_held 1$/m.test(await (await fetch(`${proc.api}/metrics`)).text()),
      ),
    );
    expect(held.filter(Boolean)).toHaveLength(1);
    const waiter = held[0] ? otherCompactor : compactor;
    expect(
      waiter.logs.some((line) => String(line.msg).startsWith('waiting for the compactor lease held by')),
    ).toBe(true);
    // The holder is the one killed below.
    if (!held[0]) [compactor, otherCompactor] = [otherCompactor, compactor];
    await expectAllWhole();
  }, 90_000);

  it('reads the blocks an ingester flushed on its way down, and loses nothing when the compactor is killed', async () => {
    slow.child.kill('SIGTERM');
    expect((await slow.exited).code).toBe(0);
    if (compactor) {
      compactor.child.kill('SIGKILL');
      await compactor.exited;
    }
    // The querier notices `slow` is gone and polls the bucket for what it flushed.
    await expectAllWhole();
  }, 90_000);
});
