import type { Window } from './values';

/**
 * Prometheus's `extrapolatedRate`: the increase between the first and last sample in the window
 * (counter resets added back), extrapolated towards the window's edges when the samples stop
 * short of them (by at most half a sample interval, and never below zero for counters).
 */
export function extrapolatedRate(
  w: Window,
  rangeStartMs: number,
  rangeEndMs: number,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  const n = w.to - w.from;
  if (n < 2) return undefined;
  const { timestamps: ts, values: vs } = w.series;
  const firstT = ts[w.from];
  const lastT = ts[w.to - 1];
  const firstV = vs[w.from];
  let result = vs[w.to - 1] - firstV;
  if (isCounter) {
    for (let i = w.from + 1; i < w.to; i++) if (vs[i] < vs[i - 1]) result += vs[i - 1];
  }
  let durationToStart = (firstT - rangeStartMs) / 1000;
  const durationToEnd = (rangeEndMs - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const averageBetweenSamples = sampledInterval / (n - 1);
  if (isCounter && result > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetweenSamples * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2;
  result *= extrapolateTo / sampledInterval;
  if (isRate) result /= (rangeEndMs - rangeStartMs) / 1000;
  return result;
}

/** `irate` (and `idelta`): from the last two samples only. */
export function instantRate(w: Window, isRate: boolean): number | undefined {
  if (w.to - w.from < 2) return undefined;
  const { timestamps: ts, values: vs } = w.series;
  const last = vs[w.to - 1];
  const previous = vs[w.to - 2];
  const result = isRate && last < previous ? last : last - previous;
  if (!isRate) return result;
  const seconds = (ts[w.to - 1] - ts[w.to - 2]) / 1000;
  return seconds === 0 ? undefined : result / seconds;
}

type Reducer = (values: number[], w: Window) => number | undefined;

/**
 * The smallest or largest value as Prometheus picks it: NaN only when every value is NaN. A loop,
 * not `Math.min(...values)`, which overflows the call stack on a week of samples.
 */
function extreme(values: number[], better: (a: number, b: number) => boolean): number {
  let result = Number.NaN;
  for (const v of values) if (Number.isNaN(result) || better(v, result)) result = v;
  return result;
}

/** `<agg>_over_time` and friends over the raw values in the window. */
export const OVER_TIME: Record<string, Reducer> = {
  avg_over_time: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  sum_over_time: (v) => v.reduce((a, b) => a + b, 0),
  min_over_time: (v) => extreme(v, (a, b) => a < b),
  max_over_time: (v) => extreme(v, (a, b) => a > b),
  count_over_time: (v) => v.length,
  last_over_time: (v) => v[v.length - 1],
  resets: (v) => v.reduce((n, x, i) => (i > 0 && x < v[i - 1] ? n + 1 : n), 0),
  changes: (v) =>
    v.reduce(
      (n, x, i) => (i > 0 && x !== v[i - 1] && !(Number.isNaN(x) && Number.isNaN(v[i - 1])) ? n + 1 : n),
      0,
    ),
};
