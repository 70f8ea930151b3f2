import { compareTraceIds } from '../../trace-id';

/**
 * Where each trace's rows are in a `loupe-v2` block's Parquet file. Rows are ordered newest trace
 * first (search stops early that way: ADR 004), so a trace ID needs this index to find its rows.
 * Entries are sorted by trace ID and cut into shards; a lookup reads the header (cached by the
 * reader) and one shard.
 *
 * Byte layout (little-endian):
 *
 * | offset          | bytes | field                                                              |
 * | --------------- | ----- | ------------------------------------------------------------------ |
 * | 0               | 4     | magic `LTL1`                                                        |
 * | 4               | 4     | entries (traces)                                                    |
 * | 8               | 4     | entries per shard (the last shard may hold fewer)                  |
 * | 12              | 4     | shards                                                              |
 * | 16              | 8 × shards | the first entry's ID prefix of each shard                     |
 * | 16 + 8 × shards | 16 × entries | entries: ID prefix (the trace ID's first 8 bytes), first row (u32, in the file), rows (u32: bits 0–29 the count; bit 31: the trace was truncated at `max_bytes_per_trace`; bit 30: a raw-traces record, whose byte offset and length the two numbers are) |
 *
 * Only 8 bytes of the ID are kept (random IDs leave 64 bits: a collision in one block is
 * ~1 in 10^7 per million traces): a lookup checks the rows' `trace_id` column, so a prefix shared
 * by two traces costs a second candidate, never a wrong answer.
 */
export const LOCATOR_OBJECT = 'locator';
const MAGIC = 0x314c544c; // 'LTL1' little-endian
const HEADER_BYTES = 16;
const PREFIX_BYTES = 8;
const ENTRY_BYTES = 16;
export const ENTRIES_PER_SHARD = 4096;
const TRUNCATED_BIT = 0x80000000;
/** The entry is a record of the raw-traces object: `firstRow` is its byte offset there, `rows` its bytes. */
const RAW_BIT = 0x40000000;
const COUNT_MASK = 0x3fffffff;

export interface LocatedTrace {
  traceId: Uint8Array;
  /** First row in the file (across row groups) and the trace's row count; for a raw record, its offset and bytes. */
  firstRow: number;
  rows: number;
  truncated: boolean;
  /** Kept whole in the raw-traces object (`v2-layout.ts`) rather than as rows. */
  raw?: boolean;
}

/** The locator object of traces sorted by trace ID. */
export function encodeLocator(traces: readonly LocatedTrace[]): Uint8Array {
  const shards = Math.ceil(traces.length / ENTRIES_PER_SHARD);
  const out = Buffer.alloc(HEADER_BYTES + PREFIX_BYTES * shards + ENTRY_BYTES * traces.length);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(traces.length, 4);
  out.writeUInt32LE(ENTRIES_PER_SHARD, 8);
  out.writeUInt32LE(shards, 12);
  const entriesAt = HEADER_BYTES + PREFIX_BYTES * shards;
  for (let i = 0; i < traces.length; i++) {
    const trace = traces[i];
    if (i > 0 && compareTraceIds(traces[i - 1].traceId, trace.traceId) >= 0)
      throw new RangeError(`locator entries must be sorted by trace ID (at ${i})`);
    if (trace.rows > COUNT_MASK)
      throw new RangeError(`trace ${i} has too many rows or bytes (${trace.rows})`);
    const at = entriesAt + i * ENTRY_BYTES;
    out.set(trace.traceId.subarray(0, PREFIX_BYTES), at);
    out.writeUInt32LE(trace.firstRow, at + 8);
    out.writeUInt32LE(
      (trace.rows | (trace.truncated ? TRUNCATED_BIT : 0) | (trace.raw ? RAW_BIT : 0)) >>> 0,
      at + 12,
    );
    if (i % ENTRIES_PER_SHARD === 0)
      out.set(trace.traceId.subarray(0, PREFIX_BYTES), HEADER_BYTES + (i / ENTRIES_PER_SHARD) * PREFIX_BYTES);
  }
  return out;
}

/** A candidate location of a trace: its rows, to be checked against their `trace_id`. */
export interface RowRange {
  firstRow: number;
  rows: number;
  truncated: boolean;
  /** `firstRow` and `rows` are the byte offset and length of a raw-traces record. */
  raw: boolean;
}

/** The locator's header and shard table: read once per block and kept. */
export class LocatorHeader {
  private constructor(
    readonly entries: number,
    readonly entriesPerShard: number,
    private readonly shardPrefixes: Buffer,
  ) {}

  /** Bytes to read for the header (a first read of this many bytes covers it). */
  static bytesFor(shards: number): number {
    return HEADER_BYTES + PREFIX_BYTES * shards;
  }

  static readonly FIXED_BYTES = HEADER_BYTES;

  /** Shards named by the first 16 bytes (`FIXED_BYTES`). */
  static shardsIn(fixed: Uint8Array): number {
    const view = Buffer.from(fixed.buffer, fixed.byteOffset, fixed.byteLength);
    if (view.byteLength < HEADER_BYTES || view.readUInt32LE(0) !== MAGIC)
      throw new Error('not a trace locator (bad magic)');
    return view.readUInt32LE(12);
  }

  static decode(bytes: Uint8Array): LocatorHeader {
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shards = LocatorHeader.shardsIn(view);
    if (view.byteLength < LocatorHeader.bytesFor(shards))
      throw new Error('trace locator header is truncated');
    return new LocatorHeader(
      view.readUInt32LE(4),
      view.readUInt32LE(8),
      view.subarray(HEADER_BYTES, HEADER_BYTES + PREFIX_BYTES * shards),
    );
  }

  get shards(): number {
    return this.shardPrefixes.byteLength / PREFIX_BYTES;
  }

  /** The shard that would hold this ID, or -1 when it sorts before every entry. */
  shardFor(traceId: Uint8Array): number {
    const prefix = traceId.subarray(0, PREFIX_BYTES);
    let lo = 0;
    let hi = this.shards - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = mid * PREFIX_BYTES;
      if (Buffer.compare(this.shardPrefixes.subarray(at, at + PREFIX_BYTES), prefix) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Byte range of a shard's entries in the locator object. */
  shardRange(shard: number): { offset: number; length: number } {
    const first = shard * this.entriesPerShard;
    const count = Math.min(this.entriesPerShard, this.entries - first);
    return { offset: LocatorHeader.bytesFor(this.shards) + first * ENTRY_BYTES, length: count * ENTRY_BYTES };
  }
}

/**
 * Candidates for a trace ID among one shard's entries (the bytes `shardRange` names). Equal
 * prefixes may straddle a shard boundary: when the candidates start at the shard's first entry
 * (`startsAtFirst`) the caller looks in the shard before too, and after it when they run to its
 * last (`runsToEnd`).
 */
export function candidatesInShard(
  entries: Uint8Array,
  traceId: Uint8Array,
): { ranges: RowRange[]; startsAtFirst: boolean; runsToEnd: boolean } {
  const view = Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength);
  const prefix = traceId.subarray(0, PREFIX_BYTES);
  const count = view.byteLength / ENTRY_BYTES;
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = mid * ENTRY_BYTES;
    if (Buffer.compare(view.subarray(at, at + PREFIX_BYTES), prefix) < 0) lo = mid + 1;
    else hi = mid;
  }
  const ranges: RowRange[] = [];
  let i = lo;
  for (; i < count; i++) {
    const at = i * ENTRY_BYTES;
    if (Buffer.compare(view.subarray(at, at + PREFIX_BYTES), prefix) !== 0) break;
    const rows = view.readUInt32LE(at + 12);
    ranges.push({
      firstRow: view.readUInt32LE(at + 8),
      rows: rows & COUNT_MASK,
      truncated: (rows & TRUNCATED_BIT) !== 0,
      raw: (rows & RAW_BIT) !== 0,
    });
  }
  return {
    ranges,
    startsAtFirst: lo === 0 && ranges.length > 0,
    runsToEnd: i === count && ranges.length > 0,
  };
}

/** Every entry of a whole locator object, in trace ID order (prefixes only). */
export function* locatorEntries(locator: Uint8Array): Generator<RowRange & { prefix: Uint8Array }> {
  const header = LocatorHeader.decode(locator);
  const view = Buffer.from(locator.buffer, locator.byteOffset, locator.byteLength);
  const at = LocatorHeader.bytesFor(header.shards);
  for (let i = 0; i < header.entries; i++) {
    const entry = at + i * ENTRY_BYTES;
    const rows = view.readUInt32LE(entry + 12);
    yield {
      prefix: view.subarray(entry, entry + PREFIX_BYTES),
      firstRow: view.readUInt32LE(entry + 8),
      rows: rows & COUNT_MASK,
      truncated: (rows & TRUNCATED_BIT) !== 0,
      raw: (rows & RAW_BIT) !== 0,
    };
  }
}

/** First rows (or, with `raw`, raw-traces offsets) of the traces a whole locator marks truncated. */
export function truncatedAt(locator: Uint8Array, raw: boolean): Set<number> {
  const out = new Set<number>();
  for (const entry of locatorEntries(locator))
    if (entry.truncated && entry.raw === raw) out.add(entry.firstRow);
  return out;
}
