import type { Backend } from '../../backend/backend';
import { blockObjectKey } from '../../block-keys';
import {
  type ParquetLayout,
  parquetLayoutOf,
  readRowRangeInMemory,
} from '../../search/parquet/row-range-reader';
import { COLUMN } from '../../search/search-layout';
import { compareTraceIds } from '../../trace-id';
import type { BlockMeta, TraceRecord } from '../../types';
import { lookupColumns, tracesFromRows } from './rows-to-otlp';
import { LOCATOR_OBJECT, truncatedAt } from './trace-locator';
import { RAW_HEADER_BYTES, RAW_TRACES_OBJECT } from './v2-layout';

const EMPTY = new Uint8Array(0);

/**
 * A `loupe-v2` block's traces, in trace ID order: `V2BlockReader.traces()`, and a compaction's
 * input. Those of the row groups in `deferred` come without their OTLP (`TraceRecord.stored`:
 * the new block copies their rows); every other trace is rebuilt from its rows; raw traces come
 * whole. `parquet` is the block's whole file (undefined: it has none, every trace is raw).
 */
export async function compactionRecords(
  backend: Backend,
  meta: BlockMeta,
  parquet: Uint8Array | undefined,
  deferred: ReadonlySet<number>,
  source: number,
): Promise<TraceRecord[]> {
  const key = (name: string) => blockObjectKey(meta.tenantId, meta.blockId, name);
  const locator = await backend.read(key(LOCATOR_OBJECT));
  if (!locator) throw new Error(`block ${meta.blockId}: its trace locator is missing`);
  const out: TraceRecord[] = [];
  if (parquet) {
    const truncated = truncatedAt(locator, false);
    const layout = parquetLayoutOf(parquet);
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
  }
  const raw = await backend.read(key(RAW_TRACES_OBJECT));
  if (raw) out.push(...rawRecords(raw, truncatedAt(locator, true)));
  return out.sort((a, b) => compareTraceIds(a.traceId, b.traceId));
}

/** The raw-traces object's records, truncated where the locator says (by offset). */
function rawRecords(raw: Buffer, truncated: ReadonlySet<number>): TraceRecord[] {
  const out: TraceRecord[] = [];
  for (let at = 0; at < raw.byteLength; ) {
    const length = raw.readUInt32LE(at + 16);
    // Undecodable bytes: no span count or times to give (the block's own range stands for them).
    out.push({
      traceId: raw.subarray(at, at + 16),
      data: raw.subarray(at + RAW_HEADER_BYTES, at + RAW_HEADER_BYTES + length),
      spanCount: 0,
      startMs: 0,
      endMs: 0,
      truncated: truncated.has(at),
    });
    at += RAW_HEADER_BYTES + length;
  }
  return out;
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
