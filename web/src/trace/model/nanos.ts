/**
 * Unix-nanosecond timestamps arrive as decimal strings (proto JSON int64). A double holds integers
 * exactly only up to 2^53 (~104 days in ns), so times are kept as offsets from a base second.
 */

/** Whole seconds of a unix-nanosecond timestamp (string or number). */
export function epochSeconds(value: string | number | undefined): number {
  if (value === undefined || value === '') return 0;
  if (typeof value === 'number') return Math.floor(value / 1e9);
  return value.length > 9 ? Number(value.slice(0, -9)) : 0;
}

/**
 * Nanoseconds from `baseSec` to a unix-nanosecond timestamp, exact while within ~104 days.
 * @example nanosSince('1700000001000000005', 1700000000) === 1000000005
 */
export function nanosSince(value: string | number | undefined, baseSec: number): number {
  if (value === undefined || value === '') return -baseSec * 1e9;
  if (typeof value === 'number') return value - baseSec * 1e9;
  if (value.length <= 9) return Number(value) - baseSec * 1e9;
  return (Number(value.slice(0, -9)) - baseSec) * 1e9 + Number(value.slice(-9));
}

/** Milliseconds since the epoch for a time given as base seconds plus nanoseconds. */
export function toEpochMs(baseSec: number, ns: number): number {
  return baseSec * 1000 + ns / 1e6;
}
