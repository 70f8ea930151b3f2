import { Blocklist } from './blocklist';
import { freshBackendPerTest, makeTraces, writeTestBlock } from './store-test-support';
import type { BlockMeta } from './types';

const fresh = freshBackendPerTest();

async function storeBlock(tenantId: string, blockId: string, seed: number): Promise<BlockMeta> {
  return (await writeTestBlock(fresh.backend, tenantId, blockId, makeTraces(20, seed, 200))).meta;
}

function recordingLogger() {
  const warnings: { details: object; message: string }[] = [];
  return { warnings, warn: (details: object, message: string) => warnings.push({ details, message }) };
}

describe('Blocklist', () => {
  it('loads the complete blocks of every tenant, including oddly named ones', async () => {
    await storeBlock('tenant-a', 'block-1', 1);
    await storeBlock('tenant-a', 'block-2', 2);
    await storeBlock("a'b(c)*!", 'block-3', 3);
    const blocklist = new Blocklist();

    expect(await blocklist.load(fresh.backend)).toBe(3);
    expect(blocklist.tenantIds().sort()).toEqual(["a'b(c)*!", 'tenant-a']);
    expect(
      blocklist
        .blocks('tenant-a')
        .map((b) => b.meta.blockId)
        .sort(),
    ).toEqual(['block-1', 'block-2']);
  });

  it('keeps logs and metrics folders out of the trace tenants, even a tenant named "logs"', async () => {
    await storeBlock('logs', 'block-1', 1);
    await fresh.backend.write('@logs/chunk-1/meta.json', Buffer.from('{"not":"a block"}'));
    await fresh.backend.write('@metrics/series-1/meta.json', Buffer.from('{}'));
    const logger = recordingLogger();
    const blocklist = new Blocklist(logger);

    expect(await blocklist.load(fresh.backend)).toBe(1);
    expect(blocklist.tenantIds()).toEqual(['logs']);
    expect(logger.warnings).toEqual([]);
  });

  it('does not see blocks whose meta.json has not been written yet', async () => {
    await storeBlock('tenant-a', 'complete', 1);
    const partial = await storeBlock('tenant-a', 'partial', 2);
    await fresh.backend.delete(`tenant-a/${partial.blockId}/meta.json`);
    const logger = recordingLogger();
    const blocklist = new Blocklist(logger);

    await blocklist.load(fresh.backend);
    expect(blocklist.blocks('tenant-a').map((b) => b.meta.blockId)).toEqual(['complete']);
    expect(logger.warnings).toEqual([]);
  });

  it('warns about and skips blocks with unreadable meta.json', async () => {
    await storeBlock('tenant-a', 'good', 1);
    await fresh.backend.write('tenant-a/garbled/meta.json', Buffer.from('{not json'));
    await fresh.backend.write('tenant-a/wrong-format/meta.json', Buffer.from('{"format":"parquet-v9"}'));
    const moved = await storeBlock('tenant-a', 'original', 2);
    await fresh.backend.write('tenant-a/copied/meta.json', Buffer.from(JSON.stringify(moved)));
    const logger = recordingLogger();
    const blocklist = new Blocklist(logger);

    expect(await blocklist.load(fresh.backend)).toBe(2);
    expect(
      blocklist
        .blocks('tenant-a')
        .map((b) => b.meta.blockId)
        .sort(),
    ).toEqual(['good', 'original']);
    expect(logger.warnings.map((w) => (w.details as { key: string }).key).sort()).toEqual([
      'tenant-a/copied/meta.json',
      'tenant-a/garbled/meta.json',
      'tenant-a/wrong-format/meta.json',
    ]);
  });

  it('offers as candidates only blocks whose ID range and time range fit, newest first', async () => {
    // IDs are told apart by their first byte; each block covers a range of them and of time.
    const id = (firstByte: number) => new Uint8Array(16).fill(firstByte, 0, 1).fill(1, 1);
    const block = async (blockId: string, firstBytes: number[], startMs: number, endMs: number) => {
      const traces = firstBytes.map((b) => ({
        traceId: id(b),
        data: new Uint8Array([b]),
        spanCount: 1,
        startMs,
        endMs,
        truncated: false,
      }));
      await writeTestBlock(fresh.backend, 't', blockId, traces);
    };
    await block('early', [0x10, 0x20], 1000, 2000);
    await block('late', [0x18, 0x30], 5000, 6000);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const candidates = (...args: [Uint8Array, number?, number?]) =>
      blocklist.candidates('t', ...args).map((entry) => entry.meta.blockId);

    expect(candidates(id(0x19))).toEqual(['late', 'early']);
    expect(candidates(id(0x28))).toEqual(['late']);
    expect(candidates(id(0x05))).toEqual([]);
    expect(candidates(id(0x40))).toEqual([]);
    expect(candidates(id(0x19), 0, 1500)).toEqual(['early']);
    expect(candidates(id(0x19), 1500, 5500)).toEqual(['late', 'early']);
    expect(candidates(id(0x19), 5500)).toEqual(['late']);
    expect(candidates(id(0x19), 2500, 4500)).toEqual([]);
    expect(blocklist.candidates('someone-else', id(0x19))).toEqual([]);
  });

  it('adds and removes blocks', async () => {
    const meta = await storeBlock('tenant-a', 'block-1', 1);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    const entry = blocklist.get('tenant-a', 'block-1')!;

    expect(blocklist.remove('tenant-a', 'block-1')).toBe(true);
    expect(blocklist.remove('tenant-a', 'block-1')).toBe(false);
    expect(blocklist.tenantIds()).toEqual([]);
    blocklist.add(meta, entry.reader);
    expect(blocklist.blocks('tenant-a')).toHaveLength(1);
  });

  it('polling drops blocks gone from the backend but keeps one added while it listed', async () => {
    await storeBlock('t', 'old', 1);
    const blocklist = new Blocklist();
    await blocklist.load(fresh.backend);
    await fresh.backend.delete('t/old/meta.json');
    await fresh.backend.delete('t/old/');
    const justFlushed = await storeBlock('t', 'flushed-meanwhile', 2);
    // The listing of t/ is taken before the flush lands in the blocklist, as when a poll and a
    // flush overlap: the listing cannot show what the poll must not drop.
    const listing = fresh.backend.list.bind(fresh.backend);
    const backend = Object.create(fresh.backend) as typeof fresh.backend;
    backend.list = async (prefix, options) => {
      const names = (await listing(prefix, options)).filter((n) => n !== 'flushed-meanwhile');
      if (prefix === 't/') blocklist.add(justFlushed, blocklist.get('t', 'old')!.reader);
      return names;
    };

    expect(await blocklist.poll(backend)).toEqual({ added: 0, removed: 1 });
    expect(blocklist.blocks('t').map((b) => b.meta.blockId)).toEqual(['flushed-meanwhile']);
  });
});
