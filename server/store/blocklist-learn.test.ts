import { buildBlock, writeBlock } from './block-writer';
import { Blocklist } from './blocklist';
import { CountingBackend, freshBackendPerTest, makeTraces, writeTestBlock } from './store-test-support';

/**
 * `addFromBackend`: how a querier adds the blocks an ingester says it flushed since the last
 * poll — new ones are read once, known and deleted ones are not read again.
 */
const fresh = freshBackendPerTest();

async function storeBlock(blockId: string, seed: number): Promise<void> {
  await writeTestBlock(fresh.backend, 't', blockId, makeTraces(10, seed, 200));
}

describe('Blocklist.addFromBackend', () => {
  it('adds blocks it does not know, reading each meta.json once, and skips known ones', async () => {
    await storeBlock('known', 1);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    await storeBlock('new-1', 2);
    await storeBlock('new-2', 3);
    const counting = new CountingBackend(fresh.backend);

    expect(await blocklist.addFromBackend(counting, 't', ['known', 'new-1', 'new-2', 'new-1'])).toBe(2);
    expect(counting.calls.map((c) => c.key).sort()).toEqual(['t/new-1/meta.json', 't/new-2/meta.json']);
    expect(
      blocklist
        .blocks('t')
        .map((b) => b.meta.blockId)
        .sort(),
    ).toEqual(['known', 'new-1', 'new-2']);
    counting.reset();
    expect(await blocklist.addFromBackend(counting, 't', ['known', 'new-1', 'new-2'])).toBe(0);
    expect(counting.calls).toEqual([]);
  });

  it('remembers a named block that is gone (compacted and deleted) and does not read it again', async () => {
    const blocklist = new Blocklist();
    const counting = new CountingBackend(fresh.backend);
    expect(await blocklist.addFromBackend(counting, 't', ['deleted'])).toBe(0);
    expect(await blocklist.addFromBackend(counting, 't', ['deleted'])).toBe(0);
    expect(counting.count('read')).toBe(1);
  });

  it('does not bring back a block that a compacted block it knows replaced', async () => {
    await storeBlock('input', 4);
    const output = buildBlock({
      tenantId: 't',
      blockId: 'output',
      traces: makeTraces(10, 4, 200),
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 1024,
    });
    output.meta.compactedFrom = ['input'];
    await writeBlock(fresh.backend, output);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    expect(blocklist.blocks('t').map((b) => b.meta.blockId)).toEqual(['output']);

    expect(await blocklist.addFromBackend(fresh.backend, 't', ['input'])).toBe(0);
    expect(blocklist.blocks('t').map((b) => b.meta.blockId)).toEqual(['output']);
  });
});
