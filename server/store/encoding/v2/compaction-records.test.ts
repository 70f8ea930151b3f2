import { describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../../fixtures/synthetic-traces';
import { tracesDataToTempoJson } from '../../../otlp/tempo-json';
import { writeBlock } from '../../block-writer';
import { compactBlocks } from '../../compaction/compact-blocks';
import { SIDECAR_OBJECT } from '../../search/search-layout';
import { buildSearchObjects } from '../../search/search-sidecar';
import { groupsOf } from '../../search/sidecar-merge';
import { freshBackendPerTest, wholeTraces } from '../../store-test-support';
import { traceIdToHex } from '../../trace-id';
import type { TraceRecord } from '../../types';
import { blockFormatFor } from '../registry';
import { compactionRecords } from './compaction-records';
import { V2_FORMAT } from './v2-format';

const fresh = freshBackendPerTest();
const TENANT = 'compacting';

/** A trace as the Tempo API shows it, spans and attributes in a canonical order. */
function canonical(data: Uint8Array): string[] {
  const json = tracesDataToTempoJson(data) as { resourceSpans: Record<string, unknown>[] };
  const spans: string[] = [];
  for (const rs of json.resourceSpans)
    for (const ss of (rs.scopeSpans as Record<string, unknown>[]) ?? [])
      for (const span of (ss.spans as Record<string, unknown>[]) ?? []) {
        const attributes = ((span.attributes as unknown[]) ?? []).map((a) => JSON.stringify(a)).sort();
        spans.push(JSON.stringify({ r: rs.resource, s: ss.scope, span: { ...span, attributes } }));
      }
  return spans.sort();
}

/** Three blocks of ~2,700 spans (one copyable row group each); one trace is in the last two. */
function thirds(): TraceRecord[][] {
  const whole = wholeTraces(
    generateTraceRequests({ traces: 1500, spansPerTrace: [2, 9], spansPerRequest: 300, seed: 23 }).requests,
  ).map((trace) => trace.record);
  const out = [0, 1, 2].map((k) => whole.filter((_, i) => i % 3 === k));
  out[2] = [...out[2], out[1][0]].sort((a, b) => Buffer.compare(a.traceId, b.traceId));
  return out;
}

async function store(traces: TraceRecord[], n: number) {
  const built = V2_FORMAT.build({
    tenantId: TENANT,
    blockId: `0b7a5c3e-2d1f-4e6a-9b8c-7d6e5f4a3b2${n}`,
    traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 4096,
  });
  await writeBlock(fresh.backend, built);
  return V2_FORMAT.open(fresh.backend, built.meta);
}

describe('compacting loupe-v2 blocks', () => {
  it('copies the rows of traces found in one input without rebuilding them, and every trace reads back the same', async () => {
    const parts = thirds();
    const inputs = await Promise.all(parts.map((traces, n) => store(traces, n)));
    const built = await compactBlocks(fresh.backend, inputs, {
      blockId: '0b7a5c3e-2d1f-4e6a-9b8c-7d6e5f4a3b29',
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 4096,
      maxBytesPerTrace: 0,
    });
    await writeBlock(fresh.backend, built);
    // The first input's group holds no split trace: copied. The other two share a trace: rebuilt.
    expect(built.meta.search?.copiedRows).toBe(inputs[0].meta.search?.rows);
    expect(built.meta.totalTraces).toBe(1500);
    expect(built.meta.rawBytes).toBe(inputs.reduce((sum, input) => sum + input.meta.rawBytes, 0));

    const merged = V2_FORMAT.open(fresh.backend, built.meta);
    const expected = new Map<string, string[]>();
    for (const traces of parts)
      for (const t of traces) expected.set(traceIdToHex(t.traceId), canonical(t.data));
    for (const [id, spans] of expected) {
      const found = await merged.findTrace(Buffer.from(id, 'hex'));
      expect(found, id).toBeDefined();
      expect(canonical(found!.data)).toEqual(spans);
    }
  });

  it('compacts loupe-v1 and loupe-v2 inputs together, a trace split across the two formats included', async () => {
    const parts = thirds();
    // The first input is an old loupe-v1 block with its search sidecar; the trace of the last two
    // is also in it.
    parts[0] = [...parts[0], parts[1][0]].sort((a, b) => Buffer.compare(a.traceId, b.traceId));
    const options = {
      tenantId: TENANT,
      traces: parts[0],
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 4096,
    };
    const blockId = '0b7a5c3e-2d1f-4e6a-9b8c-7d6e5f4a3b27';
    const v1 = blockFormatFor('loupe-v1').build({ ...options, blockId });
    const sidecar = buildSearchObjects(parts[0])!;
    await writeBlock(fresh.backend, {
      meta: { ...v1.meta, search: sidecar.meta },
      objects: [...v1.objects, ...sidecar.objects],
    });
    const inputs = [
      blockFormatFor('loupe-v1').open(fresh.backend, { ...v1.meta, search: sidecar.meta }),
      await store(parts[1], 1),
      await store(parts[2], 2),
    ];
    const built = await compactBlocks(fresh.backend, inputs, {
      blockId: '0b7a5c3e-2d1f-4e6a-9b8c-7d6e5f4a3b26',
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 4096,
      maxBytesPerTrace: 0,
    });
    await writeBlock(fresh.backend, built);
    expect(built.meta.format).toBe('loupe-v2');
    expect(built.meta.totalTraces).toBe(1500);
    const merged = V2_FORMAT.open(fresh.backend, built.meta);
    for (const traces of parts) {
      for (const trace of traces) {
        const found = await merged.findTrace(trace.traceId);
        expect(found, traceIdToHex(trace.traceId)).toBeDefined();
        // The shared trace is the same spans in every input: merged, it reads as any one of them.
        expect(canonical(found!.data)).toEqual(canonical(trace.data));
      }
    }
  });

  it('hands a copyable group over as stubs (no OTLP) and the rest rebuilt, in trace ID order', async () => {
    const [traces] = thirds();
    const reader = await store(traces, 0);
    const parquet = (await fresh.backend.read(`${TENANT}/${reader.meta.blockId}/${SIDECAR_OBJECT}`))!;
    expect(groupsOf(parquet)?.map((g) => g.ids.length)).toEqual([traces.length]);

    const stubs = await compactionRecords(fresh.backend, reader.meta, parquet, new Set([0]), 3);
    expect(stubs.map((r) => traceIdToHex(r.traceId))).toEqual(traces.map((t) => traceIdToHex(t.traceId)));
    expect(stubs.every((r) => r.data.length === 0 && r.stored?.source === 3)).toBe(true);
    expect(stubs.map((r) => r.spanCount)).toEqual(traces.map((t) => t.spanCount));

    const rebuilt = await compactionRecords(fresh.backend, reader.meta, parquet, new Set(), 3);
    expect(rebuilt.every((r) => r.stored === undefined)).toBe(true);
    expect(rebuilt.map((r) => canonical(r.data))).toEqual(traces.map((t) => canonical(t.data)));
  });

  it('rebuilds stubs from their input file when the build cannot copy their group, and refuses when the file is gone', async () => {
    const [traces] = thirds();
    const reader = await store(traces, 0);
    const parquet = (await fresh.backend.read(`${TENANT}/${reader.meta.blockId}/${SIDECAR_OBJECT}`))!;
    const stubs = await compactionRecords(fresh.backend, reader.meta, parquet, new Set([0]), 0);
    const summary = JSON.parse(
      (await fresh.backend.read(`${TENANT}/${reader.meta.blockId}/search-summary.json`))!.toString(),
    );
    const options = {
      tenantId: TENANT,
      blockId: 'x',
      traces: stubs,
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 4096,
    };
    // A summary of another format: the group is not copied, so every stub is rebuilt from its rows.
    const refused = V2_FORMAT.build(options, {
      sources: [{ parquet, summary: { ...summary, format: 'loupe-search-v1' } }],
      splitTraceIds: [],
    });
    expect(refused.meta.search?.copiedRows).toBeUndefined();
    expect(refused.meta.totalSpans).toBe(reader.meta.totalSpans);
    const refusedMeta = { ...refused.meta, blockId: '0b7a5c3e-2d1f-4e6a-9b8c-7d6e5f4a3b28' };
    await writeBlock(fresh.backend, { ...refused, meta: refusedMeta });
    const readBack = V2_FORMAT.open(fresh.backend, refusedMeta);
    for (const trace of traces.slice(0, 50)) {
      const found = await readBack.findTrace(trace.traceId);
      expect(canonical(found!.data)).toEqual(canonical(trace.data));
    }

    // A retried job whose input files were handed away: fail (and compact again), never lose.
    expect(() =>
      V2_FORMAT.build(options, { sources: [{ parquet: new Uint8Array(0), summary }], splitTraceIds: [] }),
    ).toThrow(/compact again/);
  });
});
