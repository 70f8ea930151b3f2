import { type ScaleLinear, type ScaleTime, scaleLinear, scaleTime } from 'd3-scale';
import type { Exemplar } from './exemplars';
import type { ChartPoint, ChartSeries } from './series';
import { formatTime, formatValue } from './value-format';

/** The plot area inside the SVG, in pixels. */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface ChartScales {
  x: ScaleTime<number, number>;
  y: ScaleLinear<number, number>;
  plot: PlotArea;
}

export interface Tick {
  /** Pixel position along the axis. */
  at: number;
  label: string;
}

const MARGIN = { top: 8, right: 12, bottom: 22 };
const CHAR_PX = 7;

/**
 * The chart's scales: time from `startMs` to `endMs` across the width, values from 0 (or the
 * lowest value, when negative) to the highest line or exemplar value, rounded to nice ticks.
 * The left margin fits the longest y label.
 */
export function buildScales(
  series: readonly ChartSeries[],
  exemplars: readonly Exemplar[],
  options: { startMs: number; endMs: number; width: number; height: number },
): ChartScales {
  let min = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const line of series) {
    for (const p of line.points) {
      if (p.v < min) min = p.v;
      if (p.v > max) max = p.v;
    }
  }
  for (const e of exemplars) {
    if (e.value < min) min = e.value;
    if (e.value > max) max = e.value;
  }
  if (!Number.isFinite(max) || max <= min) max = min + 1;
  const y = scaleLinear().domain([min, max]).nice(5);
  const labelWidth = Math.max(...y.ticks(5).map((v) => formatValue(v).length), 1) * CHAR_PX;
  const plot: PlotArea = {
    left: labelWidth + 10,
    top: MARGIN.top,
    width: Math.max(options.width - labelWidth - 10 - MARGIN.right, 10),
    height: Math.max(options.height - MARGIN.top - MARGIN.bottom, 10),
  };
  y.range([plot.top + plot.height, plot.top]);
  const x = scaleTime()
    .domain([new Date(options.startMs), new Date(Math.max(options.endMs, options.startMs + 1))])
    .range([plot.left, plot.left + plot.width]);
  return { x, y, plot };
}

/** Time ticks about every 100 px, labelled to the precision the range needs. */
export function timeTicks(scales: ChartScales, utc: boolean): Tick[] {
  const [start, end] = scales.x.domain();
  const rangeMs = end.getTime() - start.getTime();
  const count = Math.max(2, Math.floor(scales.plot.width / 100));
  return scales.x
    .ticks(count)
    .map((d) => ({ at: scales.x(d), label: formatTime(d.getTime(), rangeMs, utc) }));
}

/** About five value ticks, labelled compactly (`1.5k`, `0.25`). */
export function valueTicks(scales: ChartScales): Tick[] {
  return scales.y.ticks(5).map((v) => ({ at: scales.y(v), label: formatValue(v) }));
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * An SVG path for one line: a single `<path>` per series however many points it has, broken
 * where samples are missing (a gap longer than 1.5 steps), so absent data never looks like a slope.
 * A lone point becomes a zero-length segment, drawn as a dot by round line caps.
 */
export function linePath(points: readonly ChartPoint[], scales: ChartScales, stepMs: number): string {
  const maxGap = stepMs * 1.5;
  const parts: string[] = [];
  let previous: ChartPoint | undefined;
  let segmentLength = 0;
  for (const p of points) {
    const command = previous && p.t - previous.t <= maxGap ? 'L' : 'M';
    if (command === 'M' && segmentLength === 1) parts.push('h0');
    segmentLength = command === 'M' ? 1 : segmentLength + 1;
    parts.push(`${command}${round(scales.x(p.t))},${round(scales.y(p.v))}`);
    previous = p;
  }
  if (segmentLength === 1) parts.push('h0');
  return parts.join('');
}

/** Where an exemplar's dot goes; undefined when its time lies outside the chart's range. */
export function exemplarPosition(
  exemplar: Exemplar,
  scales: ChartScales,
): { x: number; y: number } | undefined {
  const x = scales.x(exemplar.t);
  if (x < scales.plot.left - 0.5 || x > scales.plot.left + scales.plot.width + 0.5) return undefined;
  return { x: round(x), y: round(scales.y(exemplar.value)) };
}

/** Every sample time of the chart, sorted and distinct: what the hover crosshair snaps to. */
export function sampleTimes(series: readonly ChartSeries[]): number[] {
  const times = new Set<number>();
  for (const line of series) for (const p of line.points) times.add(p.t);
  return [...times].sort((a, b) => a - b);
}

/** Index of the first of `count` sorted items whose key is ≥ `target` (`count` if none). */
function lowerBound(count: number, keyAt: (index: number) => number, target: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyAt(mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The sample time nearest to `t`, or undefined when there are none. */
export function nearestTime(times: readonly number[], t: number): number | undefined {
  if (times.length === 0) return undefined;
  const i = lowerBound(times.length, (k) => times[k], t);
  if (i === 0) return times[0];
  if (i === times.length) return times[i - 1];
  return t - times[i - 1] <= times[i] - t ? times[i - 1] : times[i];
}

export interface HoverValue {
  series: ChartSeries;
  value: number;
}

/** Each line's value at exactly time `t` (lines without a sample there are left out), highest first. */
export function valuesAt(series: readonly ChartSeries[], t: number): HoverValue[] {
  const values: HoverValue[] = [];
  for (const line of series) {
    const { points } = line;
    const i = lowerBound(points.length, (k) => points[k].t, t);
    if (i < points.length && points[i].t === t) values.push({ series: line, value: points[i].v });
  }
  return values.sort((a, b) => b.value - a.value);
}
