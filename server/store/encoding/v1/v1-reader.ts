import { promisify } from 'node:util';
import { brotliDecompress, crc32 } from 'node:zlib';
import type { Backend, BackendCallOptions } from '../../backend/backend';
import { CachingBackend } from '../../backend/cache/caching-backend';
import { blockObjectKey } from '../../block-keys';
import type { BlockMeta, TraceRecord } from '../../types';
import type { BlockReader, BuiltBlock, FoundTrace } from '../block-format';
import { TraceIdRange } from '../block-traces';
import { BLOOM_OBJECT_PREFIX, BloomShard, bloomShardFor, bloomShardName } from './bloom';
import { PageIndex, type PageIndexEntry } from './page-index';
import { findRecordInPage, pageRecords } from './page-records';
import { DATA_OBJECT, INDEX_OBJECT } from './v1-layout';

// Runs on libuv's thread pool, so decompressing a page never stalls the event loop.
const decompress = promisify(brotliDecompress);

/**
 * Reads one immutable `loupe-v1` block. It keeps nothing of the block but its meta: the page
 * index and bloom shards are asked of the backend on every lookup, and the block cache
 * (`CachingBackend`, byte-bounded and shared by all blocks) answers those from memory, so a warm
 * lookup costs one ranged read of `data` while memory stays bounded however many blocks there
 * are. Decoding them again per lookup is only a header check (both are used in place).
 */
export class V1BlockReader implements BlockReader {
  private readonly range: TraceIdRange;

  constructor(
    private readonly backend: Backend,
    readonly meta: BlockMeta,
  ) {
    this.range = new TraceIdRange(meta);
  }

  /**
   * A reader for a block just built in this process: its index and bloom shards go into the
   * block cache's memory tier (when the backend has one), so first lookups read only `data`.
   */
  static fromBuilt(backend: Backend, built: BuiltBlock): V1BlockReader {
    const reader = new V1BlockReader(backend, built.meta);
    if (backend instanceof CachingBackend) {
      for (const object of built.objects) {
        if (object.name === INDEX_OBJECT || object.name.startsWith(BLOOM_OBJECT_PREFIX)) {
          backend.warm(reader.key(object.name), object.data);
        }
      }
    }
    return reader;
  }

  inRange(traceId: Uint8Array): boolean {
    return this.range.holds(traceId);
  }

  /** Bloom shard, then index, then one page; `signal` gives up on any of the three. */
  async findTrace(traceId: Uint8Array, options: BackendCallOptions = {}): Promise<FoundTrace | undefined> {
    if (!this.inRange(traceId)) return undefined;
    const shardName = bloomShardName(bloomShardFor(traceId, this.meta.bloomShards));
    const shard = BloomShard.fromBytes(await this.readObject(shardName, options));
    if (!shard.mayContain(traceId)) return undefined;
    const index = await this.pageIndex(options);
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

  private async pageIndex(options: BackendCallOptions = {}): Promise<PageIndex> {
    return PageIndex.decode(await this.readObject(INDEX_OBJECT, options));
  }

  private async readObject(name: string, options: BackendCallOptions): Promise<Buffer> {
    const bytes = await this.backend.read(this.key(name), options);
    if (!bytes) throw new Error(`${this.key(name)} is missing`);
    return bytes;
  }

  private key(name: string): string {
    return blockObjectKey(this.meta.tenantId, this.meta.blockId, name);
  }
}
