/**
 * Axis and tooltip values: up to 3 significant digits with SI suffixes (`1.5k`, `2.3M`), small
 * numbers in plain decimals (`0.031`) or scientific notation when tiny.
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trim(value / 1e9)}G`;
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  if (abs < 1e-3) return value.toExponential(1);
  return trim(value);
}

function trim(value: number): string {
  return String(Number(value.toPrecision(3)));
}

/** A value with the query's unit: seconds read as `310 ms` or `1.2 s`. */
export function formatWithUnit(value: number, unit: string | undefined): string {
  if (unit === 's') {
    if (Math.abs(value) < 1 && value !== 0) return `${trim(value * 1000)} ms`;
    return `${trim(value)} s`;
  }
  return formatValue(value);
}

/**
 * The unit a query's values are in, when its metric says so: latency histograms and `_seconds`
 * metrics are in seconds, unless the query counts them (`_count`, `_bucket` without a quantile).
 */
export function guessUnit(query: string): 's' | undefined {
  if (!/(_seconds|latency)/.test(query)) return undefined;
  if (/_(count|total)\b/.test(query)) return undefined;
  if (/_bucket\b/.test(query) && !/histogram_quantile/.test(query)) return undefined;
  return 's';
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A time axis or tooltip label, coarser for longer ranges: `14:05:30` under 10 minutes,
 * `14:05` under 2 days, `05-14 14:05` beyond.
 */
export function formatTime(epochMs: number, rangeMs: number, utc: boolean): string {
  const d = new Date(epochMs);
  const [month, day, hours, minutes, seconds] = utc
    ? [d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const clock = `${pad(hours)}:${pad(minutes)}`;
  if (rangeMs <= 10 * 60_000) return `${clock}:${pad(seconds)}`;
  if (rangeMs <= 2 * 86_400_000) return clock;
  return `${pad(month)}-${pad(day)} ${clock}`;
}
