import type { Backend, BackendCallOptions } from '../../backend/backend';
import { CachingBackend } from '../../backend/cache/caching-backend';
import { blockObjectKey } from '../../block-keys';
import {
  type ParquetLayout,
  parquetLayoutOf,
  type ReadRange,
  readParquetLayout,
  readRowRange,
} from '../../search/parquet/row-range-reader';
import { SIDECAR_OBJECT } from '../../search/search-layout';
import { compareTraceIds } from '../../trace-id';
import type { BlockMeta, TraceRecord } from '../../types';
import type { BlockReader, BuiltBlock, FoundTrace } from '../block-format';
import { TraceIdRange } from '../block-traces';
import { BLOOM_OBJECT_PREFIX, BloomShard, bloomShardFor, bloomShardName } from '../v1/bloom';
import { compactionRecords } from './compaction-records';
import { lookupColumns, tracesFromRows } from './rows-to-otlp';
import { candidatesInShard, LOCATOR_OBJECT, LocatorHeader, type RowRange } from './trace-locator';
import { RAW_HEADER_BYTES, RAW_TRACES_OBJECT } from './v2-layout';

/**
 * Parsed Parquet footers of recently read blocks, shared by every reader: a footer with its
 * offset indexes is parsed once per block instead of per lookup, and memory stays bounded
 * however many blocks there are.
 */
const LAYOUTS_KEPT = 64;
const NO_GROUPS: ReadonlySet<number> = new Set();
const layouts = new Map<string, Promise<ParquetLayout>>();

/**
 * Reads one immutable `loupe-v2` block: a trace is found through the bloom filter and the trace
 * locator, and rebuilt from its rows of the Parquet file (`rows-to-otlp.ts`). Bloom shards and
 * locator shards come through the block cache like `loupe-v1`'s index; the locator's header
 * (8 bytes per 4,096 traces) is kept by the reader.
 */
export class V2BlockReader implements BlockReader {
  private readonly range: TraceIdRange;
  private header: Promise<LocatorHeader> | undefined;

  constructor(
    private readonly backend: Backend,
    readonly meta: BlockMeta,
  ) {
    this.range = new TraceIdRange(meta);
  }

  /** A reader for a block just built here: bloom shards warmed, the footer parsed from memory. */
  static fromBuilt(backend: Backend, built: BuiltBlock): V2BlockReader {
    const reader = new V2BlockReader(backend, built.meta);
    for (const object of built.objects) {
      if (object.name.startsWith(BLOOM_OBJECT_PREFIX) && backend instanceof CachingBackend)
        backend.warm(reader.key(object.name), object.data);
      if (object.name === LOCATOR_OBJECT) reader.header = Promise.resolve(LocatorHeader.decode(object.data));
      if (object.name === SIDECAR_OBJECT)
        remember(reader.key(SIDECAR_OBJECT), Promise.resolve(parquetLayoutOf(object.data)));
    }
    return reader;
  }

  inRange(traceId: Uint8Array): boolean {
    return this.range.holds(traceId);
  }

  /** Bloom shard, locator shard, then the trace's rows (one ranged read of the Parquet file). */
  async findTrace(traceId: Uint8Array, options: BackendCallOptions = {}): Promise<FoundTrace | undefined> {
    if (!this.inRange(traceId)) return undefined;
    const shardName = bloomShardName(bloomShardFor(traceId, this.meta.bloomShards));
    const bloom = await this.backend.read(this.key(shardName), options);
    if (!bloom) throw new Error(`${this.key(shardName)} is missing`);
    if (!BloomShard.fromBytes(bloom).mayContain(traceId)) return undefined;
    for (const range of await this.candidates(traceId, options)) {
      const found = await this.readTrace(range, traceId, options);
      if (found) return found;
    }
    return undefined;
  }

  /** Every trace, rebuilt, in trace ID order (for compaction): the whole file is read once. */
  async *traces(): AsyncGenerator<TraceRecord> {
    const parquet = this.meta.search ? await this.backend.read(this.key(SIDECAR_OBJECT)) : undefined;
    yield* await compactionRecords(this.backend, this.meta, parquet, NO_GROUPS, 0);
  }

  private async candidates(traceId: Uint8Array, options: BackendCallOptions): Promise<RowRange[]> {
    const header = await this.locatorHeader(options);
    const shard = header.shardFor(traceId);
    if (shard < 0) return [];
    const scan = async (s: number) => {
      const { offset, length } = header.shardRange(s);
      const entries = await this.backend.readRange(this.key(LOCATOR_OBJECT), offset, length, options);
      return candidatesInShard(entries, traceId);
    };
    const first = await scan(shard);
    const out = [...first.ranges];
    // Equal 8-byte prefixes may straddle shards: look left and right while they run on.
    let found = first;
    for (let s = shard - 1; found.startsAtFirst && s >= 0; s--) {
      found = await scan(s);
      out.push(...found.ranges);
    }
    found = first;
    for (let s = shard + 1; found.runsToEnd && s < header.shards; s++) {
      found = await scan(s);
      out.push(...found.ranges);
    }
    return out;
  }

  private async readTrace(
    range: RowRange,
    traceId: Uint8Array,
    options: BackendCallOptions,
  ): Promise<FoundTrace | undefined> {
    if (range.raw) {
      const record = await this.backend.readRange(
        this.key(RAW_TRACES_OBJECT),
        range.firstRow,
        range.rows,
        options,
      );
      if (compareTraceIds(record.subarray(0, 16), traceId) !== 0) return undefined;
      return {
        data: record.subarray(RAW_HEADER_BYTES, RAW_HEADER_BYTES + record.readUInt32LE(16)),
        truncated: range.truncated,
      };
    }
    const key = this.key(SIDECAR_OBJECT);
    const read: ReadRange = (offset, length) => this.backend.readRange(key, offset, length, options);
    const layout = await this.layout(read);
    let group = 0;
    let first = range.firstRow;
    while (group < layout.rowGroups.length && first >= layout.rowGroups[group].rows) {
      first -= layout.rowGroups[group].rows;
      group++;
    }
    if (group === layout.rowGroups.length)
      throw new Error(`${key}: row ${range.firstRow} is past the file's rows`);
    const values = await readRowRange(layout, read, group, first, range.rows, lookupColumns(layout));
    const [trace] = tracesFromRows(values, range.rows);
    if (!trace || compareTraceIds(trace.traceId, traceId) !== 0) return undefined;
    return { data: trace.data, truncated: range.truncated };
  }

  private layout(read: ReadRange): Promise<ParquetLayout> {
    const key = this.key(SIDECAR_OBJECT);
    const known = layouts.get(key);
    if (known) {
      layouts.delete(key);
      layouts.set(key, known);
      return known;
    }
    const parquetBytes = this.meta.search?.parquetBytes;
    if (parquetBytes === undefined)
      return Promise.reject(new Error(`block ${this.meta.blockId} has no Parquet file`));
    return remember(key, readParquetLayout(read, parquetBytes));
  }

  private locatorHeader(options: BackendCallOptions): Promise<LocatorHeader> {
    this.header ??= (async () => {
      const key = this.key(LOCATOR_OBJECT);
      const fixed = await this.backend.readRange(key, 0, LocatorHeader.FIXED_BYTES, options);
      const bytes = await this.backend.readRange(
        key,
        0,
        LocatorHeader.bytesFor(LocatorHeader.shardsIn(fixed)),
        options,
      );
      return LocatorHeader.decode(bytes);
    })();
    this.header.catch(() => {
      this.header = undefined;
    });
    return this.header;
  }

  private key(name: string): string {
    return blockObjectKey(this.meta.tenantId, this.meta.blockId, name);
  }
}

function remember(key: string, layout: Promise<ParquetLayout>): Promise<ParquetLayout> {
  layouts.set(key, layout);
  layout.catch(() => layouts.delete(key));
  while (layouts.size > LAYOUTS_KEPT) layouts.delete(layouts.keys().next().value as string);
  return layout;
}
