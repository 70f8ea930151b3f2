import { randomTraceId, seededRandom } from '../../store-test-support';
import { BloomShard, bloomParameters, bloomShardFor, ShardedBloom } from './bloom';

/** IDs like 000…0001, 000…0002: what padded 64-bit IDs or counters look like. */
function paddedId(n: number): Uint8Array {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(12, n);
  return id;
}

function falsePositiveRate(bloom: ShardedBloom, absent: Uint8Array[]): number {
  return absent.filter((id) => bloom.mayContain(id)).length / absent.length;
}

describe('bloom filter', () => {
  it('finds every ID it was given and about 1% of others at the default target', () => {
    const random = seededRandom(7);
    const present = Array.from({ length: 20_000 }, () => randomTraceId(random));
    const absent = Array.from({ length: 100_000 }, () => randomTraceId(random));
    const bloom = ShardedBloom.forItems(present.length);
    for (const id of present) bloom.add(id);

    expect(present.every((id) => bloom.mayContain(id))).toBe(true);
    const rate = falsePositiveRate(bloom, absent);
    expect(rate).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.015);
  });

  it('keeps the target rate for low-entropy, padded IDs', () => {
    const present = Array.from({ length: 20_000 }, (_, i) => paddedId(i + 1));
    const absent = Array.from({ length: 100_000 }, (_, i) => paddedId(1_000_000 + i));
    const bloom = ShardedBloom.forItems(present.length, 0.01, 4096);
    for (const id of present) bloom.add(id);

    expect(present.every((id) => bloom.mayContain(id))).toBe(true);
    const rate = falsePositiveRate(bloom, absent);
    expect(rate).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.015);
    // Sequential IDs spread over all shards rather than crowding one.
    const perShard = new Array(bloom.shardCount).fill(0);
    for (const id of present) perShard[bloomShardFor(id, bloom.shardCount)]++;
    const expected = present.length / bloom.shardCount;
    for (const count of perShard) expect(Math.abs(count - expected)).toBeLessThan(expected * 0.2);
  });

  it('follows a stricter target when asked', () => {
    const random = seededRandom(11);
    const present = Array.from({ length: 10_000 }, () => randomTraceId(random));
    const absent = Array.from({ length: 200_000 }, () => randomTraceId(random));
    const bloom = ShardedBloom.forItems(present.length, 0.001);
    for (const id of present) bloom.add(id);

    expect(falsePositiveRate(bloom, absent)).toBeLessThan(0.002);
  });

  it('splits into shards no larger than the shard size, each usable on its own', () => {
    const random = seededRandom(3);
    const present = Array.from({ length: 50_000 }, () => randomTraceId(random));
    const shardSizeBytes = 16 * 1024;
    const bloom = ShardedBloom.forItems(present.length, 0.01, shardSizeBytes);
    for (const id of present) bloom.add(id);

    const { bits } = bloomParameters(present.length, 0.01);
    expect(bloom.shardCount).toBe(Math.ceil(bits / 8 / shardSizeBytes));
    for (const shard of bloom.shards) expect(shard.sizeBytes).toBeLessThanOrEqual(shardSizeBytes);

    // A reader loads just the shard an ID maps to, from its serialised bytes.
    const restored = bloom.shards.map((shard) => BloomShard.fromBytes(shard.toBytes()));
    for (const id of present) {
      const shard = restored[bloomShardFor(id, restored.length)];
      expect(shard.mayContain(id)).toBe(true);
    }
  });

  it('keeps a tiny filter in one shard and serves an empty block', () => {
    const bloom = ShardedBloom.forItems(0);
    expect(bloom.shardCount).toBe(1);
    expect(bloom.mayContain(paddedId(1))).toBe(false);
    const one = ShardedBloom.forItems(1);
    one.add(paddedId(1));
    expect(one.mayContain(paddedId(1))).toBe(true);
  });

  it('refuses bytes that are not a bloom shard, and IDs of the wrong length', () => {
    expect(() => BloomShard.fromBytes(new Uint8Array(64))).toThrow(/not a bloom shard/);
    expect(() => ShardedBloom.forItems(10).add(new Uint8Array(8))).toThrow(RangeError);
  });
});
