import { brotliCompressSync, crc32 } from 'node:zlib';
import type { BuildBlockOptions, BuiltBlock } from '../block-format';
import { blockMetaOf, checkSortedUnique, traceTotals } from '../block-traces';
import { bloomShardName, ShardedBloom } from './bloom';
import { encodePageIndex, type PageIndexEntry } from './page-index';
import { encodePage, recordSize } from './page-records';
import {
  brotliOptions,
  DATA_OBJECT,
  DEFAULT_BROTLI_QUALITY,
  DEFAULT_PAGE_SIZE_BYTES,
  INDEX_OBJECT,
  V1_FORMAT_ID,
} from './v1-layout';

/**
 * Encodes and compresses a `loupe-v1` block in memory. Synchronous and CPU-only: it runs on a
 * worker thread, and the caller writes the result through a Backend (see `writeBlock`).
 *
 * Traces are packed into pages of at most `pageSizeBytes` uncompressed (a larger trace gets a
 * page of its own), so a lookup reads and decompresses exactly one page.
 */
export function buildV1Block(opts: BuildBlockOptions): BuiltBlock {
  const { traces } = opts;
  if (traces.length === 0) throw new RangeError('a block needs at least one trace');
  checkSortedUnique(traces);
  const pageSize = opts.pageSizeBytes ?? DEFAULT_PAGE_SIZE_BYTES;
  const quality = opts.brotliQuality ?? DEFAULT_BROTLI_QUALITY;

  const bloom = ShardedBloom.forItems(traces.length, opts.bloomFalsePositive, opts.bloomShardSizeBytes);
  const pages: Buffer[] = [];
  const entries: PageIndexEntry[] = [];
  let dataBytes = 0;

  let pageStart = 0;
  let pageBytes = 0;
  const flush = (pageEnd: number) => {
    const page = encodePage(traces, pageStart, pageEnd, pageBytes);
    const compressed = brotliCompressSync(page, brotliOptions(page.length, quality));
    entries.push({
      offset: dataBytes,
      compressedLength: compressed.length,
      uncompressedLength: page.length,
      traceCount: pageEnd - pageStart,
      crc32: crc32(compressed),
      minTraceId: traces[pageStart].traceId,
      maxTraceId: traces[pageEnd - 1].traceId,
    });
    pages.push(compressed);
    dataBytes += compressed.length;
    pageStart = pageEnd;
    pageBytes = 0;
  };

  for (let i = 0; i < traces.length; i++) {
    const trace = traces[i];
    const size = recordSize(trace);
    if (pageBytes > 0 && pageBytes + size > pageSize) flush(i);
    pageBytes += size;
  }
  flush(traces.length);
  const totals = traceTotals(traces, (trace) => bloom.add(trace.traceId));

  const index = encodePageIndex(entries);
  const bloomObjects = bloom.shards.map((shard, i) => ({ name: bloomShardName(i), data: shard.toBytes() }));
  const meta = blockMetaOf(V1_FORMAT_ID, opts, totals, {
    dataBytes,
    indexBytes: index.length,
    bloom: bloomObjects,
    pages: entries.length,
  });
  return {
    meta,
    objects: [
      { name: DATA_OBJECT, data: pages.length === 1 ? pages[0] : Buffer.concat(pages, dataBytes) },
      { name: INDEX_OBJECT, data: index },
      ...bloomObjects,
    ],
  };
}
