import { describe, expect, it } from 'vitest';
import { Blocklist } from './blocklist';
import { isLoupeBlockObject } from './blocklist-foreign';
import { TEMPO_BLOCK, TEMPO_COMPACTED_BLOCK, writeTempoObjects } from './blocklist-tempo-test-support';
import { CountingBackend, freshBackendPerTest, makeTraces, writeTestBlock } from './store-test-support';
import {
  encodeTenantIndex,
  LEGACY_TENANT_INDEX_OBJECT,
  TENANT_INDEX_OBJECT,
  tenantIndexOf,
  writeTenantIndex,
} from './tenant-index';

/**
 * The blocklist in a bucket it shares with Tempo: Tempo's blocks (same layout, another format)
 * are never listed, their meta.json read and warned of once; Tempo's cluster seed is no tenant and
 * its tenant indexes no block; a poller neither takes Tempo's index for Loupe's nor warns of it,
 * and still reads the index an older Loupe wrote under Tempo's name.
 */

const fresh = freshBackendPerTest();
const TENANT = 'shared';

function recordingLogger() {
  const warnings: { details: object; message: string }[] = [];
  return { warnings, warn: (details: object, message: string) => void warnings.push({ details, message }) };
}

const storeBlock = (tenantId: string, blockId: string, seed = 1) =>
  writeTestBlock(fresh.backend, tenantId, blockId, makeTraces(5, seed, 100));
const ids = (blocklist: Blocklist, tenantId: string) => blocklist.blocks(tenantId).map((b) => b.meta.blockId);

describe('a bucket shared with Tempo', () => {
  it("lists none of Tempo's blocks, reads each one's meta.json once and warns of it once", async () => {
    await writeTempoObjects(fresh.backend, TENANT);
    await storeBlock(TENANT, 'loupe-1');
    const logger = recordingLogger();
    const counting = new CountingBackend(fresh.backend);
    const blocklist = new Blocklist(logger);

    expect(await blocklist.load(counting)).toBe(1);
    await blocklist.poll(counting);
    await blocklist.poll(counting);

    expect(blocklist.lastFullListing()?.tenantIds).toEqual([TENANT]); // the cluster seed is no tenant
    expect(ids(blocklist, TENANT)).toEqual(['loupe-1']);
    expect([...blocklist.foreign.of(TENANT)]).toEqual([[TEMPO_BLOCK, 'vParquet4']]);
    expect(counting.calls.filter((c) => c.key === `${TENANT}/${TEMPO_BLOCK}/meta.json`)).toHaveLength(1);
    expect(logger.warnings).toEqual([
      {
        details: expect.objectContaining({ tenant: TENANT, blockId: TEMPO_BLOCK, format: 'vParquet4' }),
        message: `leaving alone block ${TENANT}/${TEMPO_BLOCK}: its meta.json names format "vParquet4", written by Tempo`,
      },
    ]);
    // Tempo's indexes are not block folders; its compacted block (no meta.json) waits for the
    // compactor's check, which leaves it alone (compactor/tempo-bucket.test.ts).
    expect(blocklist.incompleteBlocks().map((b) => b.blockId)).toEqual([TEMPO_COMPACTED_BLOCK]);
  });

  it('forgets a foreign block once Tempo deletes it', async () => {
    await writeTempoObjects(fresh.backend, TENANT);
    const blocklist = new Blocklist(recordingLogger());
    await blocklist.load(fresh.backend);
    expect(blocklist.foreign.of(TENANT).size).toBe(1);

    await fresh.backend.delete(`${TENANT}/${TEMPO_BLOCK}/`);
    await blocklist.poll(fresh.backend);

    expect(blocklist.foreign.of(TENANT).size).toBe(0);
  });

  it("does not take Tempo's tenant index for Loupe's, nor warn of it", async () => {
    await writeTempoObjects(fresh.backend, TENANT);
    await storeBlock(TENANT, 'loupe-1');
    const logger = recordingLogger();
    const poller = new Blocklist(logger, { tenantIndex: { staleMs: 60_000, fallback: true } });
    const counting = new CountingBackend(fresh.backend);

    await poller.load(counting);
    await poller.poll(counting);
    await poller.poll(counting);

    expect(ids(poller, TENANT)).toEqual(['loupe-1']); // listed, as without an index
    expect(logger.warnings.map((w) => w.message)).not.toContain('unreadable tenant index');
    expect(await fresh.backend.list(`${TENANT}/`)).not.toContain(TENANT_INDEX_OBJECT);
    // Tempo's index (a whole bucket's blocks) is read once, not at every poll.
    const tempoIndex = `${TENANT}/${LEGACY_TENANT_INDEX_OBJECT}`;
    expect(counting.calls.filter((c) => c.op === 'read' && c.key === tempoIndex)).toHaveLength(1);
  });

  it("reads the index an older Loupe wrote under Tempo's name, until its own name is written", async () => {
    await storeBlock('old', 'from-before', 1);
    const listing = new Blocklist();
    await listing.load(fresh.backend);
    const legacy = tenantIndexOf(listing, 'old', 'old-compactor');
    await fresh.backend.write(`old/${LEGACY_TENANT_INDEX_OBJECT}`, await encodeTenantIndex(legacy));
    // Without fallback, only an index can show the block to a poller.
    const onlyIndexes = { tenantIndex: { staleMs: 0, fallback: false } };

    const poller = new Blocklist(undefined, onlyIndexes);
    await poller.load(fresh.backend);
    expect(ids(poller, 'old')).toEqual(['from-before']);

    await storeBlock('old', 'after-upgrade', 2);
    await listing.poll(fresh.backend, { list: true });
    await writeTenantIndex(fresh.backend, 'old', tenantIndexOf(listing, 'old', 'new-compactor'));
    const upgraded = new Blocklist(undefined, onlyIndexes);
    await upgraded.load(fresh.backend);
    expect(ids(upgraded, 'old').sort()).toEqual(['after-upgrade', 'from-before']);
  });

  it('knows the objects Loupe writes in a block folder from the ones it never does', () => {
    for (const name of [
      'meta.json',
      'data',
      'index',
      'bloom-0',
      'bloom-17',
      'search.parquet',
      'search-summary.json',
    ]) {
      expect(isLoupeBlockObject(name), name).toBe(true);
    }
    for (const name of [
      'meta.compacted.json',
      'data.parquet',
      'nocompact.flg',
      'bloom-',
      'bloom-x',
      'index.json.gz',
    ]) {
      expect(isLoupeBlockObject(name), name).toBe(false);
    }
  });
});
