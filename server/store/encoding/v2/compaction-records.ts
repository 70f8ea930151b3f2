import type { Backend } from '../../backend/backend';
import { blockObjectKey } from '../../block-keys';
import { readSourceFile } from '../../search/parquet/parquet-source';
import {
  type ParquetLayout,
  parquetLayoutOf,
  readRowRangeInMemory,
} from '../../search/parquet/row-range-reader';
import { COLUMN } from '../../search/search-layout';
import { groupTraceIds } from '../../search/sidecar-merge';
import { compareTraceIds } from '../../trace-id';
import type { BlockMeta, TraceRecord } from '../../types';
import { lookupColumns, tracesFromRows } from './rows-to-otlp';
import { LOCATOR_OBJECT, locatorEntries } from './trace-locator';

const EMPTY = new Uint8Array(0);

/** A row group of a `loupe-v2` file: its rows and its traces' hex IDs in row order. */
export interface GroupTraces {
  rows: number;
  ids: string[];
}

/** The row groups of a `loupe-v2` block's Parquet file (held whole), or undefined when it does not read as one. */
export function groupsOf(parquet: Uint8Array): GroupTraces[] | undefined {
  try {
    const groups: GroupTraces[] = [];
    for (const group of readSourceFile(parquet).rowGroups) {
      const ids = groupTraceIds(group);
      if (!ids) return undefined;
      groups.push({ rows: group.rows, ids });
    }
    return groups;
  } catch {
    return undefined;
  }
}

/**
 * A `loupe-v2` input's traces for a compaction, in trace ID order. Those of the row groups in
 * `deferred` come without their OTLP (`TraceRecord.stored`: the new block copies their rows);
 * every other trace is rebuilt from its rows, as `V2BlockReader.traces()` does. Only for a block
 * without raw traces (`meta.search.unsearchableTraces`): the caller reads those whole.
 */
export async function compactionRecords(
  backend: Backend,
  meta: BlockMeta,
  parquet: Uint8Array,
  deferred: ReadonlySet<number>,
  source: number,
): Promise<TraceRecord[]> {
  const locator = await backend.read(blockObjectKey(meta.tenantId, meta.blockId, LOCATOR_OBJECT));
  if (!locator) throw new Error(`block ${meta.blockId}: its trace locator is missing`);
  const truncated = new Set<number>();
  for (const entry of locatorEntries(locator))
    if (entry.truncated && !entry.raw) truncated.add(entry.firstRow);
  const layout = parquetLayoutOf(parquet);
  const out: TraceRecord[] = [];
  let base = 0;
  for (let group = 0; group < layout.rowGroups.length; group++) {
    const rows = layout.rowGroups[group].rows;
    if (deferred.has(group)) out.push(...stubs(layout, parquet, group, base, truncated, source));
    else {
      const values = readRowRangeInMemory(layout, parquet, group, 0, rows, lookupColumns(layout));
      let row = base;
      for (const record of tracesFromRows(values, rows)) {
        record.truncated = truncated.has(row);
        row += record.spanCount;
        out.push(record);
      }
    }
    base += rows;
  }
  return out.sort((a, b) => compareTraceIds(a.traceId, b.traceId));
}

/** The traces of one group as stubs: ID, rows, times and truncation, from the trace-level columns. */
function stubs(
  layout: ParquetLayout,
  parquet: Uint8Array,
  group: number,
  base: number,
  truncated: ReadonlySet<number>,
  source: number,
): TraceRecord[] {
  const rows = layout.rowGroups[group].rows;
  const values = readRowRangeInMemory(layout, parquet, group, 0, rows, [
    COLUMN.traceId,
    COLUMN.traceStart,
    COLUMN.traceDuration,
  ]);
  const ids = values.get(COLUMN.traceId) as Uint8Array[];
  const starts = values.get(COLUMN.traceStart) as bigint[];
  const durations = values.get(COLUMN.traceDuration) as bigint[];
  const out: TraceRecord[] = [];
  for (let row = 0; row < rows; ) {
    let end = row + 1;
    while (end < rows && Buffer.compare(ids[end], ids[row]) === 0) end++;
    const startNs = Number(starts[row]);
    out.push({
      traceId: new Uint8Array(ids[row]),
      data: EMPTY,
      spanCount: end - row,
      startMs: startNs / 1e6,
      endMs: (startNs + Number(durations[row])) / 1e6,
      truncated: truncated.has(base + row),
      stored: { source, group, row, rows: end - row },
    });
    row = end;
  }
  return out;
}

/** Layouts of the sources a build worker rebuilds stubs from, parsed once per build. */
const rebuildLayouts = new WeakMap<Uint8Array, ParquetLayout>();

/**
 * The OTLP of a stub the build did not copy after all (its group was refused), rebuilt from its
 * rows in the source file. Throws when the source is gone (a job retried after a worker crash
 * has had its sources moved away): the compaction fails and is retried with fresh reads.
 */
export function rebuildStub(record: TraceRecord, sources: readonly { parquet: Uint8Array }[]): TraceRecord {
  const stored = record.stored;
  if (!stored) return record;
  const parquet = sources[stored.source]?.parquet;
  if (!parquet || parquet.byteLength === 0)
    throw new Error("a copied trace's input file is no longer here (a retried build): compact again");
  let layout = rebuildLayouts.get(parquet);
  if (!layout) {
    layout = parquetLayoutOf(parquet);
    rebuildLayouts.set(parquet, layout);
  }
  const values = readRowRangeInMemory(
    layout,
    parquet,
    stored.group,
    stored.row,
    stored.rows,
    lookupColumns(layout),
  );
  const [rebuilt] = tracesFromRows(values, stored.rows);
  if (!rebuilt || compareTraceIds(rebuilt.traceId, record.traceId) !== 0)
    throw new Error("a copied trace's rows do not hold it: compact again");
  return { ...rebuilt, truncated: record.truncated };
}
