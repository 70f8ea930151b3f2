import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../../../testing/s3';
import { blockPrefix } from '../../block-keys';
import { buildBlock, writeBlock } from '../../block-writer';
import { Blocklist } from '../../blocklist';
import { CountingBackend, makeTraces } from '../../store-test-support';
import { S3Backend } from '../s3-backend';
import { CachingBackend } from './caching-backend';
import { DiskCache } from './disk-cache';

/**
 * The disk tier against a real object store (Ceph's radosgw on loopback): after a restart, the
 * blocklist and a lookup cost what they would with a warm memory — one GET, of the page.
 */
let s3: RunningS3;
let bucket: string;
let backend: S3Backend;
let dir: string;

beforeAll(async () => {
  s3 = await startS3();
  bucket = await s3.newBucket();
  backend = new S3Backend(s3.options({ bucket }), { tuning: { maxAttempts: 2 } });
  dir = await mkdtemp(join(tmpdir(), 'loupe-caching-s3-'));
}, S3_START_TIMEOUT_MS);

afterAll(async () => {
  backend?.close();
  await s3?.dropBucket(bucket).catch(() => {});
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('CachingBackend over S3Backend, with a disk tier', () => {
  it('after a restart, lists blocks without reading meta.json and finds a trace with one GET', async () => {
    const traces = makeTraces(200, 17, 1500);
    const built = buildBlock({
      tenantId: 'tenant-s3',
      blockId: randomUUID(),
      traces,
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 256,
      pageSizeBytes: 16 * 1024,
    });
    await writeBlock(backend, built);
    const open = async (inner: CountingBackend) =>
      new CachingBackend(inner, {
        maxMemoryBytes: 1 << 20,
        disk: await DiskCache.open({ dir: join(dir, 'cache'), maxBytes: 64 << 20 }),
      });

    // Before the restart: every shard and the index are read once, and written to the disk tier.
    const firstCounting = new CountingBackend(backend);
    const first = await open(firstCounting);
    const before = new Blocklist();
    await before.load(first);
    for (const trace of traces) await before.blocks('tenant-s3')[0].reader.findTrace(trace.traceId);
    await first.settled();
    // meta.json, the shards, and loupe-v1's index (loupe-v2 reads its trace locator in ranges).
    const v1 = built.meta.format === 'loupe-v1';
    expect(firstCounting.count('read')).toBe((v1 ? 2 : 1) + built.meta.bloomShards);

    const counting = new CountingBackend(backend);
    const restarted = await open(counting);
    const after = new Blocklist();
    expect(await after.load(restarted)).toBe(1);
    expect(counting.calls.every((call) => call.op === 'list')).toBe(true);

    const reader = after.blocks('tenant-s3')[0].reader;
    // These traces are not OTLP: loupe-v2 keeps them whole in its raw-traces object.
    const dataKey = `${blockPrefix(built.meta.tenantId, built.meta.blockId)}${v1 ? 'data' : 'raw-traces'}`;
    for (const trace of traces.filter((_, i) => i % 10 === 0)) {
      counting.reset();
      const found = await reader.findTrace(trace.traceId);
      expect(Buffer.from(found!.data).equals(Buffer.from(trace.data))).toBe(true);
      expect(counting.calls).toEqual([{ op: 'readRange', key: dataKey }]);
    }
  });
});
