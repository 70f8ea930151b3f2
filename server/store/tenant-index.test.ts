import { randomUUID } from 'node:crypto';
import { parseConfigYaml } from '../config/load-config';
import { Blocklist } from './blocklist';
import { tenantIndexOptions } from './store-config';
import { CountingBackend, freshBackendPerTest, makeTraces, writeTestBlock } from './store-test-support';
import {
  encodeTenantIndex,
  readTenantIndex,
  TENANT_INDEX_OBJECT,
  type TenantIndex,
  tenantIndexKey,
  tenantIndexOf,
  writeTenantIndex,
} from './tenant-index';
import type { BlockMeta } from './types';

/**
 * Pollers reading `<tenant>/loupe-index.json.gz` instead of listing: what it costs, when they fall
 * back to listing, and that a block missing from an index is dropped only when it is surely
 * deleted, never because it was written after the index's builder last listed the bucket.
 */

const fresh = freshBackendPerTest();
const FRESH_INDEX = { staleMs: 60_000, fallback: true };

async function storeBlock(tenantId: string, blockId: string = randomUUID(), seed = 1): Promise<BlockMeta> {
  return (await writeTestBlock(fresh.backend, tenantId, blockId, makeTraces(5, seed, 100))).meta;
}

/** What a compactor does: list the bucket, then write every tenant's index from that. */
async function compactorIndexes(builder = 'compactor-1'): Promise<Blocklist> {
  const listing = new Blocklist();
  await listing.load(fresh.backend);
  for (const tenantId of listing.tenantIds()) {
    await writeTenantIndex(fresh.backend, tenantId, tenantIndexOf(listing, tenantId, builder));
  }
  return listing;
}

const ids = (blocklist: Blocklist, tenantId: string) =>
  blocklist
    .blocks(tenantId)
    .map((b) => b.meta.blockId)
    .sort();

describe('tenant index', () => {
  it('lets a poll read one object per tenant instead of listing it and reading each meta.json', async () => {
    for (let i = 0; i < 6; i++) await storeBlock('a', `a-${i}`, i);
    for (let i = 0; i < 4; i++) await storeBlock('b', `b-${i}`, 10 + i);
    await compactorIndexes();

    const withIndex = new CountingBackend(fresh.backend);
    const poller = new Blocklist(undefined, { tenantIndex: FRESH_INDEX });
    expect(await poller.load(withIndex)).toBe(10);
    expect(withIndex.calls.map((c) => `${c.op} ${c.key}`).sort()).toEqual([
      'list ',
      `read ${tenantIndexKey('a')}`,
      `read ${tenantIndexKey('b')}`,
    ]);
    withIndex.reset();
    expect(await poller.poll(withIndex)).toEqual({ added: 0, removed: 0 });
    expect(withIndex.calls).toHaveLength(3);
    expect(ids(poller, 'a')).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4', 'a-5']);

    // Without indexes: a listing per tenant and a meta.json read per block.
    const listing = new CountingBackend(fresh.backend);
    await new Blocklist().load(listing);
    expect(listing.count('list')).toBe(3);
    expect(listing.calls.filter((c) => c.key.endsWith('/meta.json'))).toHaveLength(10);
    // ...and `list: true` lists even where an index is fresh.
    listing.reset();
    await poller.poll(listing, { list: true });
    expect(listing.count('list')).toBe(3);
  });

  it('is never taken for a block, nor for a half-written one, by listings of the tenant', async () => {
    await storeBlock('a', 'a-0');
    await compactorIndexes();
    const warnings: string[] = [];
    const blocklist = new Blocklist({ warn: (_d, message) => warnings.push(message) });

    await blocklist.load(fresh.backend);

    expect(await fresh.backend.list('a/')).toContain(TENANT_INDEX_OBJECT);
    expect(ids(blocklist, 'a')).toEqual(['a-0']);
    expect(blocklist.incompleteBlocks()).toEqual([]);
    expect(await blocklist.addFromBackend(fresh.backend, 'a', [TENANT_INDEX_OBJECT])).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('keeps a block flushed after the index builder listed, and drops one the builder deleted', async () => {
    await storeBlock('a', 'old-1');
    await storeBlock('a', 'old-2');
    const compactor = await compactorIndexes('c1');
    const poller = new Blocklist(undefined, { tenantIndex: FRESH_INDEX });
    await poller.load(fresh.backend);
    // A block flushed now: the poller hears of it from its ingester; the compactor has not listed since.
    const flushed = await storeBlock('a', 'flushed');
    await poller.addFromBackend(fresh.backend, 'a', [flushed.blockId]);
    // The compactor deletes old-1 (retention) and writes the index again, from the same listing.
    await fresh.backend.delete('a/old-1/');
    compactor.remove('a', 'old-1');
    await writeTenantIndex(fresh.backend, 'a', tenantIndexOf(compactor, 'a', 'c1'));

    expect(await poller.poll(fresh.backend)).toEqual({ added: 0, removed: 1 });
    expect(ids(poller, 'a')).toEqual(['flushed', 'old-2']);
  });

  it('after a takeover, drops what the new builder lacks only if it existed before its listing', async () => {
    await storeBlock('a', 'kept');
    await compactorIndexes('c1');
    const poller = new Blocklist(undefined, { tenantIndex: FRESH_INDEX });
    await poller.load(fresh.backend);
    const known = (await readTenantIndex(fresh.backend, 'a')) as TenantIndex;
    // c2 took over with a listing older than the block (it loaded before the block was written).
    const write = (listedAt: number) =>
      writeTenantIndex(fresh.backend, 'a', { builder: 'c2', builtAt: Date.now(), listedAt, blocks: [] });

    await write(known.builtAt - 1);
    expect(await poller.poll(fresh.backend)).toEqual({ added: 0, removed: 0 });
    await write(known.builtAt + 1); // c2 listed after the block surely existed: it is gone
    expect(await poller.poll(fresh.backend)).toEqual({ added: 0, removed: 1 });
  });

  it('falls back to listing a tenant whose index is stale or unreadable, and warns of the latter', async () => {
    await storeBlock('a', 'a-0');
    await storeBlock('b', 'b-0');
    const built = tenantIndexOf(await compactorIndexes(), 'a', 'c1');
    await writeTenantIndex(fresh.backend, 'a', { ...built, blocks: [], builtAt: Date.now() - 120_000 });
    await fresh.backend.write(tenantIndexKey('b'), await encodeTenantIndex(built)); // names a's block
    const warnings: object[] = [];
    const poller = new Blocklist({ warn: (details) => warnings.push(details) }, { tenantIndex: FRESH_INDEX });

    await poller.load(fresh.backend);

    expect(ids(poller, 'a')).toEqual(['a-0']);
    expect(ids(poller, 'b')).toEqual(['b-0']);
    expect(warnings).toEqual([expect.objectContaining({ tenant: 'b' })]);
  });

  it('uses an index of any age at staleness 0, and without fallback leaves index-less tenants alone', async () => {
    await storeBlock('a', 'a-0');
    const built = tenantIndexOf(await compactorIndexes(), 'a', 'c1');
    await writeTenantIndex(fresh.backend, 'a', { ...built, builtAt: 0 });
    await storeBlock('b', 'b-0'); // no index

    const anyAge = new Blocklist(undefined, { tenantIndex: { staleMs: 0, fallback: false } });
    const reads = new CountingBackend(fresh.backend);
    await anyAge.load(reads);

    expect(ids(anyAge, 'a')).toEqual(['a-0']);
    expect(anyAge.tenantIds()).toEqual(['a']);
    expect(reads.count('list')).toBe(1);
  });

  it('takes storage.trace.blocklist_poll_stale_tenant_index and blocklist_poll_fallback', () => {
    const parse = (yaml: string) => parseConfigYaml(yaml, 'test.yaml').config.storage;
    const defaults = parse('storage:\n  trace:\n    blocklist_poll: 1m\n');
    expect(tenantIndexOptions(defaults)).toEqual({ staleMs: 600_000, fallback: true });
    const set = parse(
      'storage:\n  trace:\n    blocklist_poll_stale_tenant_index: 0\n    blocklist_poll_fallback: false\n',
    );
    expect(tenantIndexOptions(set)).toEqual({ staleMs: 0, fallback: false });
    expect(
      tenantIndexOptions(parse('storage:\n  trace:\n    blocklist_poll_stale_tenant_index: 90s\n')).staleMs,
    ).toBe(90_000);
  });
});
