/**
 * Bloom filter over 16-byte trace IDs, split into shards so a lookup loads only the one shard
 * its ID maps to (Tempo's `bloom_filter_shard_size_bytes`). Each shard serialises to its own
 * object: `bloom-0`, `bloom-1`, … (layout in docs/block-format.md).
 */

export const DEFAULT_BLOOM_FALSE_POSITIVE = 0.01;
export const DEFAULT_BLOOM_SHARD_SIZE_BYTES = 100 * 1024;

const MAGIC = 0x4642504c; // 'LPBF' read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 16;
const MIN_SHARD_BYTES = 8;
// Keeps bit positions below 2^31 so they stay exact in 32-bit integer arithmetic.
const MAX_SHARD_BYTES = 2 ** 28;

// Distinct seeds give the two hash functions of double hashing plus an independent shard choice.
const SEED_H1 = 0x9747b28c;
const SEED_H2 = 0x5bd1e995;
const SEED_SHARD = 0x2545f491;

/**
 * MurmurHash3 (x86, 32-bit) over the 16 ID bytes. Random IDs would not need it, but padded IDs
 * such as `000…0001` (64-bit IDs widened, or test generators) differ in a byte or two; hashing
 * spreads them over the whole filter instead of piling them into a few words.
 */
function hashTraceId(id: Uint8Array, seed: number): number {
  let h = seed;
  for (let i = 0; i < 16; i += 4) {
    let k = id[i] | (id[i + 1] << 8) | (id[i + 2] << 16) | (id[i + 3] << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= 16;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function checkTraceId(id: Uint8Array): void {
  if (id.length !== 16) throw new RangeError(`trace ID must be 16 bytes, got ${id.length}`);
}

/** Which shard holds (or would hold) a trace ID. */
export function bloomShardFor(traceId: Uint8Array, shardCount: number): number {
  checkTraceId(traceId);
  return hashTraceId(traceId, SEED_SHARD) % shardCount;
}

/** Shard objects are named `bloom-<i>`. */
export const BLOOM_OBJECT_PREFIX = 'bloom-';

export function bloomShardName(index: number): string {
  return `${BLOOM_OBJECT_PREFIX}${index}`;
}

/** Bits and hash count for `items` entries at false-positive rate `falsePositive`. */
export function bloomParameters(items: number, falsePositive: number): { bits: number; hashes: number } {
  if (!(falsePositive > 0 && falsePositive < 1)) throw new RangeError('falsePositive must be in (0, 1)');
  const n = Math.max(1, items);
  const bits = Math.ceil((-n * Math.log(falsePositive)) / (Math.LN2 * Math.LN2));
  const hashes = Math.min(30, Math.max(1, Math.round((bits / n) * Math.LN2)));
  return { bits, hashes };
}

/** One shard: a plain bloom filter with its serialised header. */
export class BloomShard {
  private constructor(
    /** Header followed by the bit array; what `toBytes` returns. */
    private readonly bytes: Uint8Array,
    readonly hashes: number,
    readonly index: number,
    readonly shardCount: number,
  ) {}

  static create(sizeBytes: number, hashes: number, index: number, shardCount: number): BloomShard {
    const bytes = new Uint8Array(HEADER_BYTES + sizeBytes);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint8(4, VERSION);
    view.setUint8(5, hashes);
    view.setUint32(8, index, true);
    view.setUint32(12, shardCount, true);
    return new BloomShard(bytes, hashes, index, shardCount);
  }

  static fromBytes(bytes: Uint8Array): BloomShard {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < HEADER_BYTES + 1 || view.getUint32(0, true) !== MAGIC) {
      throw new Error('not a bloom shard');
    }
    if (view.getUint8(4) !== VERSION) throw new Error(`unsupported bloom shard version ${view.getUint8(4)}`);
    const hashes = view.getUint8(5);
    if (hashes < 1) throw new Error('bloom shard has no hash functions');
    return new BloomShard(bytes, hashes, view.getUint32(8, true), view.getUint32(12, true));
  }

  get sizeBytes(): number {
    return this.bytes.length - HEADER_BYTES;
  }

  toBytes(): Uint8Array {
    return this.bytes;
  }

  add(traceId: Uint8Array): void {
    this.probe(traceId, true);
  }

  mayContain(traceId: Uint8Array): boolean {
    return this.probe(traceId, false);
  }

  /** Enhanced double hashing (Dillinger & Manolios): k positions from two hashes. */
  private probe(traceId: Uint8Array, set: boolean): boolean {
    checkTraceId(traceId);
    const bitCount = this.sizeBytes * 8;
    let a = hashTraceId(traceId, SEED_H1) % bitCount;
    let b = hashTraceId(traceId, SEED_H2) % bitCount;
    const bits = this.bytes;
    for (let i = 0; i < this.hashes; i++) {
      const byte = HEADER_BYTES + (a >>> 3);
      const mask = 1 << (a & 7);
      if (set) bits[byte] |= mask;
      else if ((bits[byte] & mask) === 0) return false;
      a = (a + b) % bitCount;
      b = (b + i + 1) % bitCount;
    }
    return true;
  }
}

/** The whole filter of one block while it is being built (or held entirely in memory). */
export class ShardedBloom {
  private constructor(readonly shards: BloomShard[]) {}

  /**
   * Sized for `items` IDs at `falsePositive`, in as few shards as keep each under
   * `shardSizeBytes`. IDs spread evenly over shards, so each shard gets its share of items.
   */
  static forItems(
    items: number,
    falsePositive = DEFAULT_BLOOM_FALSE_POSITIVE,
    shardSizeBytes = DEFAULT_BLOOM_SHARD_SIZE_BYTES,
  ): ShardedBloom {
    if (!(shardSizeBytes >= MIN_SHARD_BYTES)) {
      throw new RangeError(`bloom shard size must be at least ${MIN_SHARD_BYTES} bytes`);
    }
    const { bits, hashes } = bloomParameters(items, falsePositive);
    const totalBytes = Math.max(MIN_SHARD_BYTES, Math.ceil(bits / 8));
    const shardCount = Math.ceil(totalBytes / Math.min(shardSizeBytes, MAX_SHARD_BYTES));
    const shardBytes = Math.max(MIN_SHARD_BYTES, Math.ceil(totalBytes / shardCount));
    const shards = Array.from({ length: shardCount }, (_, i) =>
      BloomShard.create(shardBytes, hashes, i, shardCount),
    );
    return new ShardedBloom(shards);
  }

  static fromShards(shards: BloomShard[]): ShardedBloom {
    return new ShardedBloom(shards);
  }

  get shardCount(): number {
    return this.shards.length;
  }

  add(traceId: Uint8Array): void {
    this.shards[bloomShardFor(traceId, this.shards.length)].add(traceId);
  }

  mayContain(traceId: Uint8Array): boolean {
    return this.shards[bloomShardFor(traceId, this.shards.length)].mayContain(traceId);
  }
}
