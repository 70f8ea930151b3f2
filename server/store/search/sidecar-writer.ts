import { brotliCompressSync, constants } from 'node:zlib';
import { ByteWriter, type ColumnSource, ParquetWriter, schemaFromColumnData } from 'hyparquet-writer';
import type { AttributeValue, SearchTrace } from '../../search-model/search-trace';
import {
  attributeColumn,
  COLUMN,
  MAX_DEDICATED_RESOURCE_COLUMNS,
  MAX_DEDICATED_SPAN_COLUMNS,
  SIDECAR_BROTLI_QUALITY,
  SIDECAR_PAGE_BYTES,
} from './search-layout';
import { SEARCH_SUMMARY_FORMAT, type SearchSummary } from './search-summary';
import { type GroupRows, SidecarColumns, type SparseAttribute, TYPE_BITS } from './sidecar-columns';

export interface BuiltSidecar {
  parquet: Uint8Array;
  summary: SearchSummary;
}

type ColumnType = 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN';

const compressBrotli = (input: Uint8Array): Uint8Array =>
  brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: SIDECAR_BROTLI_QUALITY } });

/** A key with a column of its own, and the column's type (fixed by the first row group). */
interface Dedicated {
  name: string;
  attribute: SparseAttribute;
  type: ColumnType;
}

/**
 * Builds a block's search sidecar from its traces, which must come newest trace start first
 * (`traces` is consumed once, so a caller can decode one trace at a time). Row groups are
 * written as they close, so memory holds one group's columns, not the block's. Synchronous and
 * CPU-only: it runs on the block-builder worker beside the block itself.
 */
export function buildSearchSidecar(traces: Iterable<SearchTrace>): BuiltSidecar | undefined {
  const columns = new SidecarColumns();
  const output = new ByteWriter();
  let writer: ParquetWriter | undefined;
  let dedicated: Dedicated[] = [];
  const writeGroup = () => {
    const group = columns.takeGroup();
    // The first group decides which keys get a column, and their types; later keys and values
    // of another type go to the scope's JSON column (readers look in both: `spilled`).
    if (!writer) dedicated = chooseDedicated(columns);
    const columnData = groupColumns(group, dedicated);
    writer ??= new ParquetWriter({
      writer: output,
      schema: schemaFromColumnData({ columnData }),
      codec: 'BROTLI',
      compressors: { BROTLI: compressBrotli },
      statistics: false,
      createdBy: 'loupe',
    });
    // Small pages: a search that narrows to a few traces decodes only the pages holding them.
    writer.write({ columnData, rowGroupSize: group.rows, pageSize: SIDECAR_PAGE_BYTES });
  };
  for (const trace of traces) if (columns.addTrace(trace)) writeGroup();
  if (columns.finish()) writeGroup();
  if (!writer) return undefined;
  writer.finish();
  const keys = columns.keySummaries();
  for (const { name, attribute } of dedicated) {
    const summary = keys[attribute.scope][attribute.key];
    summary.column = name;
    if (attribute.spilled) summary.alsoInJson = true;
  }
  return {
    parquet: new Uint8Array(output.getBuffer()),
    summary: {
      format: SEARCH_SUMMARY_FORMAT,
      rows: columns.rows,
      traces: columns.traces,
      attributes: keys,
      names: SidecarColumns.valueSet(columns.names),
      services: SidecarColumns.valueSet(columns.services),
      eventNames: SidecarColumns.valueSet(columns.eventNames),
      rowGroups: columns.rowGroups,
    },
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
        attribute,
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

function groupColumns(group: GroupRows, dedicated: Dedicated[]): ColumnSource[] {
  const int64 = (values: bigint[]) => BigInt64Array.from(values);
  const other: Record<'span' | 'resource', (Record<string, AttributeValue> | null)[]> = {
    span: new Array(group.rows).fill(null),
    resource: new Array(group.rows).fill(null),
  };
  const dense = new Map<SparseAttribute, (AttributeValue | bigint | null)[]>();
  const byAttribute = new Map(dedicated.map((d) => [d.attribute, d]));
  for (const { attribute, rows, values } of group.attributes) {
    if (attribute.scope !== 'span' && attribute.scope !== 'resource') continue;
    const column = byAttribute.get(attribute);
    let data = column ? dense.get(attribute) : undefined;
    if (column && !data) {
      data = new Array(group.rows).fill(null);
      dense.set(attribute, data);
    }
    const json = other[attribute.scope];
    rows.forEach((row, i) => {
      const value = values[i];
      if (column && data && fits(column.type, value)) {
        data[row] = column.type === 'INT64' ? BigInt(value as number) : value;
        return;
      }
      if (column) attribute.spilled = true;
      const object = json[row] ?? {};
      object[attribute.key] = value;
      json[row] = object;
    });
  }
  const columnData: ColumnSource[] = [
    { name: COLUMN.traceId, data: group.traceId, type: 'STRING', nullable: false },
    { name: COLUMN.traceStart, data: int64(group.traceStart), type: 'INT64', nullable: false },
    { name: COLUMN.traceDuration, data: int64(group.traceDuration), type: 'INT64', nullable: false },
    { name: COLUMN.rootService, data: group.rootService, type: 'STRING' },
    { name: COLUMN.rootName, data: group.rootName, type: 'STRING' },
    { name: COLUMN.spanId, data: group.spanId, type: 'STRING', nullable: false, encoding: 'PLAIN' },
    {
      name: COLUMN.parentSpanId,
      data: group.parentSpanId,
      type: 'STRING',
      nullable: false,
      encoding: 'PLAIN',
    },
    { name: COLUMN.service, data: group.service, type: 'STRING', nullable: false },
    { name: COLUMN.name, data: group.name, type: 'STRING', nullable: false },
    { name: COLUMN.kind, data: Int32Array.from(group.kind), type: 'INT32', nullable: false },
    { name: COLUMN.statusCode, data: Int32Array.from(group.statusCode), type: 'INT32', nullable: false },
    { name: COLUMN.statusMessage, data: group.statusMessage, type: 'STRING' },
    {
      name: COLUMN.start,
      data: int64(group.start),
      type: 'INT64',
      nullable: false,
      encoding: 'DELTA_BINARY_PACKED',
    },
    {
      name: COLUMN.duration,
      data: int64(group.duration),
      type: 'INT64',
      nullable: false,
      encoding: 'DELTA_BINARY_PACKED',
    },
    { name: COLUMN.spanOther, data: other.span, type: 'JSON' },
    { name: COLUMN.resourceOther, data: other.resource, type: 'JSON' },
    { name: COLUMN.events, data: group.events, type: 'JSON' },
    { name: COLUMN.links, data: group.links, type: 'JSON' },
  ];
  for (const { name, attribute, type } of dedicated) {
    columnData.push({ name, data: dense.get(attribute) ?? new Array(group.rows).fill(null), type });
  }
  return columnData;
}
