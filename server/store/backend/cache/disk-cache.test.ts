import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskCache } from './disk-cache';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-disk-cache-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file under the cache folder, relative to it. */
async function filesIn(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

async function put(cache: DiskCache, key: string, data: string, range?: { offset: number; length: number }) {
  await cache.put(key, range, Buffer.from(data));
}

describe('DiskCache', () => {
  it('answers what was put, by key and by range, and misses the rest without touching the disk', async () => {
    const cache = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    await put(cache, 't/b/index', 'index bytes');
    await put(cache, 't/b/search.parquet', 'footer', { offset: 100, length: 6 });
    expect((await cache.get('t/b/index'))?.toString()).toBe('index bytes');
    expect((await cache.get('t/b/search.parquet', { offset: 100, length: 6 }))?.toString()).toBe('footer');
    expect(await cache.get('t/b/search.parquet', { offset: 0, length: 6 })).toBeUndefined();
    expect(await cache.get('t/b/search.parquet')).toBeUndefined();
    expect(await cache.get('t/other/index')).toBeUndefined();
  });

  it('survives a restart: a new instance on the folder counts and serves what is there', async () => {
    const first = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    await put(first, "a'b(c)*!/b1/bloom-0", 'shard');
    await put(first, 't/b2/meta.json', '{"blockId":"b2"}');
    const bytes = first.bytes;

    const second = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    expect(second.bytes).toBe(bytes);
    expect(second.fileCount).toBe(2);
    expect((await second.get("a'b(c)*!/b1/bloom-0"))?.toString()).toBe('shard');
    expect((await second.get('t/b2/meta.json'))?.toString()).toBe('{"blockId":"b2"}');
  });

  it('stays under its byte bound, evicting the least recently used file first', async () => {
    const payload = 'x'.repeat(1000);
    const evictions: number[] = [];
    const cache = await DiskCache.open({ dir, maxBytes: 3500, onEvict: () => evictions.push(1) });
    await put(cache, 't/b/bloom-0', payload);
    await put(cache, 't/b/bloom-1', payload);
    await put(cache, 't/b/bloom-2', payload);
    expect(await cache.get('t/b/bloom-0')).toBeDefined(); // bloom-1 is now the oldest use
    await put(cache, 't/b/bloom-3', payload);
    await cache.settled();

    expect(evictions).toHaveLength(1);
    expect(cache.bytes).toBeLessThanOrEqual(3500);
    expect(await cache.get('t/b/bloom-1')).toBeUndefined();
    expect(await cache.get('t/b/bloom-0')).toBeDefined();
    expect(await filesIn(dir)).toHaveLength(3);
    // A value bigger than the whole bound is not written at all.
    await put(cache, 't/b/index', 'y'.repeat(5000));
    expect(await cache.get('t/b/index')).toBeUndefined();
    expect(await filesIn(dir)).toHaveLength(3);
  });

  it('on restart, trims a folder over a smaller bound, oldest modification first', async () => {
    const first = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    for (const i of [0, 1, 2]) await put(first, `t/b/bloom-${i}`, 'x'.repeat(1000));
    const files = await filesIn(dir);
    // Ages as recorded by mtime (each file's header names its key): bloom-2 oldest, bloom-0 newest.
    for (const file of files) {
      const content = await readFile(join(dir, file), 'latin1');
      const age = content.includes('bloom-2') ? 300 : content.includes('bloom-1') ? 200 : 100;
      const when = Date.now() / 1000 - age;
      await utimes(join(dir, file), when, when);
    }
    const second = await DiskCache.open({ dir, maxBytes: 2500 });
    expect(second.fileCount).toBe(2);
    expect(await second.get('t/b/bloom-2')).toBeUndefined();
    expect(await second.get('t/b/bloom-0')).toBeDefined();
    await second.settled();
    expect(await filesIn(dir)).toHaveLength(2);
  });

  it('takes a corrupt, truncated or missing file for a miss, and forgets it', async () => {
    const cache = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    await put(cache, 't/b/bloom-0', 'shard zero');
    await put(cache, 't/b/bloom-1', 'shard one');
    await put(cache, 't/b/index', 'the index');
    const files = await filesIn(dir);
    const fileOf = async (key: string) => {
      for (const file of files) if ((await readFile(join(dir, file), 'latin1')).includes(key)) return file;
      throw new Error(`no file for ${key}`);
    };

    const flipped = await readFile(join(dir, await fileOf('bloom-0')));
    flipped[flipped.length - 1] ^= 0xff;
    await writeFile(join(dir, await fileOf('bloom-0')), flipped);
    const truncated = await readFile(join(dir, await fileOf('bloom-1')));
    await writeFile(join(dir, await fileOf('bloom-1')), truncated.subarray(0, 6));
    await rm(join(dir, await fileOf('index')));

    expect(await cache.get('t/b/bloom-0')).toBeUndefined();
    expect(await cache.get('t/b/bloom-1')).toBeUndefined();
    expect(await cache.get('t/b/index')).toBeUndefined();
    expect(cache.fileCount).toBe(0);
    expect(cache.bytes).toBe(0);
    await cache.settled();
    expect(await filesIn(dir)).toEqual([]);
  });

  it('deletes a key (all its ranges) or everything under a block or tenant prefix', async () => {
    const cache = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    await put(cache, 't/b1/search.parquet', 'a', { offset: 0, length: 1 });
    await put(cache, 't/b1/search.parquet', 'b', { offset: 5, length: 1 });
    await put(cache, 't/b1/index', 'i1');
    await put(cache, 't/b2/index', 'i2');
    await put(cache, 'u/b3/index', 'i3');

    await cache.delete('t/b1/search.parquet');
    expect(await cache.get('t/b1/search.parquet', { offset: 0, length: 1 })).toBeUndefined();
    expect(await cache.get('t/b1/search.parquet', { offset: 5, length: 1 })).toBeUndefined();
    expect((await cache.get('t/b1/index'))?.toString()).toBe('i1');

    await cache.delete('t/b1/');
    expect(await cache.get('t/b1/index')).toBeUndefined();
    expect((await cache.get('t/b2/index'))?.toString()).toBe('i2');

    await cache.delete('t/');
    expect(await cache.get('t/b2/index')).toBeUndefined();
    expect((await cache.get('u/b3/index'))?.toString()).toBe('i3');
    await cache.settled();
    expect(await filesIn(dir)).toHaveLength(1);
    expect(cache.fileCount).toBe(1);
  });

  it('drops a write that a deletion overlapped, so a deleted block does not come back', async () => {
    const cache = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    const writing = cache.put('t/b/index', undefined, Buffer.from('stale'));
    await cache.delete('t/b/');
    await writing;
    await cache.settled();
    expect(await cache.get('t/b/index')).toBeUndefined();
    expect(await filesIn(dir)).toEqual([]);
  });

  it('removes temporary files a crash left, and never touches files it did not write', async () => {
    await writeFile(join(dir, 'notes.txt'), 'not ours');
    const first = await DiskCache.open({ dir, maxBytes: 1 << 20 });
    await put(first, 't/b/index', 'x');
    const [ours] = await filesIn(dir).then((f) => f.filter((name) => name !== 'notes.txt'));
    await writeFile(join(dir, `${ours}.tmp-abcdef`), 'half written');

    const second = await DiskCache.open({ dir, maxBytes: 10 });
    await second.settled();
    // The bound of 10 bytes evicts the one cache file; the foreign file stays, uncounted.
    expect(second.fileCount).toBe(0);
    expect(await filesIn(dir)).toEqual(['notes.txt']);
  });
});
