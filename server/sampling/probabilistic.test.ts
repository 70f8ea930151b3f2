import { createHash, randomBytes } from 'node:crypto';
import { compileSamplingPolicies } from './policies';
import { collectorThreshold, DEFAULT_HASH_SALT, fnv1a64, newProbabilisticSampler } from './probabilistic';
import { decideTrace, newTraceId, oneResource, simpleSpan } from './test-traces';

/*
 * Expected values below were printed by testdata/collector-vectors.go, which runs the
 * collector's own `calculateThreshold` and `hashTraceID` (Go 1.19, hash/fnv and math/big):
 * `go run server/sampling/testdata/collector-vectors.go`.
 */

const GO_THRESHOLDS: [number, bigint][] = [
  [0, 0x0000000000000000n],
  [0.001, 0x0000a7c5ac471b47n],
  [0.1, 0x004189374bc6a7efn],
  [1, 0x028f5c28f5c28f5fn],
  [10, 0x19999999999999ffn],
  [12.5, 0x1fffffffffffffffn],
  [25, 0x3fffffffffffffffn],
  [33, 0x547ae147ae147bffn],
  [33.3, 0x553f7ced91686fffn],
  [50, 0x7fffffffffffffffn],
  [99.9, 0xffbe76c8b4395fffn],
  [100, 0xffffffffffffffffn],
  [150, 0xffffffffffffffffn],
  [-50, 0x0000000000000000n],
];

const GO_HASHES: [string, string, bigint][] = [
  ['default-hash-seed', '00000000000000000000000000000000', 0xe19536eed1bbac3dn],
  ['default-hash-seed', 'ffffffffffffffffffffffffffffffff', 0x17bec3739634fe2dn],
  ['default-hash-seed', '0102030405060708090a0b0c0d0e0f10', 0xdbcf64d5420f4cadn],
  ['default-hash-seed', '4bf92f3577b34da6a3ce929d0e0e4736', 0xa54533ba2e4970b5n],
  ['default-hash-seed', '65fb481fdb170ecdd9187c0a6bc523df', 0x45f46f04d22ba002n],
  ['default-hash-seed', 'd6144bdf374762f88e26d008449dab9b', 0xc925bbbac1846e18n],
  ['test-salt', '00000000000000000000000000000000', 0x8149711e69875cc0n],
  ['test-salt', 'ffffffffffffffffffffffffffffffff', 0x49f70bce284974b0n],
  ['test-salt', '0102030405060708090a0b0c0d0e0f10', 0x08ee52deda923930n],
  ['test-salt', '4bf92f3577b34da6a3ce929d0e0e4736', 0xabb7bd9f983cd93cn],
  ['test-salt', '65fb481fdb170ecdd9187c0a6bc523df', 0x7e853b90a9b3cf6bn],
  ['test-salt', 'd6144bdf374762f88e26d008449dab9b', 0x6646df67decb3c4dn],
  ['sälz', '00000000000000000000000000000000', 0xc169be1f8a31dcb3n],
  ['sälz', 'ffffffffffffffffffffffffffffffff', 0x0e4ab0e3ba942ca3n],
  ['sälz', '0102030405060708090a0b0c0d0e0f10', 0xbeb530be8688ddd3n],
  ['sälz', '4bf92f3577b34da6a3ce929d0e0e4736', 0x53531dc4228e4d3bn],
  ['sälz', '65fb481fdb170ecdd9187c0a6bc523df', 0x528ca83d6667cfacn],
  ['sälz', 'd6144bdf374762f88e26d008449dab9b', 0x9bfc71ad1ee51aa6n],
];

/** Sampled counts among the 100k corpus IDs, by the collector's code. */
const GO_CORPUS_COUNTS: [string, number, number][] = [
  ['default-hash-seed', 10, 10042],
  ['default-hash-seed', 33, 33062],
  ['test-salt', 33, 33106],
  ['default-hash-seed', 0.1, 110],
  ['default-hash-seed', 50, 50130],
];

/** The corpus both sides can make: the first 16 bytes of sha256("loupe-sampling-<i>"). */
function corpusId(i: number): Buffer {
  return createHash('sha256').update(`loupe-sampling-${i}`).digest().subarray(0, 16);
}

describe('probabilistic policy', () => {
  it("computes the collector's threshold for each percentage, to the last bit", () => {
    for (const [percentage, expected] of GO_THRESHOLDS) {
      expect([percentage, collectorThreshold(percentage / 100)]).toEqual([percentage, expected]);
    }
  });

  it("hashes salt and trace ID as the collector's FNV-1a 64 does", () => {
    for (const [salt, idHex, expected] of GO_HASHES) {
      const bytes = Buffer.concat([Buffer.from(salt, 'utf8'), Buffer.from(idHex, 'hex')]);
      expect([salt, idHex, fnv1a64(bytes)]).toEqual([salt, idHex, expected]);
    }
    // The FNV reference vectors, as a check of the arithmetic itself.
    expect(fnv1a64(Buffer.alloc(0))).toBe(0xcbf29ce484222325n);
    expect(fnv1a64(Buffer.from('a'))).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv1a64(Buffer.from('foobar'))).toBe(0x85944171f73967e8n);
  });

  it('decides each vector as hash <= threshold, with the default salt for an empty one', () => {
    for (const [salt, idHex, hash] of GO_HASHES) {
      for (const [percentage, threshold] of GO_THRESHOLDS) {
        const sampler = newProbabilisticSampler(salt === DEFAULT_HASH_SALT ? '' : salt, percentage);
        expect(sampler.sampled(Buffer.from(idHex, 'hex'))).toBe(hash <= threshold);
      }
    }
  });

  it('keeps exactly the traces the collector keeps among 100k IDs', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => corpusId(i));
    for (const [salt, percentage, goCount] of GO_CORPUS_COUNTS) {
      const sampler = newProbabilisticSampler(salt, percentage);
      const count = ids.filter((id) => sampler.sampled(id)).length;
      expect([salt, percentage, count]).toEqual([salt, percentage, goCount]);
    }
  });

  it('keeps about the configured share of 100k random trace IDs', () => {
    const random = randomBytes(16 * 100_000);
    for (const percentage of [1, 10, 25, 33, 50, 90]) {
      const sampler = newProbabilisticSampler('', percentage);
      let sampled = 0;
      for (let i = 0; i < 100_000; i++) if (sampler.sampled(random.subarray(16 * i, 16 * i + 16))) sampled++;
      // The collector's own test allows 0.2 points; 4 standard deviations at 50% is 0.63.
      expect(Math.abs((sampled / 100_000) * 100 - percentage)).toBeLessThan(0.7);
    }
  });

  it('decides on the trace ID passed to decide, whatever the spans', () => {
    const policies = [{ name: 'p', type: 'probabilistic', probabilistic: { sampling_percentage: 50 } }];
    const traceId = Buffer.from('4bf92f3577b34da6a3ce929d0e0e4736', 'hex'); // hash 0xa545… > 2^63 − 1
    const kept = Buffer.from('65fb481fdb170ecdd9187c0a6bc523df', 'hex'); // hash 0x45f4… < 2^63 − 1
    expect(decideTrace(policies, oneResource([simpleSpan(traceId, 'a', 0)]), traceId)).toMatchObject({
      keep: false,
      reason: 'not-sampled',
    });
    expect(decideTrace(policies, oneResource([simpleSpan(kept, 'a', 0)]), kept)).toEqual({
      keep: true,
      policy: 'p',
      subPolicy: undefined,
      reason: 'sampled',
    });
    const all = compileSamplingPolicies([
      { name: 'all', type: 'probabilistic', probabilistic: { sampling_percentage: 100 } },
    ]);
    expect(all.decide(all.newSummary(), newTraceId(), 0).keep).toBe(true);
  });
});
