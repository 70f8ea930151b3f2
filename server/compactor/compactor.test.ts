import { afterAll, describe, expect, it, vi } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { BlockBuilder } from '../ingester/block-builder';
import { NO_UNFLUSHED } from '../query/unflushed-source';
import { QueryDeadline } from '../query-guards/deadline';
import { TraceSearch } from '../search/trace-search';
import { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import { blockObjectKey, META_OBJECT } from '../store/block-keys';
import { buildBlock, writeBlock } from '../store/block-writer';
import { Blocklist } from '../store/blocklist';
import { compactBlocks } from '../store/compaction/compact-blocks';
import { MIN_COPIED_ROW_GROUP_ROWS } from '../store/search/sidecar-merge';
import { freshBackendPerTest, loggingWrites, wholeTraces } from '../store/store-test-support';
import { isBlockName, readTenantIndex } from '../store/tenant-index';
import { parseTraceQL } from '../traceql';
import { MAX_CONCURRENT_COMPACTIONS } from './compactor';
import type { CompactorDeps } from './compactor-deps';
import { CompactorLease } from './compactor-lease';
import { HOUR, spansOf, T0, testCompactor, writeOtlpBlocks } from './compactor-test-support';

/**
 * The compactor against a real local backend, blocklist and block-builder worker: small blocks
 * of one time window become one, every trace stays findable (before, during and after), the
 * inputs leave the blocklist at once and the backend after `compacted_block_retention`, and a
 * restart after a crash between the two still queries each trace once.
 */

const TENANT = 'c';
const logger = { info: () => {}, warn: () => {} };
const builder = new BlockBuilder();
const fresh = freshBackendPerTest();
afterAll(async () => {
  await builder.close();
});

const writeBlocks = (count: number, startMs: number, seed: number, expected: Map<string, Set<string>>) =>
  writeOtlpBlocks(fresh.backend, TENANT, count, startMs, seed, expected);
/** Block folders of the tenant (its index object aside). */
const blockFolders = async () => (await fresh.backend.list(`${TENANT}/`)).filter(isBlockName);

async function findAll(blocklist: Blocklist, expected: Map<string, Set<string>>): Promise<void> {
  for (const [trace, spans] of expected) {
    const id = Buffer.from(trace, 'hex');
    const found = new Set<string>();
    let copies = 0;
    for (const entry of blocklist.candidates(TENANT, id)) {
      const hit = await entry.reader.findTrace(id);
      if (!hit) continue;
      copies++;
      for (const span of spansOf(hit.data).get(trace) ?? []) found.add(span);
    }
    expect(copies, trace).toBe(1);
    expect(found, trace).toEqual(spans);
  }
}

/** One lease per backend, as one process has: every compactor of a test is that process's. */
const leases = new WeakMap<Backend, CompactorLease>();
function compactor(
  blocklist: Blocklist,
  lease?: CompactorLease,
  overrides: Partial<Pick<CompactorDeps, 'backend' | 'builder' | 'logger' | 'metrics'>> = {},
) {
  if (!lease && !leases.has(fresh.backend)) {
    leases.set(fresh.backend, new CompactorLease({ backend: fresh.backend, autoRenew: false }));
  }
  return testCompactor({
    backend: fresh.backend,
    blocklist,
    builder,
    logger,
    lease: lease ?? leases.get(fresh.backend),
    ...overrides,
  });
}

/** The block builder, counting the builds asked of it at once (one compaction each). */
function countingBuilder() {
  const counts = { inFlight: 0, most: 0, builds: 0 };
  const counting: CompactorDeps['builder'] = {
    async build(job) {
      counts.builds++;
      counts.most = Math.max(counts.most, ++counts.inFlight);
      try {
        return await builder.build(job);
      } finally {
        counts.inFlight--;
      }
    },
  };
  return { counting, counts };
}

describe('Compactor', () => {
  it("copies big inputs' search row groups instead of building them again, and searches answer as before", async () => {
    // Three blocks of ~5,500 spans (one row group each, big enough to copy), one trace in the
    // last two.
    const whole = wholeTraces(
      generateTraceRequests({
        traces: 2100,
        spansPerTrace: [4, 12],
        spansPerRequest: 400,
        seed: 31,
        startMs: T0,
      }).requests,
    ).map((trace) => trace.record);
    const thirds = [0, 1, 2].map((k) => whole.filter((_, i) => i % 3 === k));
    thirds[2] = [...thirds[2], thirds[1][0]].sort((x, y) => Buffer.compare(x.traceId, y.traceId));
    for (const [n, traces] of thirds.entries()) {
      await writeBlock(
        fresh.backend,
        buildBlock({
          tenantId: TENANT,
          blockId: `big-${n}`,
          traces,
          bloomFalsePositive: 0.01,
          bloomShardSizeBytes: 4096,
        }),
      );
    }
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const search = new TraceSearch({ unflushed: NO_UNFLUSHED, blocks: blocklist });
    const queries = [
      '{ status = error }',
      '{ span.http.status_code >= 500 }',
      '{ resource.service.name = "checkout" } | count() > 3',
    ];
    const answers = async () =>
      Promise.all(
        queries.map(async (q) =>
          (
            await search.search(TENANT, { query: parseTraceQL(q), limit: 100_000 }, QueryDeadline.unbounded())
          ).hits
            .map((hit) => `${hit.trace.traceId}:${hit.trace.spans.length}:${hit.matches.length}`)
            .sort(),
        ),
      );
    const inputGroups = new Map(
      await Promise.all(
        blocklist
          .blocks(TENANT)
          .map(async (e) => [e.meta.blockId, (await e.search!.summary()).rowGroups] as const),
      ),
    );
    expect([...inputGroups.values()].flat().map((g) => g.rows >= MIN_COPIED_ROW_GROUP_ROWS)).toEqual([
      true,
      true,
      true,
    ]);
    const before = await answers();
    expect(before.map((hits) => hits.length > 0)).toEqual([true, true, true]);

    const metrics = new SelfMetrics();
    await compactor(blocklist, undefined, { metrics }).runCycle(T0 + 6 * HOUR);

    const [merged] = blocklist.blocks(TENANT);
    expect(blocklist.blocks(TENANT)).toHaveLength(1);
    const summary = await merged.search!.summary();
    // The input without the shared trace kept its group as it was (rows, traces, bloom); the
    // others' groups hold that trace, so they were built again with the trace whole.
    const { rowStart: _, ...copied } = inputGroups.get('big-0')![0];
    expect(summary.rowGroups).toContainEqual(expect.objectContaining(copied));
    expect(summary.traces).toBe(whole.length);
    // meta.json and /metrics say how much was copied: the one group, and the rest built.
    const copiedRows = inputGroups.get('big-0')![0].rows;
    expect(merged.meta.search?.copiedRows).toBe(copiedRows);
    const rows = Object.fromEntries(
      (await metrics.compactionSearchRows.get()).values.map((v) => [v.labels.how, v.value]),
    );
    expect(rows).toEqual({ copied: copiedRows, built: summary.rows - copiedRows });
    expect(await answers()).toEqual(before);
  });

  it('merges the blocks of one window, keeps every trace, and deletes the inputs after their retention', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(3, T0, 100, expected);
    await writeBlocks(1, T0 + 5 * HOUR, 200, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    expect(blocklist.blocks(TENANT)).toHaveLength(4);

    const cycle = await compactor(blocklist).runCycle(T0 + 6 * HOUR);

    expect(cycle.compacted).toHaveLength(1);
    expect(cycle.compacted[0].inputs.sort()).toEqual(['block-100-0', 'block-100-1', 'block-100-2']);
    const visible = blocklist.blocks(TENANT).map((e) => e.meta.blockId);
    expect(visible).toHaveLength(2);
    expect(visible).toContain('block-200-0');
    await findAll(blocklist, expected);
    // Still on the backend for queries already under way...
    expect(await fresh.backend.read(blockObjectKey(TENANT, 'block-100-0', META_OBJECT))).toBeDefined();
    const later = await compactor(blocklist).runCycle(Date.now() + 2 * HOUR);
    // ...and gone after compacted_block_retention.
    expect(later.deleted).toBe(3);
    expect(await blockFolders()).toHaveLength(2);
    await findAll(blocklist, expected);
  });

  it('does nothing with one block per window', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(1, T0, 300, expected);
    await writeBlocks(1, T0 + 2 * HOUR, 400, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    expect((await compactor(blocklist).runCycle(T0 + 3 * HOUR)).compacted).toEqual([]);
    expect(blocklist.blocks(TENANT)).toHaveLength(2);
  });

  it('after a crash between writing the compacted block and deleting its inputs, queries each trace once', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(2, T0, 500, expected);
    const before = new Blocklist();
    await before.load(fresh.backend);
    // The compacted block is written, then the process dies: its inputs are still there.
    const built = await compactBlocks(
      fresh.backend,
      before.blocks(TENANT).map((e) => e.reader),
      { blockId: 'merged', bloomFalsePositive: 0.01, bloomShardSizeBytes: 4096, maxBytesPerTrace: 0 },
    );
    await writeBlock(fresh.backend, built);
    expect(await blockFolders()).toHaveLength(3);

    const restarted = new Blocklist();
    await restarted.load(fresh.backend);

    expect(restarted.blocks(TENANT).map((e) => e.meta.blockId)).toEqual(['merged']);
    expect(restarted.compactedBlocks(TENANT)).toHaveLength(2);
    await findAll(restarted, expected);
  });

  it('deletes a block directory left without meta.json by a crash, after the grace period, and no other', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(1, T0, 600, expected);
    await fresh.backend.write(
      `${TENANT}/half-written/data`,
      Buffer.from('pages of a block whose meta.json never came'),
    );
    await fresh.backend.write(
      `${TENANT}/late/data`,
      Buffer.from('a block being written while the store loads'),
    );
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    // The second one's meta.json arrives after the load: it is a block, not debris.
    await writeBlocks(1, T0, 700, expected);
    await fresh.backend.write(
      `${TENANT}/late/meta.json`,
      await fresh.backend.read(`${TENANT}/block-700-0/meta.json`).then((b) => b!),
    );

    expect((await compactor(blocklist).runCycle(Date.now())).incompleteDeleted).toBe(0);
    expect(await blockFolders()).toContain('half-written');

    const later = await compactor(blocklist).runCycle(Date.now() + 2 * HOUR);
    expect(later.incompleteDeleted).toBe(1);
    const left = await blockFolders();
    expect(left).not.toContain('half-written');
    expect(left).toContain('late');
  });

  it('keeps compacting within one cycle while a window still has blocks to merge', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(9, T0, 800, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);

    const cycle = await compactor(blocklist).runCycle(T0 + 2 * HOUR);

    expect(cycle.compacted.length).toBeGreaterThanOrEqual(3);
    expect(blocklist.blocks(TENANT)).toHaveLength(1);
    await findAll(blocklist, expected);
  });

  it('writes each tenant index after a cycle: live and compacted blocks, for pollers to read', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(3, T0, 900, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);

    const before = Date.now();
    await compactor(blocklist).runCycle(T0 + 2 * HOUR);

    const index = await readTenantIndex(fresh.backend, TENANT);
    const [merged] = blocklist.blocks(TENANT);
    expect(index?.blocks.map((b) => b.blockId).sort()).toEqual(
      ['block-900-0', 'block-900-1', 'block-900-2', merged.meta.blockId].sort(),
    );
    // Taking the lease, it listed the bucket again (for what a previous holder did): that is listedAt.
    expect(index?.listedAt).toBe(blocklist.lastFullListing()?.startedAt);
    expect(index?.listedAt).toBeGreaterThanOrEqual(before);
    expect(index?.builtAt).toBeGreaterThanOrEqual(index?.listedAt ?? Number.NaN);
    // A poller that reads it sets the inputs apart from their compaction's block, as the compactor does.
    const poller = new Blocklist(undefined, { tenantIndex: { staleMs: 60_000, fallback: false } });
    await poller.load(fresh.backend);
    expect(poller.blocks(TENANT).map((b) => b.meta.blockId)).toEqual([merged.meta.blockId]);
    expect(poller.compactedBlocks(TENANT)).toHaveLength(3);
    await findAll(poller, expected);
    // Once the inputs are deleted the next index leaves them out, and so do the pollers.
    await compactor(blocklist).runCycle(Date.now() + 2 * HOUR);
    expect((await readTenantIndex(fresh.backend, TENANT))?.blocks).toHaveLength(1);
    await poller.poll(fresh.backend);
    expect(poller.compactedBlocks(TENANT)).toEqual([]);
  });

  it('commits no block, and stops the cycle, when the lease is lost while it merges', async () => {
    await writeBlocks(3, T0, 1000, new Map());
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const lease = new CompactorLease({ backend: fresh.backend, autoRenew: false });
    const tryAcquire = lease.tryAcquire.bind(lease);
    // Held when the cycle starts; gone (another compactor took over) by the time to commit.
    vi.spyOn(lease, 'tryAcquire').mockImplementationOnce(tryAcquire).mockResolvedValue(false);

    const cycle = await compactor(blocklist, lease).runCycle(T0 + 2 * HOUR);

    expect(cycle.compacted).toEqual([]);
    expect(blocklist.blocks(TENANT)).toHaveLength(3);
    expect((await blockFolders()).sort()).toEqual(['block-1000-0', 'block-1000-1', 'block-1000-2']);
    expect(await readTenantIndex(fresh.backend, TENANT)).toBeUndefined();
  });
  it('runs compactions of disjoint inputs side by side, and groups the blocks as one at a time would', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(16, T0, 1100, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const { counting, counts } = countingBuilder();

    const cycle = await compactor(blocklist, undefined, { builder: counting }).runCycle(T0 + 2 * HOUR);

    // Four groups of four level-0 blocks, then one of the four level-1 blocks they became.
    expect(cycle.compacted).toHaveLength(5);
    expect(cycle.compacted.slice(0, 4).every((c) => c.inputs.length === 4)).toBe(true);
    const firstLevel = new Set(cycle.compacted.slice(0, 4).map((c) => c.blockId));
    expect(new Set(cycle.compacted[4].inputs)).toEqual(firstLevel);
    expect(counts.most).toBeGreaterThanOrEqual(2);
    expect(counts.most).toBeLessThanOrEqual(MAX_CONCURRENT_COMPACTIONS);
    const [merged] = blocklist.blocks(TENANT);
    expect(blocklist.blocks(TENANT)).toHaveLength(1);
    expect(merged.meta.compactionLevel).toBe(2);
    await findAll(blocklist, expected);
    const restarted = new Blocklist();
    await restarted.load(fresh.backend);
    await findAll(restarted, expected);
  });

  it("writes each block's meta.json only after every other object of that block is written", async () => {
    await writeBlocks(12, T0, 1200, new Map());
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const logged = loggingWrites(fresh.backend);

    const cycle = await compactor(blocklist, undefined, { backend: logged.backend }).runCycle(T0 + 2 * HOUR);

    expect(cycle.compacted.length).toBeGreaterThanOrEqual(3);
    for (const { blockId } of cycle.compacted) {
      const prefix = `${TENANT}/${blockId}/`;
      const mine = logged.events.filter((e) => e.key.startsWith(prefix));
      const metaStart = logged.events.findIndex((e) => e.at === 'start' && e.key === `${prefix}meta.json`);
      const objectEnds = mine.filter((e) => e.at === 'end' && !e.key.endsWith('/meta.json'));
      expect(objectEnds.length).toBeGreaterThanOrEqual(4);
      for (const end of objectEnds) expect(logged.events.indexOf(end)).toBeLessThan(metaStart);
    }
  });

  it('commits none of the compactions under way when the lease is lost, and leaves no folder of theirs', async () => {
    await writeBlocks(12, T0, 1300, new Map());
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const inputs = (await blockFolders()).sort();
    const lease = new CompactorLease({ backend: fresh.backend, autoRenew: false });
    const tryAcquire = lease.tryAcquire.bind(lease);
    vi.spyOn(lease, 'tryAcquire').mockImplementationOnce(tryAcquire).mockResolvedValue(false);
    const { counting, counts } = countingBuilder();

    const cycle = await compactor(blocklist, lease, { builder: counting }).runCycle(T0 + 2 * HOUR);

    expect(counts.most).toBeGreaterThanOrEqual(2);
    expect(cycle.compacted).toEqual([]);
    expect(blocklist.blocks(TENANT)).toHaveLength(12);
    expect((await blockFolders()).sort()).toEqual(inputs);
  });

  it('drops a block whose objects could not all be written, keeps its inputs, and retries them next cycle', async () => {
    const expected = new Map<string, Set<string>>();
    await writeBlocks(8, T0, 1400, expected);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    let failedData: string | undefined;
    const logged = loggingWrites(fresh.backend, {
      fail: (key) => {
        if (failedData === undefined && key.endsWith('/bloom-0')) failedData = key;
        return key === failedData;
      },
    });
    const warnings: string[] = [];
    const warnLogger = { info: () => {}, warn: (_: object, message: string) => void warnings.push(message) };

    const first = await compactor(blocklist, undefined, {
      backend: logged.backend,
      logger: warnLogger,
    }).runCycle(T0 + 2 * HOUR);

    expect(warnings).toContain('compaction failed; retried next cycle');
    const failedBlock = failedData!.split('/')[1];
    expect(await blockFolders()).not.toContain(failedBlock);
    expect(first.compacted.map((c) => c.blockId)).not.toContain(failedBlock);
    await findAll(blocklist, expected);

    await compactor(blocklist).runCycle(T0 + 2 * HOUR);
    expect(blocklist.blocks(TENANT)).toHaveLength(1);
    await findAll(blocklist, expected);
  });
});
