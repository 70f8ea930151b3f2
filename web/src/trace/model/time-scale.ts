import { scaleLinear } from 'd3-scale';
import { formatDuration } from './format';

/** A window on the trace as fractions of its duration: [0, 1] is the whole trace. */
export interface ViewWindow {
  start: number;
  end: number;
}

export const FULL_WINDOW: ViewWindow = { start: 0, end: 1 };
const MIN_WINDOW = 1e-6;

/** Time (ns since trace start) → fraction of the visible width, for the current window. */
export function createTimeScale(durationNs: number, window: ViewWindow) {
  const total = durationNs > 0 ? durationNs : 1;
  return scaleLinear()
    .domain([window.start * total, window.end * total])
    .range([0, 1]);
}

export type TimeScale = ReturnType<typeof createTimeScale>;

export interface BarGeometry {
  /** Fractions of the timeline width; may fall outside [0, 1] when zoomed. */
  left: number;
  width: number;
  /** Whether any part of the bar is inside the window. */
  visible: boolean;
}

/** Where a span's bar goes on the timeline. */
export function barGeometry(scale: TimeScale, offsetNs: number, durationNs: number): BarGeometry {
  const left = scale(offsetNs);
  const right = scale(offsetNs + durationNs);
  return { left, width: Math.max(0, right - left), visible: right >= 0 && left <= 1 };
}

export interface Tick {
  fraction: number;
  label: string;
}

/** Round-numbered ticks across the window, labelled as offsets from the trace start. */
export function axisTicks(scale: TimeScale, count = 5): Tick[] {
  return scale.ticks(count).map((ns) => ({ fraction: scale(ns), label: formatDuration(ns) }));
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** A window from two points of a drag, in either order, kept inside the trace. */
export function windowFromDrag(a: number, b: number): ViewWindow {
  const start = clamp(Math.min(a, b), 0, 1);
  const end = clamp(Math.max(a, b), 0, 1);
  if (end - start < MIN_WINDOW) return FULL_WINDOW;
  return { start, end };
}

/** Zooms around the window's centre: factor < 1 zooms in. */
export function zoomWindow(window: ViewWindow, factor: number): ViewWindow {
  const centre = (window.start + window.end) / 2;
  const half = clamp(((window.end - window.start) * factor) / 2, MIN_WINDOW, 0.5);
  return panWindow({ start: centre - half, end: centre + half }, 0);
}

/** Moves the window by `delta` (a fraction of the trace), stopping at the edges. */
export function panWindow(window: ViewWindow, delta: number): ViewWindow {
  const width = Math.min(1, window.end - window.start);
  const start = clamp(window.start + delta, 0, 1 - width);
  return { start, end: start + width };
}

export function isFullWindow(window: ViewWindow): boolean {
  return window.start <= 0 && window.end >= 1;
}

/** Where an event sits along its span's bar, 0…1. */
export function eventFraction(timeNs: number, spanStartNs: number, spanDurationNs: number): number {
  if (spanDurationNs <= 0) return 0;
  return Math.min(1, Math.max(0, (timeNs - spanStartNs) / spanDurationNs));
}

/**
 * Where a bar's duration label fits: after the bar, before it, or inside it when the bar spans
 * nearly the whole timeline.
 */
export function durationLabelPlacement(bar: BarGeometry): 'right' | 'left' | 'inside' {
  if (bar.left + bar.width <= 0.8) return 'right';
  if (bar.left >= 0.2) return 'left';
  return 'inside';
}
