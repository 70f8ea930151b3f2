import { promisify } from 'node:util';
import { brotliDecompress, crc32 } from 'node:zlib';
import type { Backend, BackendCallOptions } from '../../backend/backend';
import { blockObjectKey } from '../../block-keys';
import { compareTraceIds, traceIdFromHex } from '../../trace-id';
import type { BlockMeta, TraceRecord } from '../../types';
import type { BlockReader, BuiltBlock, FoundTrace } from '../block-format';
import { BLOOM_OBJECT_PREFIX, BloomShard, bloomShardFor, bloomShardName } from './bloom';
import { PageIndex, type PageIndexEntry } from './page-index';
import { findRecordInPage, pageRecords } from './page-records';
import { DATA_OBJECT, INDEX_OBJECT } from './v1-layout';

// Runs on libuv's thread pool, so decompressing a page never stalls the event loop.
const decompress = promisify(brotliDecompress);

/**
 * Reads one immutable `loupe-v1` block. The page index and bloom shards are small and never
 * change, so they are cached after their first read; a warm lookup then costs one ranged read
 * of `data`.
 */
export class V1BlockReader implements BlockReader {
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
  static fromBuilt(backend: Backend, built: BuiltBlock): V1BlockReader {
    const reader = new V1BlockReader(backend, built.meta);
    for (const object of built.objects) {
      if (object.name === INDEX_OBJECT) {
        reader.index = PageIndex.decode(object.data);
      } else if (object.name.startsWith(BLOOM_OBJECT_PREFIX)) {
        const shard = BloomShard.fromBytes(object.data);
        reader.shards[shard.index] = shard;
      }
    }
    return reader;
  }

  inRange(traceId: Uint8Array): boolean {
    return compareTraceIds(traceId, this.minTraceId) >= 0 && compareTraceIds(traceId, this.maxTraceId) <= 0;
  }

  /**
   * Bloom shard, then index, then one page. `signal` reaches only the page read: the shard and
   * index loads are shared by concurrent lookups, and one lookup giving up must not fail the others.
   */
  async findTrace(traceId: Uint8Array, options: BackendCallOptions = {}): Promise<FoundTrace | undefined> {
    if (!this.inRange(traceId)) return undefined;
    const shard = await this.bloomShard(bloomShardFor(traceId, this.meta.bloomShards));
    if (!shard.mayContain(traceId)) return undefined;
    const index = await this.pageIndex();
    const page = index.pageFor(traceId);
    if (page < 0) return undefined;
    const record = findRecordInPage(await this.readPage(index.entry(page), options), traceId);
    return record && { data: record.data, truncated: record.truncated };
  }

  /** One page read at a time. */
  async *traces(): AsyncGenerator<TraceRecord> {
    const index = await this.pageIndex();
    for (let page = 0; page < index.pageCount; page++) {
      yield* pageRecords(await this.readPage(index.entry(page)));
    }
  }

  private async readPage(entry: PageIndexEntry, options: BackendCallOptions = {}): Promise<Buffer> {
    const key = this.key(DATA_OBJECT);
    const compressed = await this.backend.readRange(key, entry.offset, entry.compressedLength, options);
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
