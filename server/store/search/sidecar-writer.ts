import { brotliCompressSync, constants } from 'node:zlib';
import type { AttributeValue } from '../../search-model/search-trace';
import { type ColumnData, type ParquetColumnSpec, ParquetFileWriter } from './parquet/parquet-writer';
import {
  attributeColumn,
  COLUMN,
  MAX_DEDICATED_RESOURCE_COLUMNS,
  MAX_DEDICATED_SPAN_COLUMNS,
  SIDECAR_BROTLI_QUALITY,
  SIDECAR_PAGE_BYTES,
} from './search-layout';
import { SEARCH_SUMMARY_FORMAT, type SearchSummary } from './search-summary';
import { type GroupRows, SidecarColumns, type SidecarTrace, TYPE_BITS } from './sidecar-columns';

export interface BuiltSidecar {
  parquet: Uint8Array;
  summary: SearchSummary;
}

export type ColumnType = 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN';

const compressBrotli = (input: Uint8Array): Uint8Array =>
  brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: SIDECAR_BROTLI_QUALITY } });

/** A key with a column of its own, and the column's type (fixed by the first row group). */
export interface Dedicated {
  name: string;
  scope: 'span' | 'resource';
  key: string;
  type: ColumnType;
}

/**
 * The fixed columns, in file order. IDs are bytes (FIXED_LEN_BYTE_ARRAY: random bytes do not
 * compress, so their pages are stored as they are); trace-level columns are dictionary-encoded
 * with one entry per trace, so a trace's spans share one value; span names, services, kinds and
 * statuses repeat, so they are dictionary-encoded too.
 */
export const FIXED_COLUMNS: readonly ParquetColumnSpec[] = [
  {
    name: COLUMN.traceId,
    type: 'FIXED_LEN_BYTE_ARRAY',
    typeLength: 16,
    nullable: false,
    encoding: 'dictionary',
    compressed: false,
  },
  { name: COLUMN.traceStart, type: 'INT64', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.traceDuration, type: 'INT64', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.rootService, type: 'STRING', nullable: true, encoding: 'dictionary', compressed: true },
  { name: COLUMN.rootName, type: 'STRING', nullable: true, encoding: 'dictionary', compressed: true },
  { name: COLUMN.samplingPolicy, type: 'STRING', nullable: true, encoding: 'dictionary', compressed: true },
  { name: COLUMN.samplingReason, type: 'STRING', nullable: true, encoding: 'dictionary', compressed: true },
  {
    name: COLUMN.spanId,
    type: 'FIXED_LEN_BYTE_ARRAY',
    typeLength: 8,
    nullable: false,
    encoding: 'plain',
    compressed: false,
  },
  {
    name: COLUMN.parentSpanId,
    type: 'FIXED_LEN_BYTE_ARRAY',
    typeLength: 8,
    nullable: true,
    encoding: 'plain',
    compressed: true,
  },
  { name: COLUMN.service, type: 'STRING', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.name, type: 'STRING', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.kind, type: 'INT32', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.statusCode, type: 'INT32', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.statusMessage, type: 'STRING', nullable: true, encoding: 'dictionary', compressed: true },
  { name: COLUMN.start, type: 'INT64', nullable: false, encoding: 'delta', compressed: false },
  { name: COLUMN.duration, type: 'INT64', nullable: false, encoding: 'delta', compressed: false },
  { name: COLUMN.spanOther, type: 'JSON', nullable: true, encoding: 'plain', compressed: true },
  { name: COLUMN.resourceOther, type: 'JSON', nullable: true, encoding: 'plain', compressed: true },
  { name: COLUMN.events, type: 'JSON', nullable: true, encoding: 'plain', compressed: true },
  { name: COLUMN.links, type: 'JSON', nullable: true, encoding: 'plain', compressed: true },
];

/**
 * The columns a single-copy block (`loupe-v2`) adds after the fixed ones, so its Parquet file is
 * the block's only copy of each span: the span's resource and scope (few distinct values, so
 * dictionary-encoded: ~nothing per row) and the rest of its Span message (`encoding/v2/span-residue.ts`).
 */
export const STORED_COLUMNS: readonly ParquetColumnSpec[] = [
  { name: COLUMN.resourcePart, type: 'BYTES', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.scopePart, type: 'BYTES', nullable: false, encoding: 'dictionary', compressed: true },
  { name: COLUMN.residue, type: 'BYTES', nullable: false, encoding: 'plain', compressed: true },
];

/**
 * Builds a block's search sidecar from its traces, which must come newest trace start first
 * (`traces` is consumed once, so a caller can decode one trace at a time). Row groups are
 * written as they close, so memory holds one group's columns, not the block's. Synchronous and
 * CPU-only: it runs on the block-builder worker beside the block itself.
 */
export function buildSearchSidecar(
  traces: Iterable<SidecarTrace>,
  options: { stored?: boolean } = {},
): BuiltSidecar | undefined {
  // The first group decides which keys get a column, and their types; later keys and values
  // of another type go to the scope's JSON column (readers look in both: `spilled`).
  const { columns, file } = writeTraceGroups(traces, (columns) => {
    const dedicated = chooseDedicated(columns);
    const stored = options.stored ?? false;
    return { writer: sidecarFileWriter(dedicated, stored), dedicated, stored };
  });
  if (!file) return undefined;
  return { parquet: file.writer.finish(), summary: builtSummary(columns, file.dedicated) };
}

/** A sidecar file being written, and the keys that have a column in it. */
export interface SidecarFile {
  writer: ParquetFileWriter;
  dedicated: readonly Dedicated[];
  /** The file has `STORED_COLUMNS` (a single-copy block's), and every trace brings its `stored` parts. */
  stored?: boolean;
}

/**
 * Appends `traces` (newest first) to a sidecar file as row groups, each written as it closes;
 * `open` gives the file when the first group closes (after `takeGroup`: the keys seen so far are
 * still in `columns`). Returns the columns (for `builtSummary`) and the file, if a group was written.
 */
export function writeTraceGroups(
  traces: Iterable<SidecarTrace>,
  open: (columns: SidecarColumns) => SidecarFile,
): { columns: SidecarColumns; file: SidecarFile | undefined } {
  const columns = new SidecarColumns();
  let file: SidecarFile | undefined;
  const writeGroup = () => {
    const group = columns.takeGroup();
    file ??= open(columns);
    file.writer.writeRowGroup(group.rows, groupColumns(group, file.dedicated, file.stored ?? false));
  };
  for (const trace of traces) if (columns.addTrace(trace)) writeGroup();
  if (columns.finish()) writeGroup();
  return { columns, file };
}

/** A Parquet writer of the sidecar's layout: the fixed columns, then one per dedicated key. */
export function sidecarFileWriter(dedicated: readonly Dedicated[], stored = false): ParquetFileWriter {
  return new ParquetFileWriter({
    columns: [
      ...FIXED_COLUMNS,
      ...(stored ? STORED_COLUMNS : []),
      ...dedicated.map(({ name, type }) => ({
        name,
        type,
        nullable: true,
        // Strings of a key often repeat (methods, routes, codes); a dictionary past 1 MiB
        // (unique URLs) falls back to PLAIN.
        encoding: type === 'STRING' ? ('dictionary' as const) : ('plain' as const),
        compressed: true,
      })),
    ],
    // Small pages: a search that narrows to a few traces decodes only the pages holding them.
    pageBytes: SIDECAR_PAGE_BYTES,
    codec: 'BROTLI',
    compress: compressBrotli,
    createdBy: 'loupe',
  });
}

/** The summary of the rows `columns` took, its dedicated keys marked with their column. */
export function builtSummary(columns: SidecarColumns, dedicated: readonly Dedicated[]): SearchSummary {
  const keys = columns.keySummaries();
  for (const { name, scope, key } of dedicated) {
    const summary = keys[scope][key];
    if (!summary) continue;
    summary.column = name;
    if (columns.attributes.get(scope)?.get(key)?.spilled) summary.alsoInJson = true;
  }
  return {
    format: SEARCH_SUMMARY_FORMAT,
    rows: columns.rows,
    traces: columns.traces,
    attributes: keys,
    names: SidecarColumns.valueSet(columns.names),
    services: SidecarColumns.valueSet(columns.services),
    eventNames: SidecarColumns.valueSet(columns.eventNames),
    rowGroups: columns.rowGroups,
  };
}

/** The most common span and resource keys of one type get a column each (a query reads just the column it names). */
function chooseDedicated(columns: SidecarColumns): Dedicated[] {
  const out: Dedicated[] = [];
  for (const scope of ['span', 'resource'] as const) {
    const limit = scope === 'span' ? MAX_DEDICATED_SPAN_COLUMNS : MAX_DEDICATED_RESOURCE_COLUMNS;
    const candidates = [...(columns.attributes.get(scope)?.values() ?? [])]
      .filter((attribute) => columnType(attribute.types) !== undefined)
      .sort((a, b) => b.count - a.count)
      .slice(0, limit);
    for (const attribute of candidates) {
      out.push({
        name: attributeColumn(scope, attribute.key),
        scope,
        key: attribute.key,
        type: columnType(attribute.types)!,
      });
    }
  }
  return out;
}

/** The Parquet type for values of these `TYPE_BITS`, or undefined when strings mix with others. */
function columnType(types: number): ColumnType | undefined {
  switch (types) {
    case TYPE_BITS.string:
      return 'STRING';
    case TYPE_BITS.int:
      return 'INT64';
    case TYPE_BITS.float:
    case TYPE_BITS.int | TYPE_BITS.float:
      return 'DOUBLE';
    case TYPE_BITS.bool:
      return 'BOOLEAN';
    default:
      return undefined;
  }
}

function fits(type: ColumnType, value: AttributeValue): boolean {
  if (type === 'STRING') return typeof value === 'string';
  if (type === 'BOOLEAN') return typeof value === 'boolean';
  if (type === 'INT64') return typeof value === 'number' && Number.isSafeInteger(value);
  return typeof value === 'number';
}

/** Hex IDs as bytes, `width` bytes each, viewed over one buffer; '' (a root's parent) is null. */
function idBytes(hex: readonly string[], width: number): (Uint8Array | null)[] {
  const bytes = Buffer.allocUnsafe(hex.length * width);
  const out: (Uint8Array | null)[] = new Array(hex.length);
  for (let i = 0; i < hex.length; i++) {
    if (hex[i] === '') {
      out[i] = null;
      continue;
    }
    const at = i * width;
    if (bytes.write(hex[i], at, width, 'hex') !== width)
      throw new Error(`ID ${hex[i]} is not ${width} bytes`);
    out[i] = bytes.subarray(at, at + width);
  }
  return out;
}

function groupColumns(group: GroupRows, dedicated: readonly Dedicated[], stored: boolean): ColumnData[] {
  const other: Record<'span' | 'resource', (Record<string, AttributeValue> | null)[]> = {
    span: new Array(group.rows).fill(null),
    resource: new Array(group.rows).fill(null),
  };
  const dense = new Map<Dedicated, (AttributeValue | null)[]>();
  const byName = new Map(dedicated.map((d) => [d.name, d]));
  for (const { attribute, rows, values } of group.attributes) {
    if (attribute.scope !== 'span' && attribute.scope !== 'resource') continue;
    const column = byName.get(attributeColumn(attribute.scope, attribute.key));
    let data = column ? dense.get(column) : undefined;
    if (column && !data) {
      data = new Array(group.rows).fill(null);
      dense.set(column, data);
    }
    const json = other[attribute.scope];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const value = values[i];
      if (column && data && fits(column.type, value)) {
        data[row] = value;
        continue;
      }
      if (column) attribute.spilled = true;
      const object = json[row] ?? {};
      object[attribute.key] = value;
      json[row] = object;
    }
  }
  const perTrace = (runs: readonly (string | bigint | number | Uint8Array | null)[]) => ({
    runs,
    lengths: group.traceSpans,
  });
  const columnData: ColumnData[] = [
    perTrace(idBytes(group.traceId, 16)),
    perTrace(group.traceStart),
    perTrace(group.traceDuration),
    perTrace(group.rootService),
    perTrace(group.rootName),
    perTrace(group.samplingPolicy),
    perTrace(group.samplingReason),
    idBytes(group.spanId, 8),
    idBytes(group.parentSpanId, 8),
    group.service,
    group.name,
    group.kind,
    group.statusCode,
    group.statusMessage,
    group.start,
    group.duration,
    other.span,
    other.resource,
    group.events,
    group.links,
  ];
  if (stored) {
    if (group.stored.length !== group.rows)
      throw new Error("a single-copy block needs every span's stored parts");
    columnData.push(
      group.stored.map((parts) => parts.resource),
      group.stored.map((parts) => parts.scope),
      group.stored.map((parts) => parts.residue),
    );
  }
  for (const column of dedicated) columnData.push(dense.get(column) ?? new Array(group.rows).fill(null));
  return columnData;
}
