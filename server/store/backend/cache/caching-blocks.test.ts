import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTraceRequests } from '../../../../fixtures/synthetic-traces';
import { EMPTY_ATTRIBUTES, type SearchSpan, searchTraceOf } from '../../../search-model/search-trace';
import { blockPrefix } from '../../block-keys';
import { openBlock, openBuiltBlock } from '../../block-reader';
import { writeBlock } from '../../block-writer';
import { Blocklist } from '../../blocklist';
import type { BuiltBlock } from '../../encoding/block-format';
import { blockFormatFor } from '../../encoding/registry';
import { SIDECAR_OBJECT } from '../../search/search-layout';
import { SidecarReader } from '../../search/sidecar-reader';
import { buildSearchSidecar } from '../../search/sidecar-writer';
import { CountingBackend, makeTraces, wholeTraces } from '../../store-test-support';
import type { TraceRecord } from '../../types';
import { LocalBackend } from '../local-backend';
import { CachingBackend } from './caching-backend';
import { DiskCache } from './disk-cache';

/**
 * What the cache is for: a warm lookup is one read of the block's data (`loupe-v1`: its `data`
 * pages; `loupe-v2`: the trace's rows of `search.parquet`), before and after a restart.
 */
let dir: string;
let local: LocalBackend;
let traces: TraceRecord[];
let built: BuiltBlock;

const FORMATS = [
  { format: 'loupe-v1', data: 'data', traces: () => makeTraces(300, 11, 2000) },
  {
    format: 'loupe-v2',
    data: SIDECAR_OBJECT,
    traces: () =>
      wholeTraces(
        generateTraceRequests({ traces: 300, spansPerTrace: [1, 12], spansPerRequest: 50, seed: 11 })
          .requests,
      ).map((whole) => whole.record),
  },
] as const;

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(FORMATS)(
  'CachingBackend under $format block readers',
  ({ format, data, traces: makeBlockTraces }) => {
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'loupe-caching-blocks-'));
      local = new LocalBackend(join(dir, 'blocks'));
      traces = makeBlockTraces();
      built = blockFormatFor(format).build({
        tenantId: 'tenant-a',
        blockId: randomUUID(),
        traces,
        bloomFalsePositive: 0.01,
        bloomShardSizeBytes: 128, // several shards: a lookup must load the right one
        pageSizeBytes: 16 * 1024, // small pages keep the many lookups quick
      });
      await writeBlock(local, built);
    });

    const dataKey = () => `${blockPrefix(built.meta.tenantId, built.meta.blockId)}${data}`;

    /** Each lookup reads the backend once, for its data (a small `loupe-v2` row read may come from the cache). */
    async function lookUpAll(
      reader: { findTrace(id: Uint8Array): Promise<unknown> },
      counting: CountingBackend,
    ) {
      for (const trace of traces) {
        counting.reset();
        expect(await reader.findTrace(trace.traceId)).toBeDefined();
        const expected = [{ op: 'readRange', key: dataKey() }];
        if (format === 'loupe-v1') expect(counting.calls).toEqual(expected);
        else expect(counting.calls).toEqual(expected.slice(0, counting.calls.length));
      }
    }

    it('makes a warm lookup through openBlock cost exactly one read of the backend: the data', async () => {
      expect(built.meta.bloomShards).toBeGreaterThan(2);
      const counting = new CountingBackend(local);
      const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20 });
      const reader = openBlock(cache, built.meta);
      for (const trace of traces) await reader.findTrace(trace.traceId); // warms every shard and the index
      // loupe-v1 reads its index whole; loupe-v2 reads its locator in ranges.
      expect(counting.count('read')).toBe((format === 'loupe-v1' ? 1 : 0) + built.meta.bloomShards);

      await lookUpAll(reader, counting);
      // Another reader of the same block (reopened by a poll) shares what the cache holds.
      await lookUpAll(openBlock(cache, built.meta), counting);
    });

    it('is warmed by a block built in this process, and a deleted block leaves nothing behind', async () => {
      const counting = new CountingBackend(local);
      const disk = await DiskCache.open({ dir: join(dir, 'cache'), maxBytes: 1 << 20 });
      const cache = new CachingBackend(counting, { maxMemoryBytes: 1 << 20, disk });
      const reader = openBuiltBlock(cache, built);
      // loupe-v2's locator shards are read once, then cached.
      if (format === 'loupe-v2') for (const trace of traces) await reader.findTrace(trace.traceId);
      await lookUpAll(reader, counting);
      expect(cache.memoryBytes).toBeGreaterThan(0);
      await cache.read(`${blockPrefix(built.meta.tenantId, built.meta.blockId)}meta.json`);
      await cache.settled();
      expect(disk.fileCount).toBeGreaterThanOrEqual(1);

      await cache.delete(blockPrefix(built.meta.tenantId, built.meta.blockId));
      expect(cache.memoryBytes).toBe(0);
      expect(disk.fileCount).toBe(0);
      await expect(openBlock(cache, built.meta).findTrace(traces[0].traceId)).rejects.toThrow(/is missing/);
    });

    it('after a restart with a disk tier: listing the blocks reads no meta.json, a lookup reads one page', async () => {
      const cacheDir = join(dir, 'cache');
      const first = new CachingBackend(new CountingBackend(local), {
        maxMemoryBytes: 1 << 20,
        disk: await DiskCache.open({ dir: cacheDir, maxBytes: 1 << 20 }),
      });
      const before = new Blocklist();
      await before.load(first);
      const [entry] = before.blocks('tenant-a');
      for (const trace of traces) await entry.reader.findTrace(trace.traceId);
      await first.settled();

      const counting = new CountingBackend(local);
      const restarted = new CachingBackend(counting, {
        maxMemoryBytes: 1 << 20,
        disk: await DiskCache.open({ dir: cacheDir, maxBytes: 1 << 20 }),
      });
      const after = new Blocklist();
      expect(await after.load(restarted)).toBe(1);
      expect(counting.calls.map((c) => c.op)).toEqual(['list', 'list']);
      await lookUpAll(after.blocks('tenant-a')[0].reader, counting);
    });
  },
);

describe('CachingBackend under search sidecar readers', () => {
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-caching-blocks-'));
    local = new LocalBackend(join(dir, 'blocks'));
  });

  it('after a restart, a search sidecar reads its summary and footer from disk, only columns from the backend', async () => {
    const span = (i: number): SearchSpan => ({
      spanId: i.toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: `op${i % 5}`,
      serviceName: 'svc',
      kind: 2,
      statusCode: 0,
      statusMessage: '',
      startUnixNano: BigInt(1_700_000_000_000_000_000 - i * 1_000_000),
      durationNanos: 1000 + i,
      attributes: new Map([['k', `v${i}`]]),
      resource: EMPTY_ATTRIBUTES,
      events: [],
      links: [],
    });
    const sidecar = buildSearchSidecar(
      Array.from({ length: 3000 }, (_, i) => searchTraceOf(i.toString(16).padStart(32, '0'), [span(i)])),
    )!;
    const prefix = blockPrefix('t', randomUUID());
    await local.write(`${prefix}${SIDECAR_OBJECT}`, sidecar.parquet);
    await local.write(`${prefix}search-summary.json`, Buffer.from(JSON.stringify(sidecar.summary)));
    const blockId = prefix.split('/')[1];
    const search = async (backend: CachingBackend) => {
      const reader = new SidecarReader(backend, 't', blockId, sidecar.parquet.byteLength);
      const { groups } = await reader.summary();
      const columns = await reader.readColumns(['trace_id', 'name'], 0, groups[0].rows);
      expect(columns.get('name')?.[3]).toBe('op3');
    };

    const ranges: number[] = [];
    const recording = new CountingBackend(local);
    recording.readRange = (key, offset, length, options) => {
      ranges.push(length);
      return local.readRange(key, offset, length, options);
    };
    const options = async () => ({
      maxMemoryBytes: 1 << 20,
      disk: await DiskCache.open({ dir: join(dir, 'cache'), maxBytes: 8 << 20 }),
    });
    const first = new CachingBackend(recording, await options());
    await search(first);
    await first.settled();
    const cold = [...ranges];

    ranges.length = 0;
    recording.reset();
    await search(new CachingBackend(recording, await options()));
    expect(recording.count('read')).toBe(0); // the summary
    // The footer read (the longest) and the small index reads are gone; the column chunks remain.
    expect(ranges).not.toContain(Math.max(...cold));
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.every((length) => cold.includes(length))).toBe(true);
  });
});
