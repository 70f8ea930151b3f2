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

/**
 * A benchmark's table (figure, Loupe, baseline, ratio, target) and its wrong answers, if any.
 * Returns true when every answer was right.
 */
export function printFigureTable(result: {
  heading: string;
  figures: readonly { figure: BenchFigure; target: string }[];
  problems: readonly string[];
}): boolean {
  console.log(`\n${result.heading}\n`);
  console.log('| figure | Loupe | baseline (same run) | ratio | target |\n| --- | --- | --- | --- | --- |');
  for (const { figure, target } of result.figures)
    console.log(
      `| ${[...figureRow(figure), target].map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`,
    );
  if (result.problems.length === 0) return true;
  console.log(`\n✗ ${result.problems.length} wrong answer(s):`);
  for (const problem of [...new Set(result.problems)].slice(0, 30)) console.log(`  - ${problem}`);
  return false;
}
