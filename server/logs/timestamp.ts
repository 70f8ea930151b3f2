/** Nanosecond timestamps as (ms, ns-within-ms) pairs; see `LogEntry`. */
export interface Timestamp {
  ms: number;
  ns: number;
}

/** The decimal nanosecond string Loki puts in `values` (`"1700000000123456789"`). */
export function formatNanos(ms: number, ns: number): string {
  if (ms === 0) return String(ns);
  return `${ms}${String(ns).padStart(6, '0')}`;
}

/** Parses a decimal count of unix nanoseconds; undefined when the text is not one. */
export function parseNanos(text: string): Timestamp | undefined {
  if (!/^\d{1,19}$/.test(text)) return undefined;
  if (text.length <= 6) return { ms: 0, ns: Number(text) };
  return { ms: Number(text.slice(0, -6)), ns: Number(text.slice(-6)) };
}
