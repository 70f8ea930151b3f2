import type { Labels } from '../series-model/labels';
import { derived, keyOf, type Sample, withoutName } from './values';

const withoutLeCache = new WeakMap<object, WeakMap<Labels, Labels>>();
const OWNER = {};

interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * `histogram_quantile(q, v)`: groups `_bucket` samples by their labels without `le` and
 * `__name__`, then interpolates linearly inside the bucket holding the q-th rank, exactly as
 * Prometheus's `bucketQuantile` does (including its NaN and ±Inf answers).
 */
export function histogramQuantile(q: number, samples: readonly Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const upperBound = parseBound(le);
    if (Number.isNaN(upperBound)) continue;
    const rest = derived(withoutLeCache, OWNER, s.labels, (l) => {
      const { le: _, ...others } = withoutName(l);
      return others;
    });
    const key = keyOf(rest);
    let group = groups.get(key);
    if (!group) {
      group = { labels: rest, buckets: [] };
      groups.set(key, group);
    }
    group.buckets.push({ upperBound, count: s.value });
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function parseBound(le: string): number {
  if (le === '+Inf' || le === 'Inf' || le === '+inf' || le === 'inf') return Number.POSITIVE_INFINITY;
  const n = Number(le);
  return le.trim() === '' ? Number.NaN : n;
}

export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const buckets = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (buckets.length === 0 || buckets[buckets.length - 1].upperBound !== Number.POSITIVE_INFINITY)
    return Number.NaN;
  // Buckets with the same bound are summed; counts are forced monotonic (scrapes can race).
  const merged: Bucket[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else merged.push({ ...b });
  }
  for (let i = 1; i < merged.length; i++) {
    if (merged[i].count < merged[i - 1].count) merged[i].count = merged[i - 1].count;
  }
  if (merged.length < 2) return Number.NaN;
  const observations = merged[merged.length - 1].count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  let b = merged.findIndex((bucket) => bucket.count >= rank);
  if (b < 0) b = merged.length - 1;
  if (b === merged.length - 1) return merged[merged.length - 2].upperBound;
  if (b === 0 && merged[0].upperBound <= 0) return merged[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = merged[b].upperBound;
  let count = merged[b].count;
  if (b > 0) {
    bucketStart = merged[b - 1].upperBound;
    count -= merged[b - 1].count;
    rank -= merged[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}
