import { brotliDecompressSync } from 'node:zlib';
import { makeTraces } from '../../store-test-support';
import { traceIdToHex } from '../../trace-id';
import type { TraceRecord } from '../../types';
import type { BuildBlockOptions } from '../block-format';
import { PageIndex } from './page-index';
import { buildV1Block } from './v1-writer';

function options(traces: TraceRecord[], extra: Partial<BuildBlockOptions> = {}): BuildBlockOptions {
  return {
    tenantId: 'tenant-a',
    blockId: '0b3c2a9e-8f1d-4c2b-9a77-5f0e6d1c2b3a',
    traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 100 * 1024,
    ...extra,
  };
}

describe('buildV1Block', () => {
  it('describes the block in its meta', () => {
    const traces = makeTraces(500);
    const { meta, objects } = buildV1Block(options(traces));

    expect(meta.format).toBe('loupe-v1');
    expect(meta.tenantId).toBe('tenant-a');
    expect(meta.totalTraces).toBe(500);
    expect(meta.totalSpans).toBe(traces.reduce((sum, t) => sum + t.spanCount, 0));
    expect(meta.rawBytes).toBe(traces.reduce((sum, t) => sum + t.data.length, 0));
    expect(meta.minTraceId).toBe(traceIdToHex(traces[0].traceId));
    expect(meta.maxTraceId).toBe(traceIdToHex(traces[499].traceId));
    expect(meta.startMs).toBe(Math.min(...traces.map((t) => t.startMs)));
    expect(meta.endMs).toBe(Math.max(...traces.map((t) => t.endMs)));
    expect(new Date(meta.startTime).getTime()).toBe(meta.startMs);
    expect(new Date(meta.endTime).getTime()).toBe(meta.endMs);

    const size = (name: string) => objects.find((o) => o.name === name)?.data.length;
    expect(size('data')).toBe(meta.dataBytes);
    expect(size('index')).toBe(meta.indexBytes);
    const bloomObjects = objects.filter((o) => o.name.startsWith('bloom-'));
    expect(bloomObjects.map((o) => o.name)).toEqual(
      Array.from({ length: meta.bloomShards }, (_, i) => `bloom-${i}`),
    );
    expect(bloomObjects.reduce((sum, o) => sum + o.data.length, 0)).toBe(meta.bloomBytes);
    expect(objects.some((o) => o.name === 'meta.json')).toBe(false);
  });

  it('compresses pages that stay within the page size', () => {
    const traces = makeTraces(400, 2, 3000);
    const { meta, objects } = buildV1Block(options(traces, { pageSizeBytes: 64 * 1024 }));

    expect(meta.pages).toBeGreaterThan(5);
    expect(meta.dataBytes).toBeLessThan(meta.rawBytes);
    // The data object is brotli pages back to back, each found through the index.
    const data = objects.find((o) => o.name === 'data')!.data;
    const index = PageIndex.decode(objects.find((o) => o.name === 'index')!.data);
    expect(index.pageCount).toBe(meta.pages);
    let traceCount = 0;
    let end = 0;
    for (let page = 0; page < index.pageCount; page++) {
      const entry = index.entry(page);
      expect(entry.offset).toBe(end);
      expect(entry.uncompressedLength).toBeLessThanOrEqual(64 * 1024);
      const bytes = data.subarray(entry.offset, entry.offset + entry.compressedLength);
      expect(brotliDecompressSync(bytes).length).toBe(entry.uncompressedLength);
      traceCount += entry.traceCount;
      end = entry.offset + entry.compressedLength;
    }
    expect(end).toBe(data.length);
    expect(traceCount).toBe(traces.length);
  });

  it('gives a trace larger than a page a page of its own', () => {
    const traces = makeTraces(3, 4, 10);
    traces[1] = { ...traces[1], data: new Uint8Array(200_000).fill(7) };
    const { meta } = buildV1Block(options(traces, { pageSizeBytes: 64 * 1024 }));
    expect(meta.pages).toBe(3);
  });

  it('refuses unsorted, duplicate or malformed trace IDs, and empty blocks', () => {
    const traces = makeTraces(3);
    expect(() => buildV1Block(options([traces[1], traces[0]]))).toThrow(/sorted/);
    expect(() => buildV1Block(options([traces[0], traces[0]]))).toThrow(/sorted/);
    expect(() => buildV1Block(options([{ ...traces[0], traceId: new Uint8Array(8) }]))).toThrow(/16 bytes/);
    expect(() => buildV1Block(options([]))).toThrow(/at least one trace/);
  });
});
