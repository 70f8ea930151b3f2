import { compareTraceIds, TRACE_ID_BYTES } from '../../trace-id';

/**
 * The `index` object: where each compressed page sits in `data` and which trace IDs it holds.
 *
 *   header (16 bytes): magic 'LPIX', u16 version, u16 reserved, u32 page count, u32 reserved
 *   entry  (56 bytes each, in trace ID order):
 *        0   8  offset of the page in `data`, u64 LE
 *        8   4  compressed length, u32 LE
 *       12   4  uncompressed length, u32 LE
 *       16   4  trace count, u32 LE
 *       20   4  CRC-32 of the compressed bytes, u32 LE
 *       24  16  smallest trace ID in the page
 *       40  16  largest trace ID in the page
 */
const MAGIC = 0x5849504c; // 'LPIX' read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 16;
export const INDEX_ENTRY_BYTES = 56;

export interface PageIndexEntry {
  offset: number;
  compressedLength: number;
  uncompressedLength: number;
  traceCount: number;
  crc32: number;
  minTraceId: Uint8Array;
  maxTraceId: Uint8Array;
}

export function encodePageIndex(entries: readonly PageIndexEntry[]): Buffer {
  const out = Buffer.alloc(HEADER_BYTES + entries.length * INDEX_ENTRY_BYTES);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt16LE(VERSION, 4);
  out.writeUInt32LE(entries.length, 8);
  entries.forEach((entry, i) => {
    const at = HEADER_BYTES + i * INDEX_ENTRY_BYTES;
    out.writeUInt32LE(entry.offset % 2 ** 32, at);
    out.writeUInt32LE(Math.floor(entry.offset / 2 ** 32), at + 4);
    out.writeUInt32LE(entry.compressedLength, at + 8);
    out.writeUInt32LE(entry.uncompressedLength, at + 12);
    out.writeUInt32LE(entry.traceCount, at + 16);
    out.writeUInt32LE(entry.crc32, at + 20);
    out.set(entry.minTraceId, at + 24);
    out.set(entry.maxTraceId, at + 40);
  });
  return out;
}

/** A decoded index, kept in memory per block; `pageFor` is a binary search over it. */
export class PageIndex {
  private constructor(private readonly bytes: Buffer) {}

  static decode(data: Uint8Array): PageIndex {
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) throw new Error('not a page index');
    if (bytes.readUInt16LE(4) !== VERSION)
      throw new Error(`unsupported page index version ${bytes.readUInt16LE(4)}`);
    const pages = bytes.readUInt32LE(8);
    if (bytes.length !== HEADER_BYTES + pages * INDEX_ENTRY_BYTES) {
      throw new Error(`page index size ${bytes.length} does not match its ${pages} pages`);
    }
    return new PageIndex(bytes);
  }

  get pageCount(): number {
    return (this.bytes.length - HEADER_BYTES) / INDEX_ENTRY_BYTES;
  }

  entry(page: number): PageIndexEntry {
    const at = HEADER_BYTES + page * INDEX_ENTRY_BYTES;
    const b = this.bytes;
    return {
      offset: b.readUInt32LE(at) + b.readUInt32LE(at + 4) * 2 ** 32,
      compressedLength: b.readUInt32LE(at + 8),
      uncompressedLength: b.readUInt32LE(at + 12),
      traceCount: b.readUInt32LE(at + 16),
      crc32: b.readUInt32LE(at + 20),
      minTraceId: b.subarray(at + 24, at + 24 + TRACE_ID_BYTES),
      maxTraceId: b.subarray(at + 40, at + 40 + TRACE_ID_BYTES),
    };
  }

  /** The only page that can hold `traceId`, or -1 when it falls in no page's [min, max]. */
  pageFor(traceId: Uint8Array): number {
    // First page whose largest ID is >= traceId; pages do not overlap, so it is the only candidate.
    let lo = 0;
    let hi = this.pageCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const maxAt = HEADER_BYTES + mid * INDEX_ENTRY_BYTES + 40;
      if (compareTraceIds(this.bytes, traceId, maxAt) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.pageCount) return -1;
    const minAt = HEADER_BYTES + lo * INDEX_ENTRY_BYTES + 24;
    return compareTraceIds(this.bytes, traceId, minAt) <= 0 ? lo : -1;
  }
}
