import { afterAll, describe, expect, it } from 'vitest';
import { BlockBuilder } from '../ingester/block-builder';
import { Blocklist } from '../store/blocklist';
import {
  snapshot,
  TEMPO_BLOCK,
  TEMPO_COMPACTED_BLOCK,
  writeTempoObjects,
} from '../store/blocklist-tempo-test-support';
import { applyRetention } from '../store/retention';
import { freshBackendPerTest } from '../store/store-test-support';
import { LEGACY_TENANT_INDEX_OBJECT, readTenantIndex } from '../store/tenant-index';
import { CompactorLease } from './compactor-lease';
import { HOUR, T0, testCompactor, writeOtlpBlocks } from './compactor-test-support';

/**
 * Loupe's compactor on a folder it shares with Tempo (same layout: `<tenant>/<block>/meta.json`,
 * `<tenant>/index.json.gz`): through compaction, the deletion of compacted and half-written
 * blocks, retention and restarts, every object of Tempo's stays as it was, Tempo's blocks are
 * never listed as Loupe's, and each is logged once at warn, with what was found.
 */

const TENANT = 'shared';
const fresh = freshBackendPerTest();
const builder = new BlockBuilder();
afterAll(async () => {
  await builder.close();
});

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (_: object, message: string) => void warnings.push(message) };
}

function compactor(blocklist: Blocklist, logger: ReturnType<typeof recordingLogger>, lease: CompactorLease) {
  return testCompactor({ backend: fresh.backend, blocklist, builder, logger, lease });
}

describe('a bucket shared with Tempo', () => {
  it("leaves every object of Tempo's as it was through compaction, cleanup, retention and a restart", async () => {
    const tempoKeys = await writeTempoObjects(fresh.backend, TENANT);
    const before = await snapshot(fresh.backend, tempoKeys);
    await writeOtlpBlocks(fresh.backend, TENANT, 4, T0, 100);
    await fresh.backend.write(
      `${TENANT}/half-written/data`,
      Buffer.from('pages of a block Loupe never finished'),
    );
    const logger = recordingLogger();
    const lease = new CompactorLease({ backend: fresh.backend, autoRenew: false });
    const blocklist = new Blocklist(logger);
    await blocklist.load(fresh.backend);

    const compacting = await compactor(blocklist, logger, lease).runCycle(T0 + 2 * HOUR);
    const cleanup = await compactor(blocklist, logger, lease).runCycle(Date.now() + 2 * HOUR);
    await compactor(blocklist, logger, lease).runCycle(Date.now() + 3 * HOUR);
    const expired = await applyRetention(fresh.backend, blocklist, {
      retentionMs: HOUR,
      now: Date.now() + 9e9,
    });
    const restarted = new Blocklist(logger);
    await restarted.load(fresh.backend);
    await compactor(restarted, logger, lease).runCycle(Date.now() + 2 * HOUR);

    // Loupe's own blocks were compacted, cleaned up and expired as ever...
    expect(compacting.compacted.map((c) => c.inputs.length)).toEqual([4]);
    expect([cleanup.deleted, cleanup.incompleteDeleted]).toEqual([4, 1]);
    expect(expired.map((b) => b.blockId)).toEqual([compacting.compacted[0].blockId]);
    // ...while Tempo's blocks, compacted block, indexes and cluster seed are untouched,
    expect(await snapshot(fresh.backend, tempoKeys)).toEqual(before);
    expect((await fresh.backend.list(`${TENANT}/`)).sort()).toEqual(
      [TEMPO_COMPACTED_BLOCK, TEMPO_BLOCK, 'index.json.gz', 'index.pb.zst', 'loupe-index.json.gz'].sort(),
    );
    // never listed as Loupe's, not in Loupe's tenant index,
    for (const list of [blocklist, restarted]) {
      expect(list.blocks(TENANT)).toEqual([]);
      expect(list.compactedBlocks(TENANT)).toEqual([]);
    }
    expect((await readTenantIndex(fresh.backend, TENANT))?.blocks).toEqual([]);
    // and each was logged once per process, with what was found.
    expect(logger.warnings).toEqual([
      `leaving alone block ${TENANT}/${TEMPO_BLOCK}: its meta.json names format "vParquet4", written by Tempo`,
      `leaving alone folder ${TENANT}/${TEMPO_COMPACTED_BLOCK}: it holds data.parquet, meta.compacted.json, which Loupe never writes: a block Tempo compacted`,
      `leaving alone block ${TENANT}/${TEMPO_BLOCK}: its meta.json names format "vParquet4", written by Tempo`,
      `leaving alone folder ${TENANT}/${TEMPO_COMPACTED_BLOCK}: it holds data.parquet, meta.compacted.json, which Loupe never writes: a block Tempo compacted`,
    ]);
  });

  it(`writes its tenant index beside Tempo's ${LEGACY_TENANT_INDEX_OBJECT}, never over it`, async () => {
    await writeTempoObjects(fresh.backend, TENANT);
    const tempoIndex = `${TENANT}/${LEGACY_TENANT_INDEX_OBJECT}`;
    const before = await snapshot(fresh.backend, [tempoIndex]);
    await writeOtlpBlocks(fresh.backend, TENANT, 2, T0, 200);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const lease = new CompactorLease({ backend: fresh.backend, autoRenew: false });

    await compactor(blocklist, recordingLogger(), lease).runCycle(T0 + 2 * HOUR);

    expect(await snapshot(fresh.backend, [tempoIndex])).toEqual(before);
    const index = await readTenantIndex(fresh.backend, TENANT);
    expect(index?.blocks.map((b) => b.blockId)).not.toContain(TEMPO_BLOCK);
    expect(index?.blocks).toHaveLength(3); // two inputs and the block they became
    // A poller reading indexes finds Loupe's blocks there, and none of Tempo's.
    const poller = new Blocklist(undefined, { tenantIndex: { staleMs: 0, fallback: false } });
    await poller.load(fresh.backend);
    expect(poller.blocks(TENANT).map((b) => b.meta.blockId)).toEqual(
      blocklist.blocks(TENANT).map((b) => b.meta.blockId),
    );
  });
});
