import { describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../fixtures/synthetic-traces';
import { combineTraceParts } from '../../otlp/combine-trace';
import { forEachSpan } from '../../otlp/span-visitor';
import { splitTracesByTraceId } from '../../otlp/split-traces';
import { openBlock } from '../block-reader';
import { buildBlock, writeBlock } from '../block-writer';
import type { BlockReader, BuiltBlock } from '../encoding/block-format';
import { blockFormatFor } from '../encoding/registry';
import { openSearchSidecar } from '../search/search-sidecar';
import { freshBackendPerTest } from '../store-test-support';
import type { TraceRecord } from '../types';
import { compactBlocks } from './compact-blocks';
import { mergeSortedTraces } from './merge-traces';

/**
 * Compaction merges blocks of one tenant: every trace once, split traces whole, duplicate spans
 * (a retried export, a trace flushed twice) once, and fresh search data — also for inputs
 * written before search data existed.
 */

const TENANT = 'compact';
const fresh = freshBackendPerTest();

/** Span IDs (hex) per trace (hex) of some OTLP trace bytes. */
function spansOf(data: Uint8Array, into = new Map<string, string[]>()): Map<string, string[]> {
  forEachSpan(data, (view) => {
    const trace = view.idHex(view.traceIdAt, view.traceIdLength);
    const list = into.get(trace) ?? [];
    list.push(view.idHex(view.spanIdAt, view.spanIdLength));
    into.set(trace, list);
  });
  return into;
}

/** Block records from trace fragments: one record per trace, its fragments combined, sorted by ID. */
function records(fragments: { traceId: Buffer; key: string; data: Buffer }[]): TraceRecord[] {
  const byTrace = new Map<string, { id: Buffer; parts: Buffer[] }>();
  for (const f of fragments) {
    const entry = byTrace.get(f.key) ?? { id: f.traceId, parts: [] };
    entry.parts.push(f.data);
    byTrace.set(f.key, entry);
  }
  return [...byTrace.values()]
    .map(({ id, parts }) => {
      const combined = combineTraceParts(parts, 0);
      return {
        traceId: id,
        data: combined.data,
        spanCount: combined.spanCount,
        startMs: combined.startMs,
        endMs: combined.endMs,
        truncated: false,
      };
    })
    .sort((a, b) => Buffer.compare(a.traceId, b.traceId));
}

async function store(built: BuiltBlock): Promise<BlockReader> {
  await writeBlock(fresh.backend, built);
  return openBlock(fresh.backend, built.meta);
}

/** A block as Loupe wrote them before search data existed: no sidecar, no `search` in meta. */
/** The block as a `loupe-v1` block written before search data existed: pages only. */
function withoutSearch(built: BuiltBlock, traces: TraceRecord[]): BuiltBlock {
  return blockFormatFor('loupe-v1').build({
    tenantId: built.meta.tenantId,
    blockId: built.meta.blockId,
    traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 4096,
  });
}

function fixture() {
  // Requests smaller than traces: most traces arrive in several requests.
  const { requests } = generateTraceRequests({
    traces: 300,
    spansPerTrace: [2, 20],
    spansPerRequest: 7,
    seed: 11,
  });
  const a: { traceId: Buffer; key: string; data: Buffer }[] = [];
  const b: typeof a = [];
  const expected = new Map<string, Set<string>>();
  requests.forEach((request, i) => {
    for (const [trace, spans] of spansOf(request)) {
      const set = expected.get(trace) ?? new Set();
      for (const span of spans) set.add(span);
      expected.set(trace, set);
    }
    for (const fragment of splitTracesByTraceId(request).fragments) {
      (i % 2 === 0 ? a : b).push(fragment);
      // Every fifth request was retried into the other block: its spans are in both.
      if (i % 5 === 0) (i % 2 === 0 ? b : a).push(fragment);
    }
  });
  const options = { tenantId: TENANT, bloomFalsePositive: 0.01, bloomShardSizeBytes: 4096 };
  const tracesA = records(a);
  const tracesB = records(b);
  return {
    expected,
    tracesA,
    tracesB,
    blockA: buildBlock({ ...options, blockId: 'a', traces: tracesA }),
    blockB: buildBlock({ ...options, blockId: 'b', traces: tracesB }),
  };
}

const compactOptions = {
  blockId: 'ab',
  bloomFalsePositive: 0.01,
  bloomShardSizeBytes: 4096,
  maxBytesPerTrace: 0,
};

describe('compactBlocks', () => {
  it('holds every trace once, each with every span of every input once', async () => {
    const { expected, blockA, blockB } = fixture();
    const inputs = [await store(blockA), await store(blockB)];
    const split = [...expected.keys()].filter((t) =>
      inputs.every((input) => input.inRange(Buffer.from(t, 'hex'))),
    );
    expect(split.length).toBeGreaterThan(100);

    const merged = await store(await compactBlocks(fresh.backend, inputs, compactOptions));

    expect(merged.meta.totalTraces).toBe(expected.size);
    expect(merged.meta.totalSpans).toBe([...expected.values()].reduce((n, set) => n + set.size, 0));
    for (const [trace, spans] of expected) {
      const found = await merged.findTrace(Buffer.from(trace, 'hex'));
      const got = spansOf(found!.data).get(trace) ?? [];
      expect(got.length, trace).toBe(spans.size);
      expect(new Set(got)).toEqual(spans);
    }
  });

  it('gives inputs without search data a search sidecar over every span', async () => {
    const { expected, blockA, blockB, tracesA, tracesB } = fixture();
    const inputs = [await store(withoutSearch(blockA, tracesA)), await store(withoutSearch(blockB, tracesB))];
    expect(openSearchSidecar(fresh.backend, inputs[0].meta)).toBeUndefined();

    const built = await compactBlocks(fresh.backend, inputs, compactOptions);
    await writeBlock(fresh.backend, built);
    const sidecar = openSearchSidecar(fresh.backend, built.meta);

    expect(sidecar).toBeDefined();
    const summary = await sidecar!.summary();
    expect(summary.traces).toBe(expected.size);
    expect(summary.rows).toBe(built.meta.totalSpans);
  });

  it('cuts a combined trace at maxBytesPerTrace and marks it truncated', async () => {
    const { blockA, blockB } = fixture();
    const inputs = [await store(blockA), await store(blockB)];
    const built = await compactBlocks(fresh.backend, inputs, { ...compactOptions, maxBytesPerTrace: 1500 });
    const merged = await store(built);
    let truncated = 0;
    for await (const record of merged.traces()) {
      if (record.truncated) truncated++;
    }
    expect(truncated).toBeGreaterThan(0);
    expect(built.meta.totalSpans).toBeLessThan(blockA.meta.totalSpans + blockB.meta.totalSpans);
  });

  it('refuses blocks of two tenants', async () => {
    const { blockA, blockB } = fixture();
    const other = { ...blockB, meta: { ...blockB.meta, tenantId: 'other' } };
    await expect(
      compactBlocks(fresh.backend, [await store(blockA), await store(other)], compactOptions),
    ).rejects.toThrow(/mixes tenants/);
  });
});

describe('mergeSortedTraces', () => {
  const record = (id: number): TraceRecord => ({
    traceId: Buffer.alloc(16, id),
    data: new Uint8Array(0),
    spanCount: 0,
    startMs: id,
    endMs: id,
    truncated: false,
  });
  async function* of(...ids: number[]) {
    for (const id of ids) yield record(id);
  }

  it('yields the union in trace ID order', async () => {
    const out = await mergeSortedTraces([of(1, 4, 9), of(2, 3), of(5, 10)], 0);
    expect(out.map((r) => r.traceId[0])).toEqual([1, 2, 3, 4, 5, 9, 10]);
  });

  it('refuses an input out of trace ID order', async () => {
    await expect(mergeSortedTraces([of(3, 2)], 0)).rejects.toThrow(/not in trace ID order/);
    await expect(mergeSortedTraces([of(1, 5), of(2, 2)], 0)).rejects.toThrow(/not in trace ID order/);
  });

  it('reads the inputs side by side, at most `concurrency` at once', async () => {
    let open = 0;
    let most = 0;
    async function* slow(...ids: number[]) {
      open++;
      most = Math.max(most, open);
      try {
        for (const id of ids) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield record(id);
        }
      } finally {
        open--;
      }
    }
    const inputs = [slow(1, 6), slow(2, 7), slow(3, 8), slow(4, 9), slow(5, 10)];
    const out = await mergeSortedTraces(inputs, 0, { concurrency: 3 });
    expect(out.map((r) => r.traceId[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(most).toBe(3);
  });

  it('fails with the input that fails', async () => {
    async function* broken() {
      yield record(1);
      throw new Error('page checksum mismatch');
    }
    await expect(mergeSortedTraces([of(2, 3), broken()], 0)).rejects.toThrow(/checksum/);
  });
});
