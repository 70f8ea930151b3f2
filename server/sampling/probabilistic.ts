/**
 * The collector's probabilistic tail-sampling policy, bit for bit: a trace is sampled when
 * FNV-1a-64(salt bytes ‖ trace ID bytes) <= threshold, where threshold is
 * (2^64 − 1) × (percentage / 100) computed as Go's `math/big` does it (64-bit mantissa, round to
 * nearest even, then truncated to an integer). Every Loupe instance, and any collector with the
 * same salt and percentage, keeps the same traces. `probabilistic.test.ts` holds values
 * computed by the collector's own code (testdata/collector-vectors.go).
 */

/** The salt the collector uses when `hash_salt` is empty. */
export const DEFAULT_HASH_SALT = 'default-hash-seed';

const MAX_UINT64 = (1n << 64n) - 1n;

export interface ProbabilisticSampler {
  readonly threshold: bigint;
  /** Whether the trace with these ID bytes is sampled. */
  sampled(traceId: Uint8Array): boolean;
}

export function newProbabilisticSampler(hashSalt: string, samplingPercentage: number): ProbabilisticSampler {
  const threshold = collectorThreshold(samplingPercentage / 100);
  const thresholdHi = Number(threshold >> 32n);
  const thresholdLo = Number(threshold & 0xffffffffn);
  // FNV is a stream: hash the salt once, start every trace from there.
  const salted = fnv1a64Limbs(FNV_OFFSET_BASIS, Buffer.from(hashSalt || DEFAULT_HASH_SALT, 'utf8'));
  return {
    threshold,
    sampled(traceId) {
      const h = fnv1a64Limbs(salted, traceId);
      const hi = h[3] * 65536 + h[2];
      return hi < thresholdHi || (hi === thresholdHi && h[1] * 65536 + h[0] <= thresholdLo);
    },
  };
}

/** FNV-1a 64 of the bytes, as a bigint (tests and callers outside the hot path). */
export function fnv1a64(bytes: Uint8Array, seed: readonly number[] = FNV_OFFSET_BASIS): bigint {
  const h = fnv1a64Limbs(seed, bytes);
  return (BigInt(h[3] * 65536 + h[2]) << 32n) | BigInt(h[1] * 65536 + h[0]);
}

/** 0xcbf29ce484222325 as four 16-bit limbs, least significant first. */
const FNV_OFFSET_BASIS: readonly number[] = [0x2325, 0x8422, 0x9ce4, 0xcbf2];

/**
 * FNV-1a 64 over `bytes` from state `seed`, in 16-bit limbs so no step leaves a double's exact
 * range: the prime is 2^40 + 0x1b3, so limb i of the product is h[i]·0x1b3 + h[i−2]·0x100.
 */
function fnv1a64Limbs(seed: readonly number[], bytes: Uint8Array): number[] {
  let h0 = seed[0];
  let h1 = seed[1];
  let h2 = seed[2];
  let h3 = seed[3];
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i];
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h0, h1, h2, h3];
}

/**
 * `calculateThreshold` of the collector: `new(big.Float).SetInt(MaxUint64)` has a 64-bit
 * mantissa, so `Mul` by the float64 ratio rounds the exact product to 64 significant bits
 * (nearest, ties to even), and `Uint64()` truncates toward zero, clamping to [0, 2^64 − 1].
 */
export function collectorThreshold(ratio: number): bigint {
  if (Number.isNaN(ratio)) return 0n; // Go's big.NewFloat panics; a config check refuses NaN first
  if (ratio <= 0) return 0n;
  if (!Number.isFinite(ratio)) return MAX_UINT64;
  const { mantissa, exponent } = decompose(ratio);
  let product = MAX_UINT64 * mantissa; // exact: value = product × 2^exponent
  let scale = exponent;
  const excess = product.toString(2).length - 64;
  if (excess > 0) {
    const shift = BigInt(excess);
    const half = 1n << (shift - 1n);
    const rest = product & ((1n << shift) - 1n);
    let kept = product >> shift;
    if (rest > half || (rest === half && (kept & 1n) === 1n)) kept += 1n;
    product = kept;
    scale += excess;
  }
  const whole = scale >= 0 ? product << BigInt(scale) : product >> BigInt(-scale);
  return whole > MAX_UINT64 ? MAX_UINT64 : whole;
}

/** A positive finite double as mantissa × 2^exponent, both exact. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return biased === 0
    ? { mantissa: fraction, exponent: -1074 } // subnormal
    : { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}
