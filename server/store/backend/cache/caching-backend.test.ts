import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge, Registry } from 'prom-client';
import { CountingBackend } from '../../store-test-support';
import { describeBackendContract } from '../backend-contract';
import { LocalBackend } from '../local-backend';
import { type CacheMetrics, CachingBackend } from './caching-backend';
import { DiskCache } from './disk-cache';

// Block folders are named by UUIDs: the cache keeps nothing of any other folder.
const B = '0b3c2a9e-8f1d-4c2b-9a77-5f0e6d1c2b3a';
const B1 = '11111111-8f1d-4c2b-9a77-5f0e6d1c2b3a';
const B2 = '22222222-8f1d-4c2b-9a77-5f0e6d1c2b3a';
const B3 = '33333333-8f1d-4c2b-9a77-5f0e6d1c2b3a';

let dir: string;
let local: LocalBackend;
let counting: CountingBackend;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-caching-backend-'));
  local = new LocalBackend(join(dir, 'blocks'));
  counting = new CountingBackend(local);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function metrics(): CacheMetrics {
  const registers = [new Registry()];
  return {
    cacheRequests: new Counter({
      name: 'c',
      help: 'h',
      labelNames: ['kind', 'tier', 'outcome'],
      registers,
    }),
    cacheBytes: new Gauge({ name: 'b', help: 'h', labelNames: ['tier'], registers }),
    cacheEvictions: new Counter({ name: 'e', help: 'h', labelNames: ['tier'], registers }),
  };
}

type CacheLabel = 'kind' | 'tier' | 'outcome';

async function counted(m: CacheMetrics, labels: Partial<Record<CacheLabel, string>>): Promise<number> {
  const { values } = await m.cacheRequests.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k as CacheLabel] === want))
    .reduce((n, v) => n + v.value, 0);
}

describeBackendContract('CachingBackend over LocalBackend, with a disk tier', async () => {
  const root = await mkdtemp(join(tmpdir(), 'loupe-caching-contract-'));
  const disk = await DiskCache.open({ dir: join(root, 'cache'), maxBytes: 1 << 20 });
  return {
    backend: new CachingBackend(new LocalBackend(join(root, 'blocks')), { maxMemoryBytes: 1 << 20, disk }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
});

describe('CachingBackend', () => {
  it('reads an immutable block object from the backend once, then from memory', async () => {
    await local.write(`t/${B}/index`, Buffer.from('index'));
    await local.write(`t/${B}/bloom-3`, Buffer.from('shard'));
    const m = metrics();
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20, metrics: m });
    for (let i = 0; i < 3; i++) {
      expect((await cache.read(`t/${B}/index`))?.toString()).toBe('index');
      expect((await cache.read(`t/${B}/bloom-3`))?.toString()).toBe('shard');
    }
    expect(counting.calls.map((c) => c.key)).toEqual([`t/${B}/index`, `t/${B}/bloom-3`]);
    expect(await counted(m, { kind: 'index', tier: 'memory', outcome: 'hit' })).toBe(2);
    expect(await counted(m, { kind: 'index', tier: 'memory', outcome: 'miss' })).toBe(1);
    expect(await counted(m, { kind: 'bloom', tier: 'memory', outcome: 'hit' })).toBe(2);
    expect((await m.cacheBytes.get()).values[0].value).toBe(cache.memoryBytes);
  });

  it('passes mutable and big objects through every time', async () => {
    const keys = [
      't/loupe-index.json.gz', // a tenant index: rewritten
      'compactor-lease/other', // a lease: rewritten
      'compactor-lease/t/meta.json', // three segments deep and a block object's name, but no block ID
      `@logs/${B}/meta.json`, // another signal's folder
      `t/${B}/data`, // pages: big, and read by range
      `t/${B}/notes.json`, // a name the cache does not know
      `t/${B}/sub/index`, // not directly in a block folder
    ];
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20 });
    for (const key of keys) {
      await local.write(key, Buffer.from('v1'));
      expect((await cache.read(key))?.toString()).toBe('v1');
      await local.write(key, Buffer.from('v2'));
      expect((await cache.read(key))?.toString()).toBe('v2');
    }
    expect(counting.count('read')).toBe(2 * keys.length);
    expect(cache.memoryBytes).toBe(0);
  });

  it('does not cache a missing object, so it is found once written', async () => {
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20 });
    expect(await cache.read(`t/${B}/meta.json`)).toBeUndefined();
    await local.write(`t/${B}/meta.json`, Buffer.from('{}'));
    expect((await cache.read(`t/${B}/meta.json`))?.toString()).toBe('{}');
  });

  it('drops what it holds for a key written through it (a rewrite is new bytes)', async () => {
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20 });
    await cache.write(`t/${B}/index`, Buffer.from('first'));
    expect((await cache.read(`t/${B}/index`))?.toString()).toBe('first');
    await cache.write(`t/${B}/index`, Buffer.from('second'));
    expect((await cache.read(`t/${B}/index`))?.toString()).toBe('second');
  });

  it('evicts a deleted key, block or tenant from memory and disk', async () => {
    const disk = await DiskCache.open({ dir: join(dir, 'cache'), maxBytes: 1 << 20 });
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20, disk });
    for (const key of [`t/${B1}/index`, `t/${B1}/meta.json`, `t/${B2}/index`, `u/${B3}/bloom-0`]) {
      await cache.write(key, Buffer.from(key));
      await cache.read(key);
    }
    await cache.settled();
    expect(disk.fileCount).toBe(4);

    await cache.delete(`t/${B1}/meta.json`);
    expect(disk.fileCount).toBe(3);
    expect(await cache.read(`t/${B1}/meta.json`)).toBeUndefined();
    await cache.delete(`t/${B1}/`);
    await cache.delete('u/');
    expect(disk.fileCount).toBe(1);
    counting.reset();
    expect(await cache.read(`t/${B1}/index`)).toBeUndefined();
    expect(await cache.read(`u/${B3}/bloom-0`)).toBeUndefined();
    expect((await cache.read(`t/${B2}/index`))?.toString()).toBe(`t/${B2}/index`);
    expect(counting.calls.map((c) => c.key)).toEqual([`t/${B1}/index`, `u/${B3}/bloom-0`]);
  });

  it('lets an aborted caller go without failing the others sharing its read', async () => {
    await local.write(`t/${B}/index`, Buffer.from('index'));
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20 });
    const controller = new AbortController();
    const aborted = cache.read(`t/${B}/index`, { signal: controller.signal });
    const other = cache.read(`t/${B}/index`);
    const reason = new Error('query cancelled');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect((await other)?.toString()).toBe('index');
    expect(counting.count('read')).toBe(1);
    await expect(cache.read(`t/${B}/index`, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('keeps a failed read out of the cache: the next one reads again', async () => {
    await local.write(`t/${B}/bloom-0`, Buffer.from('shard'));
    let failures = 1;
    counting.read = async (key) => {
      if (failures-- > 0) throw new Error('transient');
      return local.read(key);
    };
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20 });
    await expect(cache.read(`t/${B}/bloom-0`)).rejects.toThrow('transient');
    expect((await cache.read(`t/${B}/bloom-0`))?.toString()).toBe('shard');
  });

  it('serves meta.json and the search summary from disk only: their readers keep them parsed', async () => {
    await local.write(`t/${B}/meta.json`, Buffer.from('{"m":1}'));
    await local.write(`t/${B}/search-summary.json`, Buffer.from('{"s":1}'));
    const m = metrics();
    const noDisk = new CachingBackend(counting, { maxMemoryBytes: 1 << 20, metrics: m });
    await noDisk.read(`t/${B}/meta.json`);
    await noDisk.read(`t/${B}/meta.json`);
    expect(counting.count('read')).toBe(2);
    expect(noDisk.memoryBytes).toBe(0);

    const disk = await DiskCache.open({ dir: join(dir, 'cache'), maxBytes: 1 << 20 });
    const withDisk = new CachingBackend(counting, { maxMemoryBytes: 1 << 20, disk, metrics: m });
    counting.reset();
    for (let i = 0; i < 3; i++) {
      expect((await withDisk.read(`t/${B}/meta.json`))?.toString()).toBe('{"m":1}');
      expect((await withDisk.read(`t/${B}/search-summary.json`))?.toString()).toBe('{"s":1}');
      await withDisk.settled();
    }
    expect(counting.count('read')).toBe(2);
    expect(await counted(m, { kind: 'meta', tier: 'disk', outcome: 'hit' })).toBe(2);
    expect(await counted(m, { kind: 'search_summary', tier: 'disk', outcome: 'miss' })).toBe(1);
    expect(await counted(m, { tier: 'memory' })).toBe(0);
  });

  it('caches small ranges and the footer read of search.parquet, never other ranges', async () => {
    const file = Buffer.alloc(200_000, 7);
    file.write('PAR1', file.length - 4);
    await local.write(`t/${B}/search.parquet`, file);
    await local.write(`t/${B}/data`, file);
    const disk = await DiskCache.open({ dir: join(dir, 'cache'), maxBytes: 1 << 20 });
    const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20, disk });
    const reads = [
      [1000, 14], // an offset index: small
      [150_000, 50_000], // the footer read, ending in the magic
      [20_000, 100_000], // a column chunk
    ];
    for (let i = 0; i < 2; i++) {
      for (const [offset, length] of reads) {
        const bytes = await cache.readRange(`t/${B}/search.parquet`, offset, length);
        expect(bytes.equals(file.subarray(offset, offset + length))).toBe(true);
      }
      expect((await cache.readRange(`t/${B}/data`, 0, 14)).length).toBe(14);
      await cache.settled();
    }
    // First round: all four; second round: the column chunk and the data page again.
    expect(counting.count('readRange')).toBe(6);
    expect(disk.fileCount).toBe(2);
    await expect(cache.readRange(`t/${B}/search.parquet`, 199_990, 20)).rejects.toThrow(RangeError);
    await expect(cache.readRange(`t/${B}/search.parquet`, -1, 4)).rejects.toThrow(RangeError);
  });
});
