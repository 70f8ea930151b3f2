import { promisify } from 'node:util';
import { brotliDecompress, crc32 } from 'node:zlib';
import type { Backend } from './backend/backend';
import { blockObjectKey, DATA_OBJECT, INDEX_OBJECT } from './block-layout';
import type { BuiltBlock } from './block-writer';
import { BloomShard, bloomShardFor, bloomShardName } from './bloom';
import { PageIndex, type PageIndexEntry } from './page-index';
import { findRecordInPage, pageRecords } from './page-records';
import { compareTraceIds, traceIdFromHex } from './trace-id';
import type { BlockMeta, TraceRecord } from './types';

// Runs on libuv's thread pool, so decompressing a page never stalls the event loop.
const decompress = promisify(brotliDecompress);

export interface FoundTrace {
  data: Uint8Array;
  truncated: boolean;
}

/**
 * Reads one immutable block. The page index and bloom shards are small and never change, so they
 * are cached after their first read; a warm lookup then costs one ranged read of `data`.
 */
export class BlockReader {
  private index: PageIndex | undefined;
  private indexLoading: Promise<PageIndex> | undefined;
  private readonly shards: (BloomShard | undefined)[];
  private readonly shardsLoading = new Map<number, Promise<BloomShard>>();
  private readonly minTraceId: Uint8Array;
  private readonly maxTraceId: Uint8Array;

  constructor(
    private readonly backend: Backend,
    readonly meta: BlockMeta,
  ) {
    if (!Number.isInteger(meta.bloomShards) || meta.bloomShards < 1) {
      throw new Error(`block ${meta.blockId}: meta.json has no bloom shards`);
    }
    this.shards = new Array(meta.bloomShards).fill(undefined);
    this.minTraceId = traceIdFromHex(meta.minTraceId);
    this.maxTraceId = traceIdFromHex(meta.maxTraceId);
  }

  /** A reader for a block just built in this process: index and bloom come from memory, not reads. */
  static fromBuilt(backend: Backend, built: BuiltBlock): BlockReader {
    const reader = new BlockReader(backend, built.meta);
    for (const object of built.objects) {
      if (object.name === INDEX_OBJECT) {
        reader.index = PageIndex.decode(object.data);
      } else if (object.name.startsWith('bloom-')) {
        const shard = BloomShard.fromBytes(object.data);
        reader.shards[shard.index] = shard;
      }
    }
    return reader;
  }

  /** False when the ID is outside this block's [min, max]: no I/O at all. */
  inRange(traceId: Uint8Array): boolean {
    return compareTraceIds(traceId, this.minTraceId) >= 0 && compareTraceIds(traceId, this.maxTraceId) <= 0;
  }

  async findTrace(traceId: Uint8Array): Promise<FoundTrace | undefined> {
    if (!this.inRange(traceId)) return undefined;
    const shard = await this.bloomShard(bloomShardFor(traceId, this.meta.bloomShards));
    if (!shard.mayContain(traceId)) return undefined;
    const index = await this.pageIndex();
    const page = index.pageFor(traceId);
    if (page < 0) return undefined;
    const record = findRecordInPage(await this.readPage(index.entry(page)), traceId);
    return record && { data: record.data, truncated: record.truncated };
  }

  /** Every trace of the block in trace ID order, one page read at a time (for compaction). */
  async *traces(): AsyncGenerator<TraceRecord> {
    const index = await this.pageIndex();
    for (let page = 0; page < index.pageCount; page++) {
      yield* pageRecords(await this.readPage(index.entry(page)));
    }
  }

  private async readPage(entry: PageIndexEntry): Promise<Buffer> {
    const key = this.key(DATA_OBJECT);
    const compressed = await this.backend.readRange(key, entry.offset, entry.compressedLength);
    if (crc32(compressed) !== entry.crc32) {
      throw new Error(`${key}: checksum mismatch in the page at offset ${entry.offset}`);
    }
    // One output chunk the size of the page: a single trip to the thread pool and no re-assembly
    // (the default 16 KiB chunks cost a round trip and a copy each).
    const page = await decompress(compressed, { chunkSize: Math.max(64, entry.uncompressedLength) });
    if (page.length !== entry.uncompressedLength) {
      throw new Error(`${key}: page at offset ${entry.offset} decompressed to ${page.length} bytes`);
    }
    return page;
  }

  private pageIndex(): Promise<PageIndex> {
    if (this.index) return Promise.resolve(this.index);
    // Concurrent first lookups share one read; a failed read is forgotten so the next one retries.
    this.indexLoading ??= this.readObject(INDEX_OBJECT).then(
      (bytes) => {
        this.index = PageIndex.decode(bytes);
        this.indexLoading = undefined;
        return this.index;
      },
      (err) => {
        this.indexLoading = undefined;
        throw err;
      },
    );
    return this.indexLoading;
  }

  private bloomShard(i: number): Promise<BloomShard> {
    const cached = this.shards[i];
    if (cached) return Promise.resolve(cached);
    let loading = this.shardsLoading.get(i);
    if (!loading) {
      loading = this.readObject(bloomShardName(i))
        .then((bytes) => {
          const shard = BloomShard.fromBytes(bytes);
          this.shards[i] = shard;
          return shard;
        })
        .finally(() => this.shardsLoading.delete(i));
      this.shardsLoading.set(i, loading);
    }
    return loading;
  }

  private async readObject(name: string): Promise<Buffer> {
    const bytes = await this.backend.read(this.key(name));
    if (!bytes) throw new Error(`${this.key(name)} is missing`);
    return bytes;
  }

  private key(name: string): string {
    return blockObjectKey(this.meta.tenantId, this.meta.blockId, name);
  }
}
