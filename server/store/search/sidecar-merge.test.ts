import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetHeader } from 'hyparquet/src/column.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../fixtures/synthetic-traces';
import { encodeExportTraceServiceRequest } from '../../otlp/otlp-traces-encoder';
import type { OtlpValue } from '../../otlp/otlp-traces-model';
import type { SearchTrace } from '../../search-model/search-trace';
import { LocalBackend } from '../backend/local-backend';
import { blockObjectKey } from '../block-keys';
import { mergeSortedRecords } from '../compaction/merge-traces';
import { wholeTraces } from '../store-test-support';
import { traceIdToHex } from '../trace-id';
import type { TraceRecord } from '../types';
import { readSourceFile } from './parquet/parquet-source';
import { SIDECAR_OBJECT, SUMMARY_OBJECT } from './search-layout';
import { buildSearchObjects } from './search-sidecar';
import type { SearchSummary } from './search-summary';
import { MIN_COPIED_ROW_GROUP_ROWS, planSidecarCopy, type SidecarSource } from './sidecar-merge';
import { SidecarReader } from './sidecar-reader';
import { ALL_COLUMNS, type ColumnNeeds, planColumns, tracesFromColumns } from './sidecar-traces';

/**
 * A compacted block's search sidecar copies its inputs' row groups instead of rebuilding them:
 * whatever was copied and whatever rebuilt, it must read back exactly as a sidecar built from
 * scratch over the same merged traces, with every trace once and whole.
 */

const TENANT = 'merge';

let dir: string;
let backend: LocalBackend;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-sidecar-merge-'));
  backend = new LocalBackend(dir);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function built(records: readonly TraceRecord[], reuse?: Parameters<typeof buildSearchObjects>[1]) {
  const objects = buildSearchObjects(records, reuse);
  if (!objects) throw new Error('no sidecar built');
  const object = (name: string) => objects.objects.find((o) => o.name === name)!.data;
  const summary = JSON.parse(Buffer.from(object(SUMMARY_OBJECT)).toString('utf8')) as SearchSummary;
  return { objects, source: { parquet: object(SIDECAR_OBJECT), summary } satisfies SidecarSource };
}

function readerOf(blockId: string, objects: ReturnType<typeof built>['objects']): SidecarReader {
  return new SidecarReader(backend, TENANT, blockId, objects.meta.parquetBytes);
}

/** Every trace of a sidecar, read back through the reader searches use, by trace ID; each ID once. */
async function readBack(blockId: string, objects: ReturnType<typeof built>['objects'], needs = ALL_COLUMNS) {
  for (const object of objects.objects)
    await backend.write(blockObjectKey(TENANT, blockId, object.name), object.data);
  const reader = readerOf(blockId, objects);
  const summary = await reader.summary();
  const traces = new Map<string, SearchTrace>();
  for (const group of summary.groups) {
    const plan = planColumns(needs, summary);
    const values = await reader.readColumns(plan.columns, group.rowStart, group.rowStart + group.rows);
    const read = tracesFromColumns(values, group.rows, plan);
    expect(read, `group at row ${group.rowStart}`).toHaveLength(group.traces);
    for (const trace of read) {
      expect(traces.has(trace.traceId), `${trace.traceId} in two row groups`).toBe(false);
      traces.set(trace.traceId, trace);
    }
  }
  return { summary, traces };
}

/** A key summary's values as a sorted list, so two summaries compare whatever order they were merged in. */
function normalized(summary: SearchSummary) {
  const sortValues = (values: unknown[] | null) => (values ? [...values].map(String).sort() : null);
  const attributes = Object.fromEntries(
    Object.entries(summary.attributes).map(([scope, keys]) => [
      scope,
      Object.fromEntries(
        Object.entries(keys).map(([key, k]) => [key, { type: k.type, values: sortValues(k.values) }]),
      ),
    ]),
  );
  return {
    rows: summary.rows,
    traces: summary.traces,
    attributes,
    names: sortValues(summary.names.values),
    services: sortValues(summary.services.values),
    eventNames: sortValues(summary.eventNames?.values ?? null),
  };
}

describe('merged search sidecar', () => {
  const all = wholeTraces(
    generateTraceRequests({ traces: 3600, spansPerTrace: [4, 16], spansPerRequest: 200, seed: 11 }).requests,
  ).map((trace) => trace.record);
  // Input A: two thirds of the traces (two row groups: the newest 16,384 rows, then the rest);
  // input B: the other third. The 40 newest traces of A are also in B (flushed twice): split.
  const a = all.filter((_, i) => i % 3 !== 0);
  const newestOfA = [...a].sort((x, y) => y.startMs - x.startMs).slice(0, 40);
  const b = [...all.filter((_, i) => i % 3 === 0), ...newestOfA].sort((x, y) =>
    Buffer.compare(x.traceId, y.traceId),
  );
  const split: Uint8Array[] = [];
  const merged = mergeSortedRecords([a, b], 0, split);
  const inputA = built(a);
  const inputB = built(b);

  it('copies the groups holding no split trace and reads back as a sidecar built from scratch', async () => {
    expect(split).toHaveLength(40);
    expect(inputA.source.summary.rowGroups.map((g) => g.rows >= MIN_COPIED_ROW_GROUP_ROWS)).toEqual([
      true,
      true,
    ]);
    const plan = planSidecarCopy([inputA.source, inputB.source], new Set(split.map(traceIdToHex)))!;
    // A's older group is copied; its newest one (the split traces) and B (holding them too) are not.
    const copiedGroup = inputA.source.summary.rowGroups[1];
    expect(plan.groups.map((g) => g.summary)).toEqual([copiedGroup]);
    expect(plan.traceIds.size).toBe(copiedGroup.traces);
    for (const id of split) expect(plan.traceIds.has(traceIdToHex(id))).toBe(false);

    const copied = built(merged, { sources: [inputA.source, inputB.source], splitTraceIds: split });
    const scratch = built(merged);
    const fromCopy = await readBack('copied', copied.objects);
    const fromScratch = await readBack('scratch', scratch.objects);
    expect(fromCopy.traces.size).toBe(merged.length);
    expect(fromCopy.traces).toEqual(fromScratch.traces);
    expect(normalized(fromCopy.summary)).toEqual(normalized(fromScratch.summary));
    // The copied group is the file's first, the same rows and bloom as in A, now at row 0 and
    // another byte offset: a range inside it reads through its moved offset index.
    expect(fromCopy.summary.rowGroups[0]).toEqual({ ...copiedGroup, rowStart: 0 });
    const columns = ['span_id', 'name', 'start_unix_nano', 'span.http.route'];
    await readBack('a', inputA.objects);
    const inA = await readerOf('a', inputA.objects).readColumns(
      columns,
      copiedGroup.rowStart + 2000,
      copiedGroup.rowStart + 2100,
    );
    const inCopy = await readerOf('copied', copied.objects).readColumns(columns, 2000, 2100);
    expect(inCopy).toEqual(inA);
    // Every page the moved offset indexes name starts a data page of the stated size.
    const file = readSourceFile(copied.source.parquet);
    let pages = 0;
    for (const group of file.rowGroups) {
      for (const chunk of group.chunks.values()) {
        for (const page of chunk.pages) {
          const reader = {
            view: new DataView(chunk.file.buffer, chunk.file.byteOffset + page.offset),
            offset: 0,
          };
          const header = parquetHeader(reader);
          expect(header.type).toBe('DATA_PAGE_V2');
          expect(reader.offset + header.compressed_page_size).toBe(page.size);
          pages++;
        }
      }
    }
    expect(pages).toBeGreaterThan(file.rowGroups.length * 20);
    // Split traces come back whole: every span of both parts, once.
    for (const id of split) {
      const key = traceIdToHex(id);
      expect(fromCopy.traces.get(key)?.spans.length).toBe(fromScratch.traces.get(key)?.spans.length);
    }
    expect(copied.objects.meta.rows).toBe(scratch.objects.meta.rows);
  });

  it('copies nothing from inputs whose groups are small: they are rebuilt into full groups', () => {
    const small = built(a.slice(0, 200));
    expect(small.source.summary.rowGroups[0].rows).toBeLessThan(MIN_COPIED_ROW_GROUP_ROWS);
    expect(planSidecarCopy([small.source], new Set())).toBeUndefined();
  });

  it('copies nothing from a sidecar in another format, or one that does not parse', () => {
    const old = { ...inputA.source, summary: { ...inputA.source.summary, format: 'loupe-search-v1' } };
    expect(planSidecarCopy([old], new Set())).toBeUndefined();
    const broken = { ...inputA.source, parquet: inputA.source.parquet.subarray(0, 1000) };
    expect(planSidecarCopy([broken], new Set())).toBeUndefined();
    // A page header damaged where the offset index points: the file is not copied into a new one.
    const damaged = Uint8Array.from(inputA.source.parquet);
    const page = readSourceFile(damaged).rowGroups[1].chunks.get('name')!.pages[0];
    damaged.fill(0xff, page.offset, page.offset + 4);
    expect(() => readSourceFile(damaged)).toThrow(/cannot be copied/);
    expect(planSidecarCopy([{ ...inputA.source, parquet: damaged }], new Set())).toBeUndefined();
    // As a job retried after a worker crash has it: its sidecars were handed to the first worker.
    const handedOver = { ...inputA.source, parquet: new Uint8Array(0) };
    expect(planSidecarCopy([handedOver], new Set())).toBeUndefined();
  });

  it('keeps a key in both its column and the JSON column when one input had it only in JSON', async () => {
    // `tier` is a string in every span of C (its own column there) and mixes strings and ints in
    // D (so D keeps it in span_attributes_other): both copied, the merged file has its column.
    const c = tieredTraces(0, () => ({ string: 'gold' }));
    const d = tieredTraces(1, (span) => (span % 2 === 0 ? { string: 'silver' } : { int: 7n }));
    const inputs = [built(c), built(d)];
    expect(inputs[0].source.summary.attributes.span.tier.column).toBe('span.tier');
    expect(inputs[1].source.summary.attributes.span.tier.column).toBeUndefined();
    const records = mergeSortedRecords([c, d], 0);
    const merged = built(records, { sources: inputs.map((i) => i.source), splitTraceIds: [] });
    expect(
      planSidecarCopy(
        inputs.map((i) => i.source),
        new Set(),
      )?.groups,
    ).toHaveLength(2);
    // Copied groups come newest first, whatever the inputs' order: D's (a minute later) first.
    expect(merged.source.summary.rowGroups.map((g) => g.maxTraceStartMs)).toEqual(
      [inputs[1], inputs[0]].map((i) => i.source.summary.rowGroups[0].maxTraceStartMs),
    );
    const tier = merged.source.summary.attributes.span.tier;
    expect(tier).toMatchObject({ column: 'span.tier', alsoInJson: true, type: 'mixed' });
    // A search naming only `tier` finds it on every span, whichever input the span came from.
    const needs: ColumnNeeds = { ...ALL_COLUMNS, spanKeys: new Set(['tier']), resourceKeys: new Set() };
    const { traces } = await readBack('tiered', merged.objects, needs);
    expect(traces.size).toBe(records.length);
    const values = new Set<unknown>();
    for (const trace of traces.values()) {
      for (const span of trace.spans) {
        expect(span.attributes.has('tier'), trace.traceId).toBe(true);
        values.add(span.attributes.get('tier'));
      }
    }
    expect(values).toEqual(new Set(['gold', 'silver', 7]));
    // Plain Parquet still: DuckDB reads the copied groups, and the one whose `span.tier` chunk was
    // written as all nulls (D's), as they are.
    const duck = await DuckDBInstance.create(':memory:');
    const sql = await duck.connect();
    try {
      const path = join(dir, 'tiered.parquet');
      await writeFile(path, merged.source.parquet);
      const reader = await sql.runAndReadAll(
        `SELECT count(*)::INTEGER AS spans, count(DISTINCT trace_id)::INTEGER AS traces,
                count("span.tier")::INTEGER AS gold FROM read_parquet('${path}')`,
      );
      expect(reader.getRowObjects()).toEqual([{ spans: 10_000, traces: 1000, gold: 5000 }]);
    } finally {
      sql.closeSync();
      duck.closeSync();
    }
  });

  it('never copies one trace twice: a trace in two inputs is rebuilt even when not reported split', () => {
    const plan = planSidecarCopy([inputA.source, inputA.source], new Set());
    expect(plan).toBeUndefined();
  });
});

/** 500 traces of 10 spans (a group of 5,000 rows: copied), each span's `tier` from `tier(span)`. */
function tieredTraces(seed: number, tier: (span: number) => OtlpValue): TraceRecord[] {
  const spans = [];
  for (let t = 0; t < 500; t++) {
    const traceId = `${(seed + 1).toString(16).padStart(2, '0')}${t.toString(16).padStart(30, '0')}`;
    for (let s = 0; s < 10; s++) {
      // Each seed's traces a minute after the previous seed's.
      const start =
        BigInt(Date.UTC(2026, 0, 1) + seed * 60_000) * 1_000_000n + BigInt(t * 1_000_000 + s * 1000);
      spans.push({
        traceId,
        spanId: (s + 1).toString(16).padStart(16, '0'),
        parentSpanId: s === 0 ? '' : '1'.padStart(16, '0'),
        traceState: '',
        name: `op-${s}`,
        kind: 2,
        startTimeUnixNano: start,
        endTimeUnixNano: start + 500n,
        attributes: [{ key: 'tier', value: tier(s) }],
        events: [],
        links: [],
        status: { code: 0, message: '' },
      });
    }
  }
  const request = encodeExportTraceServiceRequest([
    {
      resource: [{ key: 'service.name', value: { string: `svc-${seed}` } }],
      scopeSpans: [{ scope: { name: 'test', version: '1' }, spans }],
    },
  ]);
  return wholeTraces([request]).map((trace) => trace.record);
}
