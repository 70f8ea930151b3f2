import type { Backend, BackendCallOptions } from '../backend/backend';
import type { SearchReuse } from '../search/sidecar-merge';
import type { BlockMeta, TraceRecord } from '../types';

/**
 * What a block format is to the rest of the store: a way to encode sorted traces into objects,
 * and a way to read them back. Each format is one entry of the registry (`registry.ts`), chosen
 * by `meta.format`; the objects' byte layouts live with the format's codecs.
 */
export interface BlockFormat {
  /** The `format` field of the meta.json this format writes and reads (`loupe-v1`). */
  readonly id: string;
  /**
   * The block's search objects (`search.parquet`, `search-summary.json`) are its own: `build`
   * writes them. Otherwise `buildBlock` adds a search sidecar built from the same traces.
   */
  readonly writesSearchObjects?: boolean;
  /**
   * For a format whose spans are its search file's rows: a block's traces for a compaction given
   * its whole file, the traces of the row groups in `deferred` as stubs the build copies without
   * their OTLP (`TraceRecord.stored`, whose `source` is the index given).
   */
  readonly compactionRecords?: (
    backend: Backend,
    meta: BlockMeta,
    parquet: Uint8Array,
    deferred: ReadonlySet<number>,
    source: number,
  ) => Promise<TraceRecord[]>;
  /**
   * Encodes a block in memory. Synchronous and CPU-only: it runs on the block-builder worker.
   * `searchReuse` (a compaction's input sidecars) is for a format that `writesSearchObjects`.
   */
  build(options: BuildBlockOptions, searchReuse?: SearchReuse): BuiltBlock;
  /** A reader for a block found through its meta.json; reads nothing until asked. */
  open(backend: Backend, meta: BlockMeta): BlockReader;
  /** A reader for a block just built in this process, taking what it caches from memory, not reads. */
  openBuilt(backend: Backend, built: BuiltBlock): BlockReader;
}

export interface BuildBlockOptions {
  tenantId: string;
  blockId: string;
  /** Sorted by trace ID, each ID once. */
  traces: readonly TraceRecord[];
  bloomFalsePositive: number;
  bloomShardSizeBytes: number;
  /** Target uncompressed page size, for formats with pages; defaults to the format's choice. */
  pageSizeBytes?: number;
  /** Brotli quality 0–11, for formats that use brotli; defaults to the format's choice. */
  brotliQuality?: number;
}

/** One object of a block, named relative to `<tenantId>/<blockId>/`. */
export interface BlockObject {
  name: string;
  data: Uint8Array;
}

export interface BuiltBlock {
  meta: BlockMeta;
  /** Every object but `meta.json`, which `writeBlock` writes last from `meta`. */
  objects: BlockObject[];
}

export interface FoundTrace {
  data: Uint8Array;
  truncated: boolean;
}

/** Reads one immutable block, whatever its format. */
export interface BlockReader {
  readonly meta: BlockMeta;
  /** False when the ID is outside this block's [min, max]: no I/O at all. */
  inRange(traceId: Uint8Array): boolean;
  /** The trace's bytes, or undefined; `signal` gives up on the lookup's own reads. */
  findTrace(traceId: Uint8Array, options?: BackendCallOptions): Promise<FoundTrace | undefined>;
  /** Every trace of the block in trace ID order (for compaction). */
  traces(): AsyncGenerator<TraceRecord>;
}
