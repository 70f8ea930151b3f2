/** One benchmark figure, with the baseline measured in the same run (the ratio is what counts). */
export interface BenchFigure {
  label: string;
  value: number;
  unit: string;
  baseline?: number;
  /** What the baseline is, e.g. "/ready" or "without the generator". */
  baselineLabel?: string;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** A row of the benchmark table: figure, Loupe, baseline, ratio. */
export function figureRow(f: BenchFigure): string[] {
  const baseline =
    f.baseline === undefined
      ? ''
      : `${f.baselineLabel ? `${f.baselineLabel}: ` : ''}${fmt(f.baseline)} ${f.unit}`;
  const r = f.baseline ? f.value / f.baseline : undefined;
  // Below 1 a percentage reads better than "0.03×".
  const ratio = r === undefined ? '' : r < 1 ? `${fmt(100 * r)}%` : `${fmt(r)}×`;
  return [f.label, `${fmt(f.value)} ${f.unit}`, baseline, ratio];
}
