import type { AttributeValue } from '../../search-model/search-trace';
import { readSourceFile, type SourceFile, type SourceRowGroup } from './parquet/parquet-source';
import { attributeColumn, COLUMN, TARGET_ROW_GROUP_ROWS } from './search-layout';
import {
  type AttributeScope,
  type KeySummary,
  type RowGroupSummary,
  SEARCH_SUMMARY_FORMAT,
  type SearchSummary,
  type ValueSet,
} from './search-summary';
import { addDistinct, SidecarColumns, type SidecarTrace } from './sidecar-columns';
import {
  type BuiltSidecar,
  builtSummary,
  type ColumnType,
  type Dedicated,
  FIXED_COLUMNS,
  STORED_COLUMNS,
  sidecarFileWriter,
  writeTraceGroups,
} from './sidecar-writer';

/**
 * A compaction input's search sidecar, as the merged block's sidecar reuses it: its Parquet
 * bytes and its summary (without the decoded blooms a reader keeps beside it).
 */
export interface SidecarSource {
  parquet: Uint8Array;
  summary: SearchSummary;
}

/** What a compaction hands the block build so the search data is copied, not rebuilt. */
export interface SearchReuse {
  sources: SidecarSource[];
  /** IDs (16 bytes each) of traces found in more than one input: combined, so rebuilt. */
  splitTraceIds: readonly Uint8Array[];
}

/**
 * Row groups this big or bigger are copied as they are; smaller ones are rebuilt together, so
 * blocks compacted from many small ones end up with full groups (few footers, blooms and pages,
 * better compression) instead of thousands of tiny ones.
 */
export const MIN_COPIED_ROW_GROUP_ROWS = TARGET_ROW_GROUP_ROWS / 8;

/** Dedicated columns a merged sidecar may hold: twice a built one's, so a few inputs' sets fit. */
const MAX_MERGED_DEDICATED = 2 * (64 + 32);

interface CopiedGroup {
  source: SourceRowGroup;
  summary: RowGroupSummary;
}

/** The row groups a merged sidecar copies, its columns, and the traces they hold. */
export interface CopyPlan {
  dedicated: Dedicated[];
  groups: CopiedGroup[];
  /** Summaries of the sources that gave at least one group. */
  summaries: SearchSummary[];
  /** Hex IDs of the traces in the copied groups: every other trace of the block is rebuilt. */
  traceIds: Set<string>;
}

/**
 * Which row groups of `sources` the merged sidecar can copy: those of a source in the current
 * format and layout, at least `MIN_COPIED_ROW_GROUP_ROWS` rows, holding no trace that is split
 * across inputs (its rows there are only a part of it), whose dedicated columns agree in type
 * with the other copied sources'. Undefined when none can.
 */
export function planSidecarCopy(
  sources: readonly SidecarSource[],
  split: ReadonlySet<string>,
  stored = false,
): CopyPlan | undefined {
  const candidates: { sourceIndex: number; group: CopiedGroup; traceIds: string[] }[] = [];
  const files: (LaidOutFile | undefined)[] = sources.map((source) => {
    if (source.summary.format !== SEARCH_SUMMARY_FORMAT) return undefined;
    if (!source.summary.rowGroups.some((group) => group.rows >= MIN_COPIED_ROW_GROUP_ROWS)) return undefined;
    try {
      const file = readSourceFile(source.parquet);
      const dedicated = dedicatedColumnsOf(file, stored);
      return dedicated ? { ...file, dedicated } : undefined;
    } catch {
      return undefined; // unreadable here: its traces are rebuilt from the block's pages
    }
  });
  const seen = new Map<string, number>();
  files.forEach((file, sourceIndex) => {
    if (!file) return;
    const summaries = sources[sourceIndex].summary.rowGroups;
    file.rowGroups.forEach((source, g) => {
      const summary = summaries[g];
      if (!summary || summary.rows !== source.rows || source.rows < MIN_COPIED_ROW_GROUP_ROWS) return;
      const traceIds = groupTraceIds(source);
      if (!traceIds || traceIds.length !== summary.traces) return;
      for (const id of traceIds) seen.set(id, (seen.get(id) ?? 0) + 1);
      candidates.push({ sourceIndex, group: { source, summary }, traceIds });
    });
  });
  const dedicated = new Map<string, Dedicated>();
  const plan: CopyPlan = { dedicated: [], groups: [], summaries: [], traceIds: new Set() };
  const given = new Set<number>();
  const refused = new Set<number>();
  for (const { sourceIndex, group, traceIds } of candidates) {
    if (refused.has(sourceIndex)) continue;
    if (traceIds.some((id) => split.has(id) || seen.get(id) !== 1)) continue;
    if (!given.has(sourceIndex)) {
      // A source's columns join the merged schema with its first copied group, or not at all.
      const added = addDedicated(dedicated, files[sourceIndex]!.dedicated);
      if (!added) {
        refused.add(sourceIndex);
        continue;
      }
      given.add(sourceIndex);
      plan.summaries.push(sources[sourceIndex].summary);
    }
    plan.groups.push(group);
    for (const id of traceIds) plan.traceIds.add(id);
  }
  if (plan.groups.length === 0) return undefined;
  // Newest first, as a built file's groups are: what reads groups in file order (tag values past
  // the summary's cap) still meets the newest first.
  plan.groups.sort((a, b) => b.summary.maxTraceStartMs - a.summary.maxTraceStartMs);
  plan.dedicated = [...dedicated.values()];
  return plan;
}

/**
 * The merged sidecar: the planned groups copied, then `rebuilt` (newest first: every trace of
 * the block not in a copied group) written as new groups with the merged columns. Its summary is
 * the copied sources' merged with the rebuilt rows' own.
 */
export function writeMergedSidecar(
  plan: CopyPlan,
  rebuilt: Iterable<SidecarTrace>,
  stored = false,
): BuiltSidecar & { copiedRows: number } {
  const writer = sidecarFileWriter(plan.dedicated, stored);
  const specs = [...FIXED_COLUMNS, ...(stored ? STORED_COLUMNS : []), ...plan.dedicated];
  const rowGroups: RowGroupSummary[] = [];
  let rows = 0;
  let traces = 0;
  for (const { source, summary } of plan.groups) {
    writer.copyRowGroup(
      source.rows,
      specs.map((spec) => source.chunks.get(spec.name) ?? null),
    );
    rowGroups.push({ ...summary, rowStart: rows });
    rows += summary.rows;
    traces += summary.traces;
  }
  const { columns } = writeTraceGroups(rebuilt, () => ({ writer, dedicated: plan.dedicated, stored }));
  const own = builtSummary(columns, plan.dedicated);
  for (const group of own.rowGroups) rowGroups.push({ ...group, rowStart: group.rowStart + rows });
  return {
    parquet: writer.finish(),
    copiedRows: rows,
    summary: {
      format: SEARCH_SUMMARY_FORMAT,
      rows: rows + own.rows,
      traces: traces + own.traces,
      attributes: mergeAttributes([own, ...plan.summaries], plan.dedicated),
      names: unionValues([own, ...plan.summaries].map((s) => s.names)),
      services: unionValues([own, ...plan.summaries].map((s) => s.services)),
      eventNames: unionValues([own, ...plan.summaries].map((s) => s.eventNames)),
      rowGroups,
    },
  };
}

/**
 * The dedicated columns of a file in the sidecar's layout (the fixed columns first, as
 * `FIXED_COLUMNS` has them, then `STORED_COLUMNS` when `stored`), or undefined.
 */
function dedicatedColumnsOf(file: SourceFile, stored: boolean): Dedicated[] | undefined {
  const fixed = stored ? [...FIXED_COLUMNS, ...STORED_COLUMNS] : FIXED_COLUMNS;
  if (file.columns.length < fixed.length) return undefined;
  for (let i = 0; i < fixed.length; i++) {
    const spec = fixed[i];
    const column = file.columns[i];
    if (column.name !== spec.name || column.type !== spec.type || column.nullable !== spec.nullable)
      return undefined;
    if (spec.typeLength !== undefined && column.typeLength !== spec.typeLength) return undefined;
  }
  const dedicated: Dedicated[] = [];
  for (const column of file.columns.slice(fixed.length)) {
    const key = dedicatedOf(column.name, column.type);
    if (!key) return undefined;
    dedicated.push(key);
  }
  return dedicated;
}

/** A source file in the sidecar's layout, with the dedicated columns it has. */
interface LaidOutFile extends SourceFile {
  dedicated: Dedicated[];
}

/** The dedicated key a column name stands for (`span.http.method`), or undefined. */
function dedicatedOf(name: string, type: string | undefined): Dedicated | undefined {
  if (type !== 'STRING' && type !== 'INT64' && type !== 'DOUBLE' && type !== 'BOOLEAN') return undefined;
  for (const scope of ['span', 'resource'] as const) {
    const prefix = attributeColumn(scope, '');
    if (name.startsWith(prefix))
      return { name, scope, key: name.slice(prefix.length), type: type as ColumnType };
  }
  return undefined;
}

/** Adds a source's dedicated columns; false (nothing added) when one clashes in type or there are too many. */
function addDedicated(into: Map<string, Dedicated>, columns: readonly Dedicated[]): boolean {
  const fresh: Dedicated[] = [];
  for (const wanted of columns) {
    const existing = into.get(wanted.name);
    if (existing && existing.type !== wanted.type) return false;
    if (!existing) fresh.push(wanted);
  }
  if (into.size + fresh.length > MAX_MERGED_DEDICATED) return false;
  for (const column of fresh) into.set(column.name, column);
  return true;
}

/** A row group of a search file: its rows and its traces' hex IDs in row order. */
export interface GroupTraces {
  rows: number;
  ids: string[];
}

/** The row groups of a search file held whole, or undefined when it does not read as one of this layout. */
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
 * The hex trace IDs of a group, from its trace_id chunk's dictionary page (one entry per trace);
 * undefined when that page is not as the writer lays it out (`readSourceFile` checked its header).
 */
export function groupTraceIds(group: SourceRowGroup): string[] | undefined {
  const chunk = group.chunks.get(COLUMN.traceId);
  const dictionary = chunk?.dictionary;
  if (!chunk || !dictionary || chunk.compressed || dictionary.bodyBytes !== dictionary.values * 16)
    return undefined;
  const count = dictionary.values;
  const bytes = Buffer.from(chunk.file.buffer, chunk.file.byteOffset + dictionary.bodyAt, count * 16);
  const ids: string[] = new Array(count);
  for (let i = 0; i < count; i++) ids[i] = bytes.toString('hex', 16 * i, 16 * i + 16);
  return ids;
}

/**
 * Key summaries of several parts of one sidecar: types agree or are 'mixed', values are unioned
 * (capped), counts summed (an upper bound when a source's groups were only partly copied: the
 * rest were rebuilt and counted again). A key the merged file gives a column also lives in the
 * JSON column when any part kept it there.
 */
function mergeAttributes(
  parts: readonly SearchSummary[],
  dedicated: readonly Dedicated[],
): Record<AttributeScope, Record<string, KeySummary>> {
  const columns = new Set(dedicated.map((d) => d.name));
  const out: Record<AttributeScope, Record<string, KeySummary>> = {
    span: {},
    resource: {},
    event: {},
    link: {},
  };
  const scopes: AttributeScope[] = ['span', 'resource', 'event', 'link'];
  for (const scope of scopes) {
    const byKey = new Map<string, KeySummary[]>();
    for (const part of parts) {
      for (const [key, summary] of Object.entries(part.attributes[scope] ?? {})) {
        const list = byKey.get(key) ?? [];
        list.push(summary);
        byKey.set(key, list);
      }
    }
    for (const [key, list] of byKey) {
      const merged: KeySummary = {
        type: list.every((s) => s.type === list[0].type) ? list[0].type : 'mixed',
        count: list.reduce((sum, s) => sum + s.count, 0),
        values: unionValues(list).values,
      };
      if (scope === 'span' || scope === 'resource') {
        const column = attributeColumn(scope, key);
        if (columns.has(column)) {
          merged.column = column;
          if (list.some((s) => s.column !== column || s.alsoInJson)) merged.alsoInJson = true;
        }
      }
      out[scope][key] = merged;
    }
  }
  return out;
}

/** Every distinct value of the sets, capped as one set is (`addDistinct`); null when one is null (too many to list). */
function unionValues(sets: readonly (ValueSet | undefined)[]): ValueSet {
  let union: Set<AttributeValue> | null = new Set();
  for (const set of sets) {
    if (!set || set.values === null) return { values: null };
    for (const value of set.values) union = addDistinct(union, value);
  }
  return SidecarColumns.valueSet(union);
}
