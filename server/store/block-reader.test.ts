import { CachingBackend } from './backend/cache/caching-backend';
import type { LocalBackend } from './backend/local-backend';
import { openBlock, openBuiltBlock } from './block-reader';
import { buildBlock, writeBlock } from './block-writer';
import type { BuiltBlock } from './encoding/block-format';
import { blockFormatFor, UnknownBlockFormatError, WRITE_FORMAT } from './encoding/registry';
import { CountingBackend, makeTraces, tempBackend } from './store-test-support';
import type { StoredBlockMeta, TraceRecord } from './types';

let backend: LocalBackend;
let cleanup: () => Promise<void>;
let traces: TraceRecord[];
let built: BuiltBlock;

beforeAll(async () => {
  ({ backend, cleanup } = await tempBackend());
  traces = makeTraces(200, 7, 2000);
  built = buildBlock({
    tenantId: 'tenant-a',
    blockId: 'c1d2e3f4-0000-4000-8000-000000000001',
    traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 256,
  });
  await writeBlock(backend, built);
});

afterAll(async () => {
  await cleanup();
});

describe('openBlock and openBuiltBlock (through the format registry)', () => {
  it('open the format new blocks are written in, and find their traces', async () => {
    expect(built.meta.format).toBe(WRITE_FORMAT.id);
    const reader = openBlock(backend, built.meta);
    for (const trace of traces.slice(0, 20)) {
      expect(Buffer.from((await reader.findTrace(trace.traceId))!.data)).toEqual(Buffer.from(trace.data));
    }
  });

  it('add no I/O: a warm lookup in a freshly built block is one ranged read (index and bloom warm the cache)', async () => {
    const counting = new CountingBackend(backend);
    const reader = openBuiltBlock(new CachingBackend(counting, { maxMemoryBytes: 1024 * 1024 }), built);
    // loupe-v2 reads a trace locator shard the first time (then cached); these traces are not
    // OTLP, so it keeps them whole in its raw-traces object.
    for (const trace of traces.slice(0, 20)) await reader.findTrace(trace.traceId);
    const data = built.meta.format === 'loupe-v1' ? 'data' : 'raw-traces';
    for (const trace of traces.slice(0, 20)) {
      counting.reset();
      expect(await reader.findTrace(trace.traceId)).toBeDefined();
      expect(counting.calls).toEqual([{ op: 'readRange', key: `tenant-a/${built.meta.blockId}/${data}` }]);
    }
  });

  it('read a meta.json without a format field as loupe-v1, the format of the first blocks', async () => {
    const v1 = blockFormatFor('loupe-v1').build({
      tenantId: 'tenant-a',
      blockId: 'c1d2e3f4-0000-4000-8000-000000000002',
      traces,
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 256,
    });
    await writeBlock(backend, v1);
    const { format: _, ...unmarked }: StoredBlockMeta = v1.meta;
    const reader = openBlock(backend, unmarked);
    expect(reader.meta.format).toBe('loupe-v1');
    expect(await reader.findTrace(traces[3].traceId)).toBeDefined();
  });

  it('refuse a format Loupe cannot read', () => {
    const foreign: StoredBlockMeta = { ...built.meta, format: 'vParquet4' };
    expect(() => openBlock(backend, foreign)).toThrow(UnknownBlockFormatError);
    expect(() => openBlock(backend, foreign)).toThrow('unknown block format "vParquet4"');
  });
});
