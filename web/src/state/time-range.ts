import { formatTimestamp } from '../trace/model/format';

/** A global time range as Grafana writes it in URLs: `now-1h` … `now`, or epoch milliseconds. */
export interface TimeRange {
  from: string;
  to: string;
}

export const DEFAULT_TIME_RANGE: TimeRange = { from: 'now-1h', to: 'now' };

export const RELATIVE_RANGES: { from: string; label: string }[] = [
  { from: 'now-5m', label: 'Last 5 minutes' },
  { from: 'now-15m', label: 'Last 15 minutes' },
  { from: 'now-30m', label: 'Last 30 minutes' },
  { from: 'now-1h', label: 'Last 1 hour' },
  { from: 'now-3h', label: 'Last 3 hours' },
  { from: 'now-6h', label: 'Last 6 hours' },
  { from: 'now-12h', label: 'Last 12 hours' },
  { from: 'now-24h', label: 'Last 24 hours' },
  { from: 'now-2d', label: 'Last 2 days' },
  { from: 'now-7d', label: 'Last 7 days' },
];

const UNIT_MS: Record<string, number> = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 };

/**
 * Resolves `now`, `now-<n><s|m|h|d|w>` or epoch milliseconds to epoch milliseconds.
 * @returns undefined for anything else
 */
export function resolveTimeExpr(expr: string, nowMs: number): number | undefined {
  const text = expr.trim();
  if (text === 'now') return nowMs;
  const relative = /^now-(\d+)([smhdw])$/.exec(text);
  if (relative) return nowMs - Number(relative[1]) * UNIT_MS[relative[2]];
  if (/^\d{10,}$/.test(text)) return Number(text);
  return undefined;
}

/** A readable label: "Last 1 hour", or both ends as timestamps. */
export function describeTimeRange(range: TimeRange, utc: boolean, nowMs: number): string {
  if (range.to === 'now') {
    const preset = RELATIVE_RANGES.find((r) => r.from === range.from);
    if (preset) return preset.label;
  }
  const from = resolveTimeExpr(range.from, nowMs);
  const to = resolveTimeExpr(range.to, nowMs);
  if (from === undefined || to === undefined) return `${range.from} to ${range.to}`;
  return `${formatTimestamp(from, utc)} to ${formatTimestamp(to, utc)}`;
}

/** Checks an absolute range typed by the user; returns an error message or undefined. */
export function validateTimeRange(range: TimeRange, nowMs: number): string | undefined {
  const from = resolveTimeExpr(range.from, nowMs);
  const to = resolveTimeExpr(range.to, nowMs);
  if (from === undefined) return 'The start is not a valid time.';
  if (to === undefined) return 'The end is not a valid time.';
  if (to <= from) return 'The end must be after the start.';
  return undefined;
}

/** `datetime-local` input value ↔ epoch milliseconds, in local time or UTC. */
export function toDateTimeInput(epochMs: number, utc: boolean): string {
  return formatTimestamp(epochMs, utc).replace(' UTC', '').replace(' ', 'T').slice(0, 19);
}

export function fromDateTimeInput(value: string, utc: boolean): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const ms = utc ? Date.parse(`${value}Z`) : new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}
