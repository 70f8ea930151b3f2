import type { Backend } from './backend/backend';
import { openBuiltBlock } from './block-reader';
import { Blocklist } from './blocklist';
import { applyRetention, type ExpiredBlock, RetentionError } from './retention';
import { freshBackendPerTest, makeTraces, writeTestBlock } from './store-test-support';

const HOUR = 3_600_000;
const NOW = Date.UTC(2024, 5, 1, 12);

const fresh = freshBackendPerTest();

/** Stores a block whose traces all end `hoursAgo` before NOW. */
async function storeBlock(blocklist: Blocklist, tenantId: string, blockId: string, hoursAgo: number) {
  const endMs = NOW - hoursAgo * HOUR;
  const traces = makeTraces(10, hoursAgo + 1, 100).map((t) => ({ ...t, startMs: endMs - 1000, endMs }));
  const built = await writeTestBlock(fresh.backend, tenantId, blockId, traces);
  blocklist.add(built.meta, openBuiltBlock(fresh.backend, built));
}

describe('applyRetention', () => {
  it('deletes only blocks that ended before the retention window', async () => {
    const blocklist = new Blocklist();
    await storeBlock(blocklist, 'tenant-a', 'ancient', 48);
    await storeBlock(blocklist, 'tenant-a', 'recent', 1);
    await storeBlock(blocklist, 'tenant-b', 'old', 25);
    await storeBlock(blocklist, 'tenant-b', 'edge', 24);

    const deleted = await applyRetention(fresh.backend, blocklist, { retentionMs: 24 * HOUR, now: NOW });

    expect(deleted.map((b) => `${b.tenantId}/${b.blockId}`).sort()).toEqual([
      'tenant-a/ancient',
      'tenant-b/old',
    ]);
    expect(blocklist.blocks('tenant-a').map((b) => b.meta.blockId)).toEqual(['recent']);
    expect(blocklist.blocks('tenant-b').map((b) => b.meta.blockId)).toEqual(['edge']);
    expect(await fresh.backend.list('tenant-a/')).toEqual(['recent']);
    expect(await fresh.backend.list('tenant-b/')).toEqual(['edge']);

    // A restart finds only what retention kept.
    const reloaded = new Blocklist();
    expect(await reloaded.load(fresh.backend)).toBe(2);
  });

  it('takes a block out of the blocklist before deleting its objects, meta.json first', async () => {
    const blocklist = new Blocklist();
    await storeBlock(blocklist, 'tenant-a', 'old', 48);
    const observed: { key: string; listed: boolean }[] = [];
    const watching: Backend = {
      read: (key) => fresh.backend.read(key),
      readRange: (key, offset, length) => fresh.backend.readRange(key, offset, length),
      write: (key, data) => fresh.backend.write(key, data),
      writeIfAbsent: (key, data) => fresh.backend.writeIfAbsent(key, data),
      list: (prefix) => fresh.backend.list(prefix),
      delete: async (key) => {
        observed.push({ key, listed: blocklist.get('tenant-a', 'old') !== undefined });
        await fresh.backend.delete(key);
      },
    };

    await applyRetention(watching, blocklist, { retentionMs: HOUR, now: NOW });

    expect(observed).toEqual([
      { key: 'tenant-a/old/meta.json', listed: false },
      { key: 'tenant-a/old/', listed: false },
    ]);
  });

  it('keeps a block it could not delete, deletes the others, then reports the failure', async () => {
    const blocklist = new Blocklist();
    await storeBlock(blocklist, 'tenant-a', 'old', 48);
    await storeBlock(blocklist, 'tenant-b', 'old', 48);
    const failing: Backend = {
      read: (key) => fresh.backend.read(key),
      readRange: (key, offset, length) => fresh.backend.readRange(key, offset, length),
      write: (key, data) => fresh.backend.write(key, data),
      writeIfAbsent: (key, data) => fresh.backend.writeIfAbsent(key, data),
      list: (prefix) => fresh.backend.list(prefix),
      delete: async (key) => {
        if (key.startsWith('tenant-a/')) throw new Error('permission denied');
        await fresh.backend.delete(key);
      },
    };

    const failure = await applyRetention(failing, blocklist, { retentionMs: HOUR, now: NOW }).catch(
      (err) => err,
    );
    expect(failure).toBeInstanceOf(RetentionError);
    expect(failure.errors).toHaveLength(1);
    expect(failure.deleted.map((b: ExpiredBlock) => `${b.tenantId}/${b.blockId}`)).toEqual(['tenant-b/old']);
    expect(blocklist.get('tenant-a', 'old')).toBeDefined();
    expect(await fresh.backend.list('tenant-a/')).toEqual(['old']);

    const retried = await applyRetention(fresh.backend, blocklist, { retentionMs: HOUR, now: NOW });
    expect(retried.map((b) => `${b.tenantId}/${b.blockId}`)).toEqual(['tenant-a/old']);
    expect(await fresh.backend.list('tenant-a/')).toEqual([]);
    expect(await fresh.backend.list('tenant-b/')).toEqual([]);
  });
});
