import type { SearchMeta } from './search/search-layout';

/** One trace's data as blocks hold it: OTLP `TracesData` protobuf bytes with only this trace's spans. */
export interface TraceRecord {
  traceId: Uint8Array; // 16 bytes
  data: Uint8Array;
  spanCount: number;
  startMs: number;
  endMs: number;
  /** Spans of this trace were refused at `max_bytes_per_trace`. */
  truncated: boolean;
  /**
   * A compaction's trace whose rows a `loupe-v2` input holds and the new block copies as they
   * are: `data` is empty (its OTLP was not rebuilt), and the build rebuilds it from these rows of
   * `SearchReuse.sources[source]` only if it does not copy them after all.
   */
  stored?: StoredRows;
}

/** Where a trace's rows are in a compaction input's Parquet file. */
export interface StoredRows {
  source: number;
  group: number;
  /** First row in the group, and the trace's rows. */
  row: number;
  rows: number;
}

/**
 * A block's meta.json (fields in docs/block-format.md). `format` picks the reader from the
 * registry (`encoding/registry.ts`); the sizes and counts of objects are `loupe-v1`'s.
 */
export interface BlockMeta {
  format: string;
  blockId: string; // uuid
  tenantId: string;
  minTraceId: string; // 32 lowercase hex
  maxTraceId: string;
  startTime: string; // RFC 3339
  endTime: string;
  startMs: number;
  endMs: number;
  totalTraces: number;
  totalSpans: number;
  /** Bytes of the `data` object (compressed pages). */
  dataBytes: number;
  indexBytes: number;
  bloomBytes: number;
  bloomShards: number;
  pages: number;
  /** Uncompressed OTLP bytes the block holds, for the compression ratio. */
  rawBytes: number;
  createdAt: string;
  /** The search sidecar's format and sizes; absent on blocks written before search data existed. */
  search?: SearchMeta;
  /**
   * Blocks this one was compacted from. Its meta.json is the compaction's commit point: once it
   * exists, those blocks are no longer queried (they hold nothing this one lacks) and are
   * deleted `compacted_block_retention` after `createdAt`.
   */
  compactedFrom?: string[];
  /** 0 (or absent) for a block flushed by an ingester; one more than its inputs' highest for a compacted block. */
  compactionLevel?: number;
}

/** meta.json as read from the backend: blocks written before the `format` field have none. */
export type StoredBlockMeta = Omit<BlockMeta, 'format'> & { format?: string };
