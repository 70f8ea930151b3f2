import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../../fixtures/synthetic-traces';
import { encodeSamplingNote } from '../../../otlp/sampling-note';
import { tracesDataToTempoJson } from '../../../otlp/tempo-json';
import { searchTraceFromOtlp } from '../../../search-model/otlp-to-search';
import type { LocalBackend } from '../../backend/local-backend';
import { writeBlock } from '../../block-writer';
import { SIDECAR_OBJECT } from '../../search/search-layout';
import { buildSearchObjects } from '../../search/search-sidecar';
import {
  CountingBackend,
  randomTraceId,
  seededRandom,
  tempBackend,
  wholeTraces,
} from '../../store-test-support';
import { traceIdToHex } from '../../trace-id';
import type { TraceRecord } from '../../types';
import type { BuiltBlock } from '../block-format';
import { blockFormatFor } from '../registry';
import { LOCATOR_OBJECT } from './trace-locator';
import { V2_FORMAT } from './v2-format';
import { RAW_TRACES_OBJECT } from './v2-layout';
import { V2BlockReader } from './v2-reader';

const TENANT = 'single-copy';
const BLOCK = '0b7a5c3e-2d1f-4e6a-9b8c-7d6e5f4a3b2c';

let backend: LocalBackend;
let cleanup: () => Promise<void>;
let traces: TraceRecord[];
let built: BuiltBlock;

/** A trace as the Tempo API shows it, in a canonical order: what "the same trace" means to a user. */
function canonical(data: Uint8Array): unknown {
  const json = tracesDataToTempoJson(data) as { resourceSpans: Record<string, unknown>[] };
  const spans: string[] = [];
  for (const rs of json.resourceSpans) {
    for (const ss of (rs.scopeSpans as Record<string, unknown>[]) ?? []) {
      for (const span of (ss.spans as Record<string, unknown>[]) ?? []) {
        const attributes = ((span.attributes as { key: string }[]) ?? [])
          .map((a) => JSON.stringify(a))
          .sort();
        spans.push(
          JSON.stringify({
            resource: rs.resource,
            scope: ss.scope,
            span: { ...span, attributes },
          }),
        );
      }
    }
  }
  return spans.sort();
}

beforeAll(async () => {
  ({ backend, cleanup } = await tempBackend());
  const synthetic = generateTraceRequests({
    traces: 1500,
    spansPerTrace: [1, 40],
    spansPerRequest: 300,
    seed: 11,
  });
  traces = wholeTraces(synthetic.requests).map((whole, i) => ({ ...whole.record, truncated: i % 7 === 0 }));
  // One trace kept by tail sampling (its note rides in the trace's bytes), one that is not OTLP at all.
  traces[3] = {
    ...traces[3],
    data: Buffer.concat([traces[3].data, encodeSamplingNote({ policy: 'errors', reason: 'sampled' })]),
  };
  const random = seededRandom(5);
  const junk = {
    traceId: randomTraceId(random),
    data: Buffer.from([0x0a, 0xff, 0xff]),
    spanCount: 1,
    startMs: 1,
    endMs: 2,
    truncated: true,
  };
  traces.push(junk);
  traces.sort((a, b) => Buffer.compare(a.traceId, b.traceId));
  built = V2_FORMAT.build({
    tenantId: TENANT,
    blockId: BLOCK,
    traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 256,
  });
  await writeBlock(backend, built);
}, 60_000);

afterAll(async () => {
  await cleanup();
});

describe('loupe-v2 blocks', () => {
  it('are read through the registry by their meta.json format', () => {
    expect(blockFormatFor(built.meta.format)).toBe(V2_FORMAT);
    const names = built.objects.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining([SIDECAR_OBJECT, LOCATOR_OBJECT, RAW_TRACES_OBJECT]));
    expect(names).not.toContain('data');
    expect(built.meta.search?.rows).toBe(
      traces
        .filter((t) => t.data.length > 3)
        .reduce((n, t) => n + searchTraceFromOtlp('', [t.data]).spans.length, 0),
    );
  });

  it('find every trace as the Tempo API shows it, with its truncated flag and sampling note', async () => {
    const reader = V2_FORMAT.open(backend, built.meta);
    for (const trace of traces) {
      const found = await reader.findTrace(trace.traceId);
      expect(found, traceIdToHex(trace.traceId)).toBeDefined();
      expect(found!.truncated).toBe(trace.truncated);
      if (trace.data.length === 3) {
        expect(Buffer.from(found!.data)).toEqual(Buffer.from(trace.data));
        continue;
      }
      expect(canonical(found!.data)).toEqual(canonical(trace.data));
      // Spans come back grouped under their resource and scope: the same spans, maybe reordered.
      const model = (data: Uint8Array) => {
        const trace = searchTraceFromOtlp('x', [data]);
        return { ...trace, spans: [...trace.spans].sort((a, b) => (a.spanId < b.spanId ? -1 : 1)) };
      };
      expect(model(found!.data)).toEqual(model(trace.data));
    }
  });

  it('do not find IDs they do not hold, mostly without reading past the bloom filter', async () => {
    const counting = new CountingBackend(backend);
    const reader = new V2BlockReader(counting, built.meta);
    const random = seededRandom(99);
    for (let i = 0; i < 200; i++) expect(await reader.findTrace(randomTraceId(random))).toBeUndefined();
    const parquetReads = counting.calls.filter((c) => c.key.endsWith(SIDECAR_OBJECT)).length;
    expect(parquetReads).toBeLessThan(10);
  });

  it('read a trace with a few ranged reads: bloom shard, locator, the Parquet rows', async () => {
    const counting = new CountingBackend(backend);
    const reader = V2_FORMAT.openBuilt(counting, built);
    const trace = traces[100];
    counting.calls.length = 0;
    expect(await reader.findTrace(trace.traceId)).toBeDefined();
    const reads = counting.calls.map((c) => c.key.split('/').pop());
    // Bloom shard and locator shard; the footer came from memory (a block just built here).
    expect(reads.filter((r) => r === SIDECAR_OBJECT).length).toBe(1);
    expect(reads.length).toBeLessThanOrEqual(3);
  });

  it('hand compaction every trace in trace ID order, rebuilt', async () => {
    const reader = V2_FORMAT.open(backend, built.meta);
    const out: TraceRecord[] = [];
    for await (const record of reader.traces()) out.push(record);
    expect(out.map((r) => traceIdToHex(r.traceId))).toEqual(traces.map((t) => traceIdToHex(t.traceId)));
    for (let i = 0; i < out.length; i++) {
      expect(out[i].truncated).toBe(traces[i].truncated);
      if (traces[i].data.length > 3) expect(canonical(out[i].data)).toEqual(canonical(traces[i].data));
    }
  });

  it('are smaller than the same traces as loupe-v1 pages plus a search sidecar', () => {
    const bytes = (objects: readonly { data: Uint8Array }[]) =>
      objects.reduce((n, o) => n + o.data.byteLength, 0);
    const options = {
      tenantId: TENANT,
      blockId: BLOCK,
      traces,
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 256,
    };
    const v1 = blockFormatFor('loupe-v1').build(options);
    const v1Search = buildSearchObjects(traces)!;
    expect(bytes(built.objects)).toBeLessThan(0.8 * (bytes(v1.objects) + bytes(v1Search.objects)));
  });
});
