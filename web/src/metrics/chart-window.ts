import { resolveTimeExpr, type TimeRange } from '../state/time-range';
import { chooseStep, DEFAULT_MIN_STEP_S } from './step';

/** The window a chart queries: unix seconds for the API, milliseconds for the axes. */
export interface ChartWindow {
  start: number;
  end: number;
  step: number;
  startMs: number;
  endMs: number;
}

/**
 * Resolves the global time range at `nowMs` and picks the step for a chart `widthPx` wide.
 * Both ends are aligned to the step (the start down, the end up), so refreshing within a step
 * asks the same question.
 * @returns undefined when the range cannot be read (the top bar explains why)
 */
export function chartWindow(
  range: TimeRange,
  nowMs: number,
  widthPx: number,
  minStepS = DEFAULT_MIN_STEP_S,
): ChartWindow | undefined {
  const fromMs = resolveTimeExpr(range.from, nowMs);
  const toMs = resolveTimeExpr(range.to, nowMs);
  if (fromMs === undefined || toMs === undefined || toMs <= fromMs) return undefined;
  const step = chooseStep(toMs - fromMs, widthPx, minStepS);
  const start = Math.floor(fromMs / 1000 / step) * step;
  // The end is rounded up: rounding down would hide the newest samples and exemplars.
  const end = Math.max(Math.ceil(toMs / 1000 / step) * step, start + step);
  return { start, end, step, startMs: start * 1000, endMs: end * 1000 };
}
