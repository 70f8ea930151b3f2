import { describe, expect, it } from 'vitest';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../integration/support/otlp-request';
import { flattenResourceSpans } from '../integration/support/tempo-json';
import { tracesDataToTempoJson } from '../otlp/tempo-format';
import { type BlockCandidates, TraceFinder } from './find-trace';
import type { UnflushedSource, UnflushedTrace } from './unflushed-source';

/**
 * TraceFinder against a fake unflushed source and fake blocks: what it merges, in which order,
 * what it reports as partial, and that concurrent lookups share one search.
 */
const traceId = Buffer.from(newTraceId());
const key = traceId.toString('hex');
const t0 = Date.now() - 60_000;
const spanA = simpleSpan(traceId, 'in old block', t0);
const spanB = simpleSpan(traceId, 'in new block', t0 + 10);
const spanC = simpleSpan(traceId, 'live', t0 + 20);
const part = (...spans: (typeof spanA)[]) => encodeTraceRequest([{ service: 'svc', spans }]);

class FakeUnflushed implements UnflushedSource {
  calls = 0;
  constructor(private readonly answer?: UnflushedTrace) {}
  async unflushedTraces(_tenantId: string, keys: readonly string[]): Promise<Map<string, UnflushedTrace>> {
    this.calls++;
    return new Map(this.answer ? keys.map((k) => [k, this.answer as UnflushedTrace]) : []);
  }
}

function fakeBlocks(
  blocks: { createdAt: string; data?: Uint8Array; truncated?: boolean }[],
): BlockCandidates & {
  reads: number;
} {
  const fake = {
    reads: 0,
    candidates: () =>
      blocks.map((b) => ({
        meta: { createdAt: b.createdAt, tenantId: 't', blockId: b.createdAt },
        reader: {
          findTrace: async () => {
            fake.reads++;
            return b.data ? { data: b.data, truncated: b.truncated ?? false } : undefined;
          },
        },
      })),
  };
  return fake;
}

function finder(unflushed: UnflushedSource, blocks: BlockCandidates, maxBytesPerTrace = 0) {
  const observed: string[] = [];
  const traceFinder = new TraceFinder({
    unflushed,
    blocks,
    maxBytesPerTrace: () => maxBytesPerTrace,
    metrics: { traceLookupSeconds: { observe: ({ outcome }) => observed.push(outcome) } },
  });
  return { traceFinder, observed };
}

const spanNames = (data: Buffer) =>
  flattenResourceSpans(tracesDataToTempoJson(data).resourceSpans).map((s) => s.name);

describe('TraceFinder', () => {
  it('merges blocks oldest first, then the unflushed parts, keeping the first copy of a span seen twice', async () => {
    const blocks = fakeBlocks([
      // The newer block also holds a copy of spanA (the trace was flushed twice): the older wins.
      { createdAt: '2026-12-03T10:05:00Z', data: part(spanB, { ...spanA, name: 'newer copy of A' }) },
      { createdAt: '2026-12-03T10:00:00Z', data: part(spanA) },
    ]);
    // The live part repeats spanB (a block joins the blocklist in the tick its traces leave);
    // the block's copy, met first, is the one kept.
    const liveCopyOfB = { ...spanB, name: 'live copy of the block span' };
    const { traceFinder, observed } = finder(
      new FakeUnflushed({ parts: [part(liveCopyOfB, spanC)], truncated: false }),
      blocks,
    );
    const found = await traceFinder.findTraceById('t', traceId, key);
    expect(found?.spanCount).toBe(3);
    expect(spanNames(found!.data).sort()).toEqual(['in new block', 'in old block', 'live']);
    expect(found?.truncated).toBe(false);
    expect(observed).toEqual(['found']);
  });

  it('says partial when a block or the unflushed source was cut at max_bytes_per_trace', async () => {
    const cutBlock = finder(
      new FakeUnflushed(),
      fakeBlocks([{ createdAt: 'a', data: part(spanA), truncated: true }]),
    );
    expect((await cutBlock.traceFinder.findTraceById('t', traceId, key))?.truncated).toBe(true);
    const cutLive = finder(new FakeUnflushed({ parts: [part(spanC)], truncated: true }), fakeBlocks([]));
    expect((await cutLive.traceFinder.findTraceById('t', traceId, key))?.truncated).toBe(true);
  });

  it("cuts a combined trace at the tenant's max_bytes_per_trace", async () => {
    const big = simpleSpan(traceId, 'big', t0, { attributes: { payload: 'x'.repeat(5000) } });
    const { traceFinder } = finder(
      new FakeUnflushed({ parts: [part(spanA), part(big)], truncated: false }),
      fakeBlocks([]),
      2000,
    );
    const found = await traceFinder.findTraceById('t', traceId, key);
    expect(found?.truncated).toBe(true);
    expect(spanNames(found!.data)).toEqual(['in old block']);
  });

  it('answers undefined, and counts not_found, when nothing holds the trace', async () => {
    const { traceFinder, observed } = finder(new FakeUnflushed(), fakeBlocks([{ createdAt: 'a' }]));
    expect(await traceFinder.findTraceById('t', traceId, key)).toBeUndefined();
    expect(observed).toEqual(['not_found']);
  });

  it('lets concurrent lookups of one question share one search, and searches afresh after', async () => {
    const unflushed = new FakeUnflushed({ parts: [part(spanC)], truncated: false });
    const blocks = fakeBlocks([{ createdAt: 'a', data: part(spanA) }]);
    const { traceFinder } = finder(unflushed, blocks);
    const [first, second] = await Promise.all([
      traceFinder.findTraceById('t', traceId, key),
      traceFinder.findTraceById('t', traceId, key),
    ]);
    expect(second).toBe(first);
    expect([unflushed.calls, blocks.reads]).toEqual([1, 1]);
    // Another time range is another question.
    await traceFinder.findTraceById('t', traceId, key, { startMs: 1 });
    await traceFinder.findTraceById('t', traceId, key);
    expect([unflushed.calls, blocks.reads]).toEqual([3, 3]);
  });

  it('asks the unflushed source before reading blocks, so a trace flushed meanwhile is not missed', async () => {
    // The source answers "nothing unflushed" because the trace was flushed while it was asked;
    // the block holding it joins the candidates only then.
    const held: { createdAt: string; data?: Uint8Array }[] = [];
    const blocks = fakeBlocks(held);
    const flushingSource: UnflushedSource = {
      async unflushedTraces() {
        held.push({ createdAt: 'a', data: part(spanC) });
        return new Map();
      },
    };
    const { traceFinder } = finder(flushingSource, blocks);
    const found = await traceFinder.findTraceById('t', traceId, key);
    expect(spanNames(found!.data)).toEqual(['live']);
  });
});
