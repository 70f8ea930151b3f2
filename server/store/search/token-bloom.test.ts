import { describe, expect, it } from 'vitest';
import { ROW_GROUP_BLOOM_FALSE_POSITIVE, ROW_GROUP_BLOOM_MAX_BYTES } from './search-layout';
import { TokenBloom, tokenHash } from './token-bloom';

/** Row-group blooms decide which row groups a search reads: no false negatives, and false positives near the target. */

/** Deterministic random tokens shaped like the real ones (scope, key, typed value). */
function randomTokens(count: number, seed: number): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const key = ['user.id', 'customer.id', 'url.full', 'http.route'][next() % 4];
    out.push(tokenHash('span', key, `"${next().toString(36)}-${next().toString(36)}`));
  }
  return out;
}

describe('TokenBloom', () => {
  const N = 100_000;
  const added = randomTokens(N, 1);
  const bloom = TokenBloom.forItems(N, ROW_GROUP_BLOOM_FALSE_POSITIVE, ROW_GROUP_BLOOM_MAX_BYTES);
  for (const t of added) bloom.addHash(t);

  it('says yes to every token it holds, also after a trip through base64', () => {
    const loaded = TokenBloom.fromBase64(bloom.toBase64(), bloom.hashes);
    expect(added.filter((t) => !bloom.mayContainHash(t))).toHaveLength(0);
    expect(added.filter((t) => !loaded.mayContainHash(t))).toHaveLength(0);
  });

  it(`has a false-positive rate near ${ROW_GROUP_BLOOM_FALSE_POSITIVE} on ${N} tokens it does not hold`, () => {
    const held = new Set(added);
    const others = randomTokens(N, 2).filter((t) => !held.has(t));
    const rate = others.filter((t) => bloom.mayContainHash(t)).length / others.length;
    expect(rate).toBeGreaterThan(ROW_GROUP_BLOOM_FALSE_POSITIVE / 3);
    expect(rate).toBeLessThan(ROW_GROUP_BLOOM_FALSE_POSITIVE * 2);
  });

  it('keeps near its target for small filters too', () => {
    for (const n of [50, 1000]) {
      const small = TokenBloom.forItems(n, ROW_GROUP_BLOOM_FALSE_POSITIVE, ROW_GROUP_BLOOM_MAX_BYTES);
      for (const t of randomTokens(n, 3)) small.addHash(t);
      const probes = randomTokens(50_000, 4);
      const rate = probes.filter((t) => small.mayContainHash(t)).length / probes.length;
      expect(rate, `${n} tokens`).toBeLessThan(ROW_GROUP_BLOOM_FALSE_POSITIVE * 2.5);
    }
  });

  it('never grows past its byte cap', () => {
    const capped = TokenBloom.forItems(10_000_000, ROW_GROUP_BLOOM_FALSE_POSITIVE, ROW_GROUP_BLOOM_MAX_BYTES);
    expect(capped.byteLength).toBeLessThanOrEqual(ROW_GROUP_BLOOM_MAX_BYTES);
  });

  it('hashes the parts of a token apart: moving the separator makes another token', () => {
    expect(tokenHash('span', 'a.b', 'c')).not.toBe(tokenHash('span', 'a', 'b.c'));
    expect(tokenHash('span', 'ab')).not.toBe(tokenHash('span', 'a', 'b'));
    expect(tokenHash('span', 'k', '"200')).not.toBe(tokenHash('span', 'k', '#200'));
    expect(Number.isSafeInteger(tokenHash('resource', 'service.name', '"frontend'))).toBe(true);
  });
});
