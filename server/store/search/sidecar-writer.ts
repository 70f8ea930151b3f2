import { brotliCompressSync, constants } from 'node:zlib';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
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
import { SidecarColumns, type SparseAttribute, TYPE_BITS } from './sidecar-columns';

export interface BuiltSidecar {
  parquet: Uint8Array;
  summary: SearchSummary;
}

const compressBrotli = (input: Uint8Array): Uint8Array =>
  brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_QUALITY]: SIDECAR_BROTLI_QUALITY } });

/**
 * Builds a block's search sidecar from its traces, which must come newest trace start first
 * (`traces` is consumed once, so a caller can decode one trace at a time). Synchronous and
 * CPU-only: it runs on the block-builder worker beside the block itself.
 */
export function buildSearchSidecar(traces: Iterable<SearchTrace>): BuiltSidecar | undefined {
  const columns = new SidecarColumns();
  for (const trace of traces) columns.addTrace(trace);
  columns.finish();
  if (columns.rows === 0) return undefined;
  const { dedicated, spanOther, resourceOther } = placeAttributes(columns);
  const keys = columns.keySummaries();
  for (const [name, attribute] of dedicated) keys[attribute.scope][attribute.key].column = name;

  const int64 = (values: bigint[]) => BigInt64Array.from(values);
  const columnData: ColumnSource[] = [
    { name: COLUMN.traceId, data: columns.traceId, type: 'STRING', nullable: false },
    { name: COLUMN.traceStart, data: int64(columns.traceStart), type: 'INT64', nullable: false },
    { name: COLUMN.traceDuration, data: int64(columns.traceDuration), type: 'INT64', nullable: false },
    { name: COLUMN.rootService, data: columns.rootService, type: 'STRING' },
    { name: COLUMN.rootName, data: columns.rootName, type: 'STRING' },
    { name: COLUMN.spanId, data: columns.spanId, type: 'STRING', nullable: false, encoding: 'PLAIN' },
    {
      name: COLUMN.parentSpanId,
      data: columns.parentSpanId,
      type: 'STRING',
      nullable: false,
      encoding: 'PLAIN',
    },
    { name: COLUMN.service, data: columns.service, type: 'STRING', nullable: false },
    { name: COLUMN.name, data: columns.name, type: 'STRING', nullable: false },
    { name: COLUMN.kind, data: Int32Array.from(columns.kind), type: 'INT32', nullable: false },
    { name: COLUMN.statusCode, data: Int32Array.from(columns.statusCode), type: 'INT32', nullable: false },
    { name: COLUMN.statusMessage, data: columns.statusMessage, type: 'STRING' },
    {
      name: COLUMN.start,
      data: int64(columns.start),
      type: 'INT64',
      nullable: false,
      encoding: 'DELTA_BINARY_PACKED',
    },
    {
      name: COLUMN.duration,
      data: int64(columns.duration),
      type: 'INT64',
      nullable: false,
      encoding: 'DELTA_BINARY_PACKED',
    },
    { name: COLUMN.spanOther, data: spanOther, type: 'JSON' },
    { name: COLUMN.resourceOther, data: resourceOther, type: 'JSON' },
    { name: COLUMN.events, data: columns.events, type: 'JSON' },
    { name: COLUMN.links, data: columns.links, type: 'JSON' },
  ];
  for (const [name, attribute] of dedicated) columnData.push(denseColumn(name, attribute, columns.rows));

  const buffer = parquetWriteBuffer({
    columnData,
    codec: 'BROTLI',
    compressors: { BROTLI: compressBrotli },
    rowGroupSize: columns.rowGroups.map((group) => group.rows),
    statistics: false,
    // Small pages: a search that narrows to a few traces decodes only the pages holding them.
    pageSize: SIDECAR_PAGE_BYTES,
    createdBy: 'loupe',
  });
  return {
    parquet: new Uint8Array(buffer),
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

/**
 * The most common span and resource keys with one type get a column each (a query reads just
 * the column it names); the rest, and keys whose values mix strings with other types, go to the
 * scope's JSON column, one object per row.
 */
function placeAttributes(columns: SidecarColumns): {
  dedicated: Map<string, SparseAttribute>;
  spanOther: (Record<string, AttributeValue> | null)[];
  resourceOther: (Record<string, AttributeValue> | null)[];
} {
  const dedicated = new Map<string, SparseAttribute>();
  const other: Record<'span' | 'resource', (Record<string, AttributeValue> | null)[]> = {
    span: new Array(columns.rows).fill(null),
    resource: new Array(columns.rows).fill(null),
  };
  for (const scope of ['span', 'resource'] as const) {
    const limit = scope === 'span' ? MAX_DEDICATED_SPAN_COLUMNS : MAX_DEDICATED_RESOURCE_COLUMNS;
    const candidates = [...(columns.attributes.get(scope)?.values() ?? [])].sort(
      (a, b) => b.rows.length - a.rows.length,
    );
    let placed = 0;
    for (const attribute of candidates) {
      if (placed < limit && parquetType(attribute) !== undefined) {
        dedicated.set(attributeColumn(scope, attribute.key), attribute);
        placed++;
        continue;
      }
      const rows = other[scope];
      attribute.rows.forEach((row, i) => {
        const object = rows[row] ?? {};
        object[attribute.key] = attribute.values[i];
        rows[row] = object;
      });
    }
  }
  return { dedicated, spanOther: other.span, resourceOther: other.resource };
}

/** The Parquet type of a key's column, or undefined when its values mix strings with others. */
function parquetType(attribute: SparseAttribute): 'STRING' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | undefined {
  switch (attribute.types) {
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

function denseColumn(name: string, attribute: SparseAttribute, rows: number): ColumnSource {
  const type = parquetType(attribute)!;
  const data: (AttributeValue | bigint | null)[] = new Array(rows).fill(null);
  attribute.rows.forEach((row, i) => {
    const value = attribute.values[i];
    data[row] = type === 'INT64' ? BigInt(value as number) : value;
  });
  return { name, data, type };
}
