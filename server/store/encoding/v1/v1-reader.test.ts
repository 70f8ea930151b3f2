import type { Backend } from '../../backend/backend';
import { CachingBackend } from '../../backend/cache/caching-backend';
import type { LocalBackend } from '../../backend/local-backend';
import { writeBlock } from '../../block-writer';
import {
  CountingBackend,
  makeTraces,
  randomTraceId,
  seededRandom,
  tempBackend,
} from '../../store-test-support';
import type { TraceRecord } from '../../types';
import type { BuiltBlock } from '../block-format';
import { bloomShardFor } from './bloom';
import { V1BlockReader } from './v1-reader';
import { buildV1Block } from './v1-writer';

let backend: LocalBackend;
let cleanup: () => Promise<void>;
let traces: TraceRecord[];
let built: BuiltBlock;

beforeAll(async () => {
  ({ backend, cleanup } = await tempBackend());
  traces = makeTraces(800, 42, 2000);
  built = buildV1Block({
    tenantId: "a'b(c)*!",
    blockId: 'b2d9f8a0-1c3e-4f5a-8b7c-6d5e4f3a2b1c',
    traces,
    bloomFalsePositive: 0.01,
    // Small shards so the block has several and a lookup must pick the right one.
    bloomShardSizeBytes: 256,
    pageSizeBytes: 32 * 1024,
  });
  await writeBlock(backend, built);
});

afterAll(async () => {
  await cleanup();
});

/** The block cache as production composes it, above the backend whose calls a test counts. */
function cached(inner: Backend): CachingBackend {
  return new CachingBackend(inner, { maxMemoryBytes: 16 * 1024 * 1024 });
}

describe('V1BlockReader', () => {
  it('finds every trace with its exact bytes and truncated flag', async () => {
    expect(built.meta.bloomShards).toBeGreaterThan(1);
    expect(built.meta.pages).toBeGreaterThan(10);
    const reader = new V1BlockReader(backend, built.meta);
    for (const trace of traces) {
      const found = await reader.findTrace(trace.traceId);
      expect(found).toBeDefined();
      expect(Buffer.from(found!.data).equals(Buffer.from(trace.data))).toBe(true);
      expect(found!.truncated).toBe(trace.truncated);
    }
  });

  it('does not find IDs that are not in the block', async () => {
    const reader = new V1BlockReader(backend, built.meta);
    const random = seededRandom(99);
    const present = new Set(traces.map((t) => Buffer.from(t.traceId).toString('hex')));
    for (let i = 0; i < 2000; i++) {
      const id = randomTraceId(random);
      if (present.has(Buffer.from(id).toString('hex'))) continue;
      expect(await reader.findTrace(id)).toBeUndefined();
    }
    expect(await reader.findTrace(new Uint8Array(16))).toBeUndefined();
    expect(await reader.findTrace(new Uint8Array(16).fill(255))).toBeUndefined();
  });

  it('reads one byte range per lookup of a freshly built block, and nothing else', async () => {
    const counting = new CountingBackend(backend);
    const reader = V1BlockReader.fromBuilt(cached(counting), built);
    for (const trace of traces.slice(0, 200)) {
      counting.reset();
      expect(await reader.findTrace(trace.traceId)).toBeDefined();
      expect(counting.calls).toEqual([
        { op: 'readRange', key: `${built.meta.tenantId}/${built.meta.blockId}/data` },
      ]);
    }
  });

  it('loads index and bloom shard once (through the cache), then costs one ranged read per lookup', async () => {
    const counting = new CountingBackend(backend);
    const reader = new V1BlockReader(cached(counting), built.meta);
    await Promise.all(traces.map((trace) => reader.findTrace(trace.traceId)));

    const objectReads = counting.calls
      .filter((call) => call.op === 'read')
      .map((call) => call.key.split('/').pop());
    expect(objectReads.filter((name) => name === 'index')).toHaveLength(1);
    expect(new Set(objectReads).size).toBe(objectReads.length);
    expect(objectReads).toHaveLength(1 + built.meta.bloomShards);
    expect(counting.count('readRange')).toBe(traces.length);
  });

  it('answers most absent IDs from the bloom filter without reading data', async () => {
    const counting = new CountingBackend(backend);
    const reader = V1BlockReader.fromBuilt(cached(counting), built);
    const random = seededRandom(5);
    for (let i = 0; i < 1000; i++) await reader.findTrace(randomTraceId(random));
    // About 1% false positives are expected; far fewer than a read per lookup.
    expect(counting.count('readRange')).toBeLessThan(40);
    expect(counting.count('read')).toBe(0);
  });

  it('walks every trace in order for compaction', async () => {
    const reader = new V1BlockReader(backend, built.meta);
    const seen: TraceRecord[] = [];
    for await (const trace of reader.traces()) seen.push(trace);
    expect(seen).toHaveLength(traces.length);
    seen.forEach((trace, i) => {
      expect(Buffer.from(trace.traceId).equals(Buffer.from(traces[i].traceId))).toBe(true);
      expect(trace.spanCount).toBe(traces[i].spanCount);
      expect(trace.startMs).toBe(traces[i].startMs);
      expect(trace.endMs).toBe(traces[i].endMs);
      expect(trace.truncated).toBe(traces[i].truncated);
    });
  });

  it('reports a corrupted page instead of returning wrong bytes', async () => {
    const corrupt = new CountingBackend(backend);
    corrupt.readRange = async (key, offset, length) => {
      const bytes = await backend.readRange(key, offset, length);
      bytes[bytes.length >> 1] ^= 0xff;
      return bytes;
    };
    const reader = V1BlockReader.fromBuilt(corrupt, built);
    await expect(reader.findTrace(traces[0].traceId)).rejects.toThrow(/checksum/);
  });

  it('retries loading the index after a failed read', async () => {
    const flaky = new CountingBackend(backend);
    let failures = 1;
    flaky.read = async (key) => {
      if (key.endsWith('/index') && failures-- > 0) throw new Error('transient');
      return backend.read(key);
    };
    const reader = new V1BlockReader(cached(flaky), built.meta);
    await expect(reader.findTrace(traces[0].traceId)).rejects.toThrow('transient');
    expect(await reader.findTrace(traces[0].traceId)).toBeDefined();
  });

  it('gives up on an aborted lookup without failing the shared loads of the others', async () => {
    const counting = new CountingBackend(backend);
    const reader = new V1BlockReader(cached(counting), built.meta);
    const reason = new Error('query cancelled');
    const aborted = reader.findTrace(traces[0].traceId, { signal: AbortSignal.abort(reason) });
    const other = reader.findTrace(traces[0].traceId);

    await expect(aborted).rejects.toBe(reason);
    expect(await other).toBeDefined();
    // The index was read once, for both: the abort did not spoil the shared load.
    expect(counting.calls.filter((call) => call.key.endsWith('/index'))).toHaveLength(1);
  });

  it('keeps nothing of the block itself: without a cache, every lookup reads shard, index and page', async () => {
    const counting = new CountingBackend(backend);
    const reader = V1BlockReader.fromBuilt(counting, built);
    for (const trace of traces.slice(0, 5)) {
      counting.reset();
      expect(await reader.findTrace(trace.traceId)).toBeDefined();
      const shard = `bloom-${bloomShardFor(trace.traceId, built.meta.bloomShards)}`;
      expect(counting.calls.map((call) => `${call.op} ${call.key.split('/').pop()}`)).toEqual([
        `read ${shard}`,
        'read index',
        'readRange data',
      ]);
    }
  });

  it('stays correct with a cache too small to hold the index, reading it again each time', async () => {
    const counting = new CountingBackend(backend);
    const small = new CachingBackend(counting, { maxMemoryBytes: 512 });
    const reader = new V1BlockReader(small, built.meta);
    for (const trace of traces.slice(0, 20)) expect(await reader.findTrace(trace.traceId)).toBeDefined();
    expect(counting.calls.filter((call) => call.key.endsWith('/index'))).toHaveLength(20);
    expect(small.memoryBytes).toBeLessThanOrEqual(512);
  });
});
