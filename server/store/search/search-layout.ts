/**
 * Names shared by the search sidecar's writer and reader. One row per span; rows grouped by
 * trace; traces ordered newest start first within a row group (a compacted block's copied groups
 * come first and may overlap the rest in time); row groups cut at trace boundaries. Byte layout and
 * column meanings: docs/block-format.md, "Search sidecar"; the choices: docs/adr/004.
 */

export const SIDECAR_OBJECT = 'search.parquet';
export const SUMMARY_OBJECT = 'search-summary.json';

/** Rows per row group, aimed at: small enough that a rare value reads little, big enough for few groups. */
export const TARGET_ROW_GROUP_ROWS = 16_384;

/** Keys beyond these counts per block go to the scope's `*_other` JSON column. */
export const MAX_DEDICATED_SPAN_COLUMNS = 64;
export const MAX_DEDICATED_RESOURCE_COLUMNS = 32;

/** Per-row-group bloom filter: false-positive rate and a cap on its bytes. */
export const ROW_GROUP_BLOOM_FALSE_POSITIVE = 0.01;
export const ROW_GROUP_BLOOM_MAX_BYTES = 256 * 1024;

/** Target uncompressed bytes per Parquet page (the offset index lets readers skip the rest). */
export const SIDECAR_PAGE_BYTES = 64 * 1024;

/** Brotli quality of the Parquet pages (DuckDB, Spark and Trino all read BROTLI). */
export const SIDECAR_BROTLI_QUALITY = 4;

/** The fixed columns, in file order. IDs are lowercase hex strings so SQL can compare them as text. */
export const COLUMN = {
  traceId: 'trace_id',
  traceStart: 'trace_start_unix_nano',
  traceDuration: 'trace_duration_nanos',
  rootService: 'root_service_name',
  rootName: 'root_span_name',
  samplingPolicy: 'sampling_policy',
  samplingReason: 'sampling_reason',
  spanId: 'span_id',
  parentSpanId: 'parent_span_id',
  service: 'service_name',
  name: 'name',
  kind: 'kind',
  statusCode: 'status_code',
  statusMessage: 'status_message',
  start: 'start_unix_nano',
  duration: 'duration_nanos',
  spanOther: 'span_attributes_other',
  resourceOther: 'resource_attributes_other',
  events: 'events',
  links: 'links',
  /** Single-copy blocks only (`loupe-v2`): what trace by ID rebuilds a span's OTLP from beside the columns above. */
  resourcePart: 'otlp_resource',
  scopePart: 'otlp_scope',
  residue: 'otlp_span_residue',
} as const;

/** A dedicated attribute column is named by its scope and key: `span.http.method`, `resource.service.name`. */
export function attributeColumn(scope: 'span' | 'resource', key: string): string {
  return `${scope}.${key}`;
}

/**
 * The format of a block's search objects; the summary and `meta.json`'s `search` field name it.
 * v2 stores IDs as bytes (v1: hex text); readers turn either into hex, so both are read.
 */
export const SEARCH_SUMMARY_FORMAT = 'loupe-search-v2';
export const READABLE_SEARCH_FORMATS: readonly string[] = ['loupe-search-v1', SEARCH_SUMMARY_FORMAT];

/** `meta.json`'s `search` field: present when the block has a search sidecar. */
export interface SearchMeta {
  format: string;
  parquetBytes: number;
  summaryBytes: number;
  rows: number;
  /** Traces whose bytes did not decode, left out of the sidecar (trace by ID still reads them). */
  unsearchableTraces?: number;
  /** A compacted block's rows copied from its inputs' sidecars (the rest were built from its traces). */
  copiedRows?: number;
}
