/** Step sizes a person would pick, in seconds: 1 s … 7 d. */
const NICE_STEPS_S = [
  1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800,
  604800,
];

/** Prometheus refuses a range query of more than 11,000 points per series. */
const MAX_POINTS = 11_000;

export const DEFAULT_MIN_STEP_S = 15;

/**
 * The step of a range query, chosen as Grafana does: about one point per pixel of chart width,
 * never finer than `minStepS` (the data source's scrape interval: finer only repeats samples),
 * rounded up to a nice value so that axes and URLs read well.
 * @example chooseStep(3600_000, 1200) === 15 // 3 s per pixel, raised to the 15 s minimum
 * @example chooseStep(7 * 86400_000, 1000) === 900 // 605 s per pixel → 15 min
 */
export function chooseStep(rangeMs: number, widthPx: number, minStepS = DEFAULT_MIN_STEP_S): number {
  const rangeS = Math.max(rangeMs / 1000, 1);
  const raw = Math.max(rangeS / Math.max(widthPx, 1), minStepS, rangeS / MAX_POINTS);
  const nice = NICE_STEPS_S.find((step) => step >= raw);
  return nice ?? Math.ceil(raw / 86400) * 86400;
}

/** `15` → "15s", `120` → "2m", `3600` → "1h": the step as PromQL writes a duration. */
export function formatStep(stepS: number): string {
  if (stepS % 86400 === 0) return `${stepS / 86400}d`;
  if (stepS % 3600 === 0) return `${stepS / 3600}h`;
  if (stepS % 60 === 0) return `${stepS / 60}m`;
  return `${stepS}s`;
}
