import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../fixtures/synthetic-traces';
import { searchTraceFromOtlp } from '../../search-model/otlp-to-search';
import type { SearchTrace } from '../../search-model/search-trace';
import { LocalBackend } from '../backend/local-backend';
import { blockObjectKey } from '../block-keys';
import { wholeTraces } from '../store-test-support';
import type { TraceRecord } from '../types';
import { COLUMN, TARGET_ROW_GROUP_ROWS } from './search-layout';
import { buildSearchObjects } from './search-sidecar';
import { SidecarReader } from './sidecar-reader';
import { ALL_COLUMNS, planColumns, tracesFromColumns } from './sidecar-traces';

/**
 * Realistic OTLP (the synthetic generator: resources, typed attributes, exception events, links)
 * → search traces → `search.parquet` + summary on a LocalBackend → read back: every trace must
 * come back equal to its OTLP decoding, in row groups of whole traces, newest first.
 * Attribute types, column caps and mixed keys: sidecar-attributes.test.ts.
 */

const TENANT = 'round-trip';
const BLOCK = 'block-1';

/** The block's trace records (parts concatenated, as a block holds them) and each trace's expected search view. */
function tracesOf(requests: Buffer[]): { records: TraceRecord[]; expected: Map<string, SearchTrace> } {
  const whole = wholeTraces(requests);
  return {
    records: whole.map((trace) => trace.record),
    expected: new Map(whole.map(({ key, parts }) => [key, searchTraceFromOtlp(key, parts)])),
  };
}

let dir: string;
let reader: SidecarReader;
let expected: Map<string, SearchTrace>;
let readBack: SearchTrace[];
let parquet: Uint8Array;

beforeAll(async () => {
  const synthetic = generateTraceRequests({
    traces: 2500,
    spansPerTrace: [4, 16],
    spansPerRequest: 200,
    seed: 7,
  });
  const built = tracesOf(synthetic.requests);
  expected = built.expected;
  const objects = buildSearchObjects(built.records);
  if (!objects) throw new Error('no sidecar built');
  dir = await mkdtemp(join(tmpdir(), 'loupe-sidecar-'));
  const backend = new LocalBackend(dir);
  for (const object of objects.objects)
    await backend.write(blockObjectKey(TENANT, BLOCK, object.name), object.data);
  parquet = objects.objects.find((o) => o.name === 'search.parquet')!.data;
  // No summary handed over: the reader loads search-summary.json from the backend, as after a restart.
  reader = new SidecarReader(backend, TENANT, BLOCK, objects.meta.parquetBytes);
  const summary = await reader.summary();
  const plan = planColumns(ALL_COLUMNS, summary);
  readBack = tracesFromColumns(await reader.readColumns(plan.columns, 0, summary.rows), summary.rows, plan);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('search sidecar round trip', () => {
  it('gives back every trace, equal to its OTLP decoding', () => {
    expect(readBack).toHaveLength(expected.size);
    for (const trace of readBack) expect(trace, trace.traceId).toEqual(expected.get(trace.traceId));
  });

  it('cuts row groups at trace boundaries, newest trace start first, as the Parquet footer says', async () => {
    const summary = await reader.summary();
    expect(summary.rows).toBe([...expected.values()].reduce((n, t) => n + t.spans.length, 0));
    expect(summary.groups.length).toBeGreaterThanOrEqual(2);
    const footer = parquetMetadata(
      parquet.buffer.slice(parquet.byteOffset, parquet.byteOffset + parquet.byteLength) as ArrayBuffer,
    );
    expect(footer.row_groups.map((g) => Number(g.num_rows))).toEqual(summary.groups.map((g) => g.rows));
    const columns = await reader.readColumns([COLUMN.traceId, COLUMN.traceStart], 0, summary.rows);
    const ids = columns.get(COLUMN.traceId) as string[];
    const starts = columns.get(COLUMN.traceStart) as bigint[];
    for (let row = 1; row < summary.rows; row++)
      expect(starts[row] <= starts[row - 1], `row ${row}`).toBe(true);
    let previousMin = Number.POSITIVE_INFINITY;
    const seen = new Set<string>();
    for (const group of summary.groups) {
      expect(group.rows).toBeGreaterThanOrEqual(group === summary.groups.at(-1) ? 1 : TARGET_ROW_GROUP_ROWS);
      if (group.rowStart > 0) expect(ids[group.rowStart]).not.toBe(ids[group.rowStart - 1]);
      expect(group.maxTraceStartMs).toBeLessThanOrEqual(previousMin);
      previousMin = group.minTraceStartMs;
      // Each group read alone yields whole traces, none of them seen in another group.
      const plan = planColumns(ALL_COLUMNS, summary);
      const traces = tracesFromColumns(
        await reader.readColumns(plan.columns, group.rowStart, group.rowStart + group.rows),
        group.rows,
        plan,
      );
      expect(traces).toHaveLength(group.traces);
      for (const trace of traces) {
        expect(seen.has(trace.traceId)).toBe(false);
        seen.add(trace.traceId);
        expect(trace).toEqual(expected.get(trace.traceId));
      }
    }
    expect(seen.size).toBe(expected.size);
    const newest = [...expected.values()].reduce((a, b) => (b.startUnixNano > a.startUnixNano ? b : a));
    expect(readBack[0].traceId).toBe(newest.traceId);
  });
});
