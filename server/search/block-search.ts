import type { SearchQuery } from '../search-model/search-query';
import type { SearchTrace } from '../search-model/search-trace';
import type { BlockEntry } from '../store/blocklist';
import { COLUMN } from '../store/search/search-layout';
import type { LoadedRowGroup } from '../store/search/search-summary';
import type { LoadedSummary, SidecarReader } from '../store/search/sidecar-reader';
import { type ColumnNeeds, planColumns, tracesFromColumns } from '../store/search/sidecar-traces';
import { narrowingFor } from './column-needs';

/** Counters a search reports in Tempo's `metrics`. */
export interface SearchStats {
  inspectedTraces: number;
  inspectedSpans: number;
  bytesRead: number;
  inspectedBlocks: Set<string>;
}

/** Past this share of a row group's rows, reading the whole group is cheaper than narrowing. */
const NARROW_MAX_SHARE = 0.25;
/** Past this many separate trace ranges, one read of the whole span is cheaper than many. */
const NARROW_MAX_RANGES = 32;

/** One row group of one block's sidecar, as the newest-first walk visits it. */
export interface RowGroupUnit {
  entry: BlockEntry;
  reader: SidecarReader;
  summary: LoadedSummary;
  group: LoadedRowGroup;
}

/** Rows per slice when a whole row group is read: a newest-first search often stops after the first. */
const SLICE_ROWS = 2_048;

/**
 * The traces of a row group a query may match, in slices, newest trace start first (the order
 * the group stores them in), so a search that has its newest `limit` matches stops reading.
 * When one column can pick candidate rows (see `narrowingFor`), that column and the trace IDs
 * are read first and only the traces holding a candidate are materialized.
 */
export async function* rowGroupTraces(
  unit: RowGroupUnit,
  query: SearchQuery,
  needs: ColumnNeeds,
  stats: SearchStats,
): AsyncGenerator<SearchTrace[]> {
  const { reader, summary, group } = unit;
  stats.inspectedBlocks.add(unit.entry.meta.blockId);
  const plan = planColumns(needs, summary);
  const start = group.rowStart;
  const end = group.rowStart + group.rows;
  const narrowing = narrowingFor(query.prefilter, summary);
  const probeColumns = narrowing ? [narrowing.column, COLUMN.traceId] : [COLUMN.traceId];
  const probe = await reader.readColumns(probeColumns, start, end, stats);
  const traceIds = probe.get(COLUMN.traceId) as ArrayLike<string> | undefined;
  if (!traceIds) return;
  let ranges: [number, number][];
  const values = narrowing ? probe.get(narrowing.column) : undefined;
  const candidates = values
    ? traceRanges(traceIds, group.rows, (row) => narrowing!.matches(values[row]))
    : undefined;
  if (
    candidates &&
    candidates.reduce((sum, [from, to]) => sum + to - from, 0) <= group.rows * NARROW_MAX_SHARE
  ) {
    if (candidates.length === 0) return;
    const joined = slices(candidates, Number.POSITIVE_INFINITY);
    ranges = joined.length > NARROW_MAX_RANGES ? [[joined[0][0], joined[joined.length - 1][1]]] : joined;
  } else {
    ranges = slices(
      traceRanges(traceIds, group.rows, () => true),
      SLICE_ROWS,
    );
  }
  for (const [from, to] of ranges) {
    const columns = await reader.readColumns(plan.columns, start + from, start + to, stats);
    yield count(tracesFromColumns(columns, to - from, plan), stats);
  }
}

/** Adjacent trace ranges joined, into slices of at most `maxRows` rows (a bigger trace stays whole). */
function slices(traces: [number, number][], maxRows: number): [number, number][] {
  const out: [number, number][] = [];
  for (const [from, to] of traces) {
    const last = out[out.length - 1];
    if (last && last[1] === from && to - last[0] <= maxRows) last[1] = to;
    else out.push([from, to]);
  }
  return out;
}

function count(traces: SearchTrace[], stats: SearchStats): SearchTrace[] {
  stats.inspectedTraces += traces.length;
  for (const trace of traces) stats.inspectedSpans += trace.spans.length;
  return traces;
}

/** The [from, to) row range (relative to the group) of each trace holding a row that `matches`. */
function traceRanges(
  traceIds: ArrayLike<string>,
  rows: number,
  matches: (row: number) => boolean,
): [number, number][] {
  const ranges: [number, number][] = [];
  let row = 0;
  while (row < rows) {
    let to = row + 1;
    while (to < rows && traceIds[to] === traceIds[row]) to++;
    for (let r = row; r < to; r++) {
      if (matches(r)) {
        ranges.push([row, to]);
        break;
      }
    }
    row = to;
  }
  return ranges;
}
