/**
 * Formats nanoseconds in the largest unit that keeps the number readable.
 * @example formatDuration(1_500_000) === '1.5ms'; formatDuration(125e9) === '2m 5s'
 */
export function formatDuration(ns: number): string {
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${sign}${round(abs, 0)}ns`;
  if (abs < 1e6) return `${sign}${round(abs / 1e3, 2)}μs`;
  if (abs < 1e9) return `${sign}${round(abs / 1e6, 2)}ms`;
  if (abs < 60e9) return `${sign}${round(abs / 1e9, 2)}s`;
  if (abs < 3600e9) {
    const minutes = Math.floor(abs / 60e9);
    const seconds = Math.round((abs - minutes * 60e9) / 1e9);
    return `${sign}${minutes}m${seconds ? ` ${seconds}s` : ''}`;
  }
  const hours = Math.floor(abs / 3600e9);
  const minutes = Math.round((abs - hours * 3600e9) / 60e9);
  return `${sign}${hours}h${minutes ? ` ${minutes}m` : ''}`;
}

function round(value: number, digits: number): string {
  const fixed = value.toFixed(value >= 100 ? Math.min(digits, 1) : digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const pad = (v: number, width = 2) => String(v).padStart(width, '0');

/**
 * An absolute time as `YYYY-MM-DD HH:mm:ss.SSS`, in UTC (suffixed "UTC") or local time.
 * @param epochMs milliseconds since the epoch (fractions are dropped)
 */
export function formatTimestamp(epochMs: number, utc: boolean): string {
  const d = new Date(Math.floor(epochMs));
  const parts = utc
    ? [
        d.getUTCFullYear(),
        d.getUTCMonth() + 1,
        d.getUTCDate(),
        d.getUTCHours(),
        d.getUTCMinutes(),
        d.getUTCSeconds(),
        d.getUTCMilliseconds(),
      ]
    : [
        d.getFullYear(),
        d.getMonth() + 1,
        d.getDate(),
        d.getHours(),
        d.getMinutes(),
        d.getSeconds(),
        d.getMilliseconds(),
      ];
  const [y, mo, da, h, mi, s, ms] = parts;
  return `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}${utc ? ' UTC' : ''}`;
}

/**
 * "1,234,567". Written out because the first `toLocaleString` call of a page loads locale data,
 * which costs tens of milliseconds right when a trace is first shown.
 */
export function formatCount(value: number): string {
  const digits = String(Math.trunc(Math.abs(value)));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? `-${out}` : out;
}

/** Which tail-sampling policy kept a trace: "kept by errors", or in a dry run "dry run: would drop". */
export function samplingLabel(sampling: { policy: string; reason: string }): string {
  if (sampling.reason === 'sampled' || sampling.reason === 'inverted-sampled')
    return `kept by ${sampling.policy}`;
  return `dry run: would drop${sampling.policy ? ` (${sampling.policy})` : ''}`;
}
