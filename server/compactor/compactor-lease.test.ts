import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockBuilder } from '../ingester/block-builder';
import type { Backend } from '../store/backend/backend';
import { S3Backend } from '../store/backend/s3-backend';
import { Blocklist } from '../store/blocklist';
import { tempBackend } from '../store/store-test-support';
import { isBlockName } from '../store/tenant-index';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../testing/s3';
import { CompactorLease, LEASE_PREFIX, localHost } from './compactor-lease';
import { HOUR, T0, testCompactor, writeOtlpBlocks } from './compactor-test-support';

/**
 * The compactor lease on the local backend and on a real S3 server (radosgw): one holder among
 * several contenders, takeover after expiry or at once after release, a holder that lost the
 * lease learning so at renewal, and two compactors on one bucket of which only one works.
 */

let s3: RunningS3;
const s3Backends: S3Backend[] = [];
const builder = new BlockBuilder();

beforeAll(async () => {
  s3 = await startS3();
}, S3_START_TIMEOUT_MS);

afterAll(async () => {
  await builder.close();
  for (const backend of s3Backends) backend.close();
  await s3?.stop();
}, 60_000);

const BACKENDS: Record<string, () => Promise<{ backend: Backend; cleanup: () => Promise<void> }>> = {
  local: tempBackend,
  s3: async () => {
    const bucket = await s3.newBucket();
    const backend = new S3Backend(s3.options({ bucket }), { tuning: { maxAttempts: 2 } });
    s3Backends.push(backend);
    return { backend, cleanup: () => s3.dropBucket(bucket) };
  },
};

describe.each(Object.keys(BACKENDS))('CompactorLease on %s', (kind) => {
  let backend: Backend;
  let cleanup: () => Promise<void>;
  const clock = { now: T0 };

  beforeEach(async () => {
    ({ backend, cleanup } = await BACKENDS[kind]());
    clock.now = T0;
  });

  afterEach(async () => {
    await cleanup();
  });

  const lease = (owner: string, on = backend) =>
    new CompactorLease({ backend: on, owner, durationMs: 60_000, now: () => clock.now, autoRenew: false });
  const generations = () => backend.list(LEASE_PREFIX);

  it('is held by one of two contenders; the other sees who holds it and until when', async () => {
    const a = lease('a');
    const b = lease('b');

    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);

    expect(a.holds()).toBe(true);
    expect(b.holds()).toBe(false);
    expect(b.holder()).toEqual({ owner: 'a', expiresAt: T0 + 60_000 });
    expect(await generations()).toHaveLength(1);
  });

  it('goes to exactly one of many contenders racing for it', async () => {
    const contenders = ['a', 'b', 'c', 'd', 'e', 'f'].map((owner) => lease(owner));

    const won = await Promise.all(contenders.map((c) => c.tryAcquire()));

    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = contenders[won.indexOf(true)].owner;
    for (const c of contenders) expect(c.holder()?.owner).toBe(winner);
  });

  it('is renewed by its holder every third of its duration, leaving one generation behind', async () => {
    const a = lease('a');
    const b = lease('b');
    await a.tryAcquire();
    const [first] = await generations();

    clock.now = T0 + 10_000; // not due: no request at all
    expect(await a.tryAcquire()).toBe(true);
    expect(await generations()).toEqual([first]);
    clock.now = T0 + 30_000;
    expect(await a.tryAcquire()).toBe(true);

    expect(await generations()).not.toContain(first);
    expect(await generations()).toHaveLength(1);
    clock.now = T0 + 80_000; // past the first expiry, not the renewed one
    expect(await b.tryAcquire()).toBe(false);
    expect(b.holder()).toEqual({ owner: 'a', expiresAt: T0 + 90_000 });
  });

  it('is taken over once expired, and the old holder learns it when it tries to renew', async () => {
    const a = lease('a');
    const b = lease('b');
    await a.tryAcquire();

    clock.now = T0 + 61_000; // a stalled past its expiry
    expect(a.holds()).toBe(false);
    expect(await b.tryAcquire()).toBe(true);
    expect(await a.tryAcquire()).toBe(false);

    expect(a.holder()).toEqual({ owner: 'b', expiresAt: T0 + 121_000 });
    expect(b.holds()).toBe(true);
  });

  it('is free at once after its holder releases it', async () => {
    const a = lease('a');
    const b = lease('b');
    const changes: boolean[] = [];
    a.onChange((held) => changes.push(held));
    await a.tryAcquire();
    expect(await b.tryAcquire()).toBe(false);

    await a.release();

    expect(a.holds()).toBe(false);
    expect(changes).toEqual([true, false]);
    expect(await b.tryAcquire()).toBe(true);
    expect(b.holder()?.owner).toBe('b');
  });

  it('is not believed held from a generation written below the real one after an old listing', async () => {
    const a = lease('a');
    await a.tryAcquire();
    clock.now = T0 + 30_000;
    await a.tryAcquire(); // generation 2; generation 1 deleted
    // c lists the bucket as it was before anything: it writes generation 1 again, which succeeds.
    const stale = Object.create(backend) as Backend;
    let listings = 0;
    stale.list = async (prefix, options) => (listings++ === 0 ? [] : backend.list(prefix, options));
    const c = lease('c', stale);

    expect(await c.tryAcquire()).toBe(false);

    expect(c.holder()?.owner).toBe('a');
    expect(a.holds()).toBe(true);
    expect(await generations()).toHaveLength(1); // c cleaned its stray generation up
  });

  it.skipIf(localHost() === '')(
    'is taken over at once from a holder on this machine that died holding it, not from one elsewhere',
    async () => {
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      const write = (host: string) =>
        backend.write(
          `${LEASE_PREFIX}${'1'.padStart(20, '0')}`,
          Buffer.from(JSON.stringify({ owner: 'killed', host, pid: dead, expiresAt: new Date(T0 + 60_000) })),
        );
      const b = lease('b');

      await write('another-machine');
      expect(await b.tryAcquire()).toBe(false);
      expect(b.holder()?.owner).toBe('killed');
      await write(localHost());
      expect(await b.tryAcquire()).toBe(true);
    },
  );

  it('lets only one of two compactors on one bucket work; the other takes over after release', async () => {
    await writeOtlpBlocks(backend, 't', 4, T0, 70);
    const logs: string[] = [];
    const compactors = ['a', 'b'].map((owner) => {
      const blocklist = new Blocklist();
      return {
        blocklist,
        compactor: testCompactor({
          backend,
          blocklist,
          builder,
          logger: { info: (_details, message) => logs.push(`${owner}: ${message}`), warn: () => {} },
          lease: new CompactorLease({ backend, owner, autoRenew: false }),
        }),
      };
    });
    for (const { blocklist } of compactors) await blocklist.load(backend);

    const cycles = await Promise.all(compactors.map(({ compactor }) => compactor.runCycle(T0 + 2 * HOUR)));

    const worked = cycles.findIndex((cycle) => cycle.compacted.length > 0);
    expect(worked).toBeGreaterThanOrEqual(0);
    expect(cycles[1 - worked].compacted).toEqual([]);
    const [winner, loser] = worked === 0 ? ['a', 'b'] : ['b', 'a'];
    // One merged block beside its four inputs, not two.
    expect((await backend.list('t/')).filter(isBlockName)).toHaveLength(5);
    const idle = compactors[1 - worked].compactor;
    await idle.runCycle(T0 + 2 * HOUR);
    const waiting = logs.filter((line) => line.startsWith(`${loser}: waiting for the compactor lease`));
    expect(waiting).toHaveLength(1); // once per holder, not once per cycle
    expect(waiting[0]).toMatch(new RegExp(`held by ${winner} until \\d{4}-\\d\\d-\\d\\dT`));

    await compactors[worked].compactor.release();
    const takeover = await idle.runCycle(T0 + 2 * HOUR);

    expect(idle.lease.holds()).toBe(true);
    // It looked at the bucket before working: what the other merged is not merged again.
    expect(takeover.compacted).toEqual([]);
    expect(compactors[1 - worked].blocklist.blocks('t')).toHaveLength(1);
    expect((await backend.list('t/')).filter(isBlockName)).toHaveLength(5);
  });
});
