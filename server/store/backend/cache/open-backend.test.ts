import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfigYaml } from '../../../config/load-config';
import { ConfigError } from '../../../config-reader/config-values';
import { SelfMetrics } from '../../../self-metrics/self-metrics';
import { openBackend } from '../create-backend';
import { BLOCK_CACHE_DEFAULTS } from './block-cache-config';
import { CachingBackend } from './caching-backend';

const parse = (text: string) => parseConfigYaml(text, 'test.yaml').config;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-open-backend-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('storage.trace.block_cache', () => {
  it('is left out of the built config when not set (the defaults apply)', () => {
    expect(parse('').storage.blockCache).toBeUndefined();
    expect(BLOCK_CACHE_DEFAULTS).toEqual({
      maxMemoryBytes: 256 * 1024 * 1024,
      diskPath: '',
      maxDiskBytes: 10 * 1024 * 1024 * 1024,
    });
  });

  it('reads sizes as whole numbers of bytes and resolves the disk folder', () => {
    const { storage } = parse(
      'storage:\n  trace:\n    block_cache:\n      max_memory_bytes: 1048576\n      disk_path: cache/blocks\n',
    );
    expect(storage.blockCache).toEqual({
      maxMemoryBytes: 1048576,
      diskPath: resolve('cache/blocks'),
      maxDiskBytes: BLOCK_CACHE_DEFAULTS.maxDiskBytes,
    });
    expect(() => parse('storage:\n  trace:\n    block_cache:\n      max_disk_bytes: 10GiB\n')).toThrow(
      /max_disk_bytes" must be a whole number of bytes/,
    );
  });

  it('refuses a disk folder inside the blocks root or the WAL, or holding either', () => {
    const yaml = (diskPath: string) =>
      `storage:\n  trace:\n    local:\n      path: /data/blocks\n    wal:\n      path: /data/wal\n    block_cache:\n      disk_path: ${diskPath}\n`;
    expect(() => parse(yaml('/data/blocks/cache'))).toThrow(ConfigError);
    expect(() => parse(yaml('/data/wal/cache'))).toThrow(/overlap: give the block cache a folder of its own/);
    expect(() => parse(yaml('/data'))).toThrow(/storage.trace.local.path/);
    expect(parse(yaml('/data/cache')).storage.blockCache?.diskPath).toBe('/data/cache');
  });
});

describe('openBackend', () => {
  it('puts the block cache above the metered pool: a hit is no backend request', async () => {
    const metrics = new SelfMetrics();
    const storage = parse(
      `storage:\n  trace:\n    local:\n      path: ${join(dir, 'blocks')}\n    wal:\n      path: ${join(dir, 'wal')}\n` +
        `    block_cache:\n      disk_path: ${join(dir, 'cache')}\n      max_disk_bytes: 1048576\n`,
    ).storage;
    const backend = await openBackend(storage, { metrics });
    expect(backend).toBeInstanceOf(CachingBackend);

    const key = `t/${randomUUID()}/index`;
    await backend.write(key, Buffer.from('page index'));
    for (let i = 0; i < 5; i++) expect((await backend.read(key))?.toString()).toBe('page index');
    await backend.settled();

    const reads = (await metrics.backendRequests.get()).values.filter((v) => v.labels.operation === 'read');
    expect(reads.reduce((n, v) => n + v.value, 0)).toBe(1);
    const requests = (await metrics.cacheRequests.get()).values;
    const count = (tier: string, outcome: string) =>
      requests.find(
        (v) => v.labels.tier === tier && v.labels.outcome === outcome && v.labels.kind === 'index',
      )?.value;
    expect([count('memory', 'hit'), count('memory', 'miss'), count('disk', 'miss')]).toEqual([4, 1, 1]);
    const bytes = (await metrics.cacheBytes.get()).values;
    expect(bytes.find((v) => v.labels.tier === 'disk')?.value).toBeGreaterThan(0);
    expect(bytes.find((v) => v.labels.tier === 'memory')?.value).toBe(backend.memoryBytes);
  });

  it('fails at startup, naming the key, when the disk folder cannot be used', async () => {
    const storage = parse(`storage:\n  trace:\n    local:\n      path: ${join(dir, 'blocks')}\n`).storage;
    const blocked = join(dir, 'a-file');
    await writeFile(blocked, 'not a folder');
    const config = { ...storage, blockCache: { ...BLOCK_CACHE_DEFAULTS, diskPath: join(blocked, 'cache') } };
    await expect(openBackend(config)).rejects.toThrow(
      /storage.trace.block_cache.disk_path .* cannot be used/,
    );
  });
});
