import { type Labels, labelsKey } from '../series-model/labels';
import type { SampleSeries } from './series-source';

/** One element of an instant vector. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** A series' samples inside a range selector's window: indexes `[from, to)` of its arrays. */
export interface Window {
  series: SampleSeries;
  from: number;
  to: number;
}

export type Value =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: Sample[] }
  | { type: 'matrix'; windows: Window[]; rangeMs: number; endMs: number };

/*
 * Label sets are never mutated once made, so derived values are cached by object identity: a
 * range query evaluates the same series at every step, and these caches turn per-step work
 * (copying labels, building group keys) into lookups.
 */
const withoutNameCache = new WeakMap<Labels, Labels>();
const keyCache = new WeakMap<Labels, string>();

export function withoutName(labels: Labels): Labels {
  if (!('__name__' in labels)) return labels;
  let out = withoutNameCache.get(labels);
  if (!out) {
    const { __name__: _, ...rest } = labels;
    out = rest;
    withoutNameCache.set(labels, out);
  }
  return out;
}

/** `labelsKey`, cached per label-set object. */
export function keyOf(labels: Labels): string {
  let key = keyCache.get(labels);
  if (key === undefined) {
    key = labelsKey(labels);
    keyCache.set(labels, key);
  }
  return key;
}

/** A derived label set per (source labels, deriving node), cached so it keeps its identity across steps. */
export function derived<K extends object>(
  cache: WeakMap<K, WeakMap<Labels, Labels>>,
  owner: K,
  labels: Labels,
  make: (l: Labels) => Labels,
): Labels {
  let byLabels = cache.get(owner);
  if (!byLabels) {
    byLabels = new WeakMap();
    cache.set(owner, byLabels);
  }
  let out = byLabels.get(labels);
  if (!out) {
    out = make(labels);
    byLabels.set(labels, out);
  }
  return out;
}

/** First index whose timestamp is > t (timestamps ascending). */
export function upperBound(timestamps: readonly number[], t: number): number {
  let lo = 0;
  let hi = timestamps.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timestamps[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
