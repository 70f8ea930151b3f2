import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { narrowingFor } from '../../search/column-needs';
import { EMPTY_ATTRIBUTES, type SearchSpan, searchTraceOf } from '../../search-model/search-trace';
import { LocalBackend } from '../backend/local-backend';
import { TARGET_ROW_GROUP_ROWS } from './search-layout';
import { SidecarReader } from './sidecar-reader';
import { planColumns, tracesFromColumns } from './sidecar-traces';
import { buildSearchSidecar } from './sidecar-writer';

/**
 * The sidecar is written row group by row group, and the first group decides which keys get a
 * column: a key that changes type later, or first appears later, must still read back, and must
 * not be narrowed by its column alone.
 */
const dir = mkdtempSync(join(tmpdir(), 'loupe-sidecar-streaming-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function trace(i: number, attributes: Map<string, string | number>) {
  const span: SearchSpan = {
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'op',
    serviceName: 'svc',
    kind: 2,
    statusCode: 0,
    statusMessage: '',
    startUnixNano: BigInt(1_700_000_000_000_000_000 - i * 1_000_000),
    durationNanos: 1000,
    attributes,
    resource: EMPTY_ATTRIBUTES,
    events: [],
    links: [],
  };
  return searchTraceOf(i.toString(16).padStart(32, '0'), [span]);
}

describe('a sidecar written group by group', () => {
  // The first group (TARGET_ROW_GROUP_ROWS one-span traces) has `k` as an int; later groups
  // have it as a string, and a key `late` the first group never saw.
  const count = TARGET_ROW_GROUP_ROWS * 2 + 10;
  const traces = Array.from({ length: count }, (_, i) =>
    trace(
      i,
      i < TARGET_ROW_GROUP_ROWS
        ? new Map([['k', i]])
        : new Map<string, string | number>([
            ['k', `s${i}`],
            ['late', i],
          ]),
    ),
  );
  const built = buildSearchSidecar(traces)!;

  it("keeps the first group's column for k, and says some of its values are in the JSON column", () => {
    expect(built.summary.rowGroups.length).toBeGreaterThanOrEqual(3);
    expect(built.summary.attributes.span.k).toMatchObject({
      column: 'span.k',
      alsoInJson: true,
      type: 'mixed',
    });
    expect(built.summary.attributes.span.late.column).toBeUndefined();
  });

  it('reads every value back, wherever it was written', async () => {
    const backend = new LocalBackend(dir);
    await backend.write('t/b/search.parquet', built.parquet);
    const reader = new SidecarReader(backend, 't', 'b', built.parquet.byteLength, built.summary);
    const summary = await reader.summary();
    const plan = planColumns(
      {
        spanKeys: new Set(['k', 'late']),
        resourceKeys: new Set(),
        statusMessage: false,
        events: false,
        links: false,
      },
      summary,
    );
    const back = [];
    for (const group of summary.groups) {
      const columns = await reader.readColumns(plan.columns, group.rowStart, group.rowStart + group.rows);
      back.push(...tracesFromColumns(columns, group.rows, plan));
    }
    expect(back.map((t) => t.traceId)).toEqual(traces.map((t) => t.traceId));
    expect(back.map((t) => Object.fromEntries(t.spans[0].attributes))).toEqual(
      traces.map((t) => Object.fromEntries(t.spans[0].attributes)),
    );
  });

  it("does not narrow by a column that misses some of its key's values", () => {
    const prefilter = {
      kind: 'span' as const,
      field: { scope: 'span' as const, name: 'k' },
      op: '=' as const,
      value: 's20000',
    };
    expect(narrowingFor(prefilter, built.summary)).toBeUndefined();
  });
});
