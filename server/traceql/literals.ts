import type { KindName, StatusName } from './ast';

/** OTLP `StatusCode` numbers, as `SearchSpan.statusCode` holds them (not Tempo's internal enum). */
export const STATUS_CODES: Readonly<Record<StatusName, number>> = { unset: 0, ok: 1, error: 2 };
export const STATUS_NAMES: readonly StatusName[] = ['unset', 'ok', 'error'];

/** OTLP `SpanKind` numbers, as `SearchSpan.kind` holds them. */
export const KIND_CODES: Readonly<Record<KindName, number>> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};
export const KIND_NAMES: readonly KindName[] = [
  'unspecified',
  'internal',
  'server',
  'client',
  'producer',
  'consumer',
];

export const DURATION_UNITS = ['ns', 'us', 'µs', 'ms', 's', 'm', 'h', 'd', 'w', 'y'] as const;

const NANOS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 MICRO SIGN
  μs: 1e3, // U+03BC GREEK SMALL LETTER MU: Go's time.ParseDuration takes both
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
  w: 7 * 86400e9,
  y: 365 * 86400e9,
};

/**
 * A duration literal: one or more `<number><unit>` parts (`1ms`, `1.5s`, `1h30m`). Tempo reads
 * them with Prometheus's parser (which adds `d`, `w`, `y`) and then Go's (fractions, `us`/`µs`);
 * this takes the union of both. Sticky, so the lexer matches it in place.
 */
export const DURATION_PATTERN = /(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d|w|y))+/y;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)/g;

/** Nanoseconds of a text `DURATION_PATTERN` matched in full. */
export function durationNanos(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Math.round(Number(amount) * NANOS_PER_UNIT[unit]);
  }
  return total;
}

/**
 * Go's `time.Duration.String()` (`1.5s`, `1h0m0s`, `250µs`, `0s`): how Tempo writes a duration
 * value into a search response (`avg(duration)`, `by(duration)`), so Loupe writes it the same way.
 */
export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return '0s';
  const sign = nanos < 0 ? '-' : '';
  const abs = Math.round(Math.abs(nanos));
  if (abs < 1e3) return `${sign}${abs}ns`;
  if (abs < 1e6) return `${sign}${fraction(abs, 1e3)}µs`;
  if (abs < 1e9) return `${sign}${fraction(abs, 1e6)}ms`;
  const hours = Math.floor(abs / 3600e9);
  const minutes = Math.floor((abs % 3600e9) / 60e9);
  const seconds = fraction(abs % 60e9, 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** `value / unit` with the fraction's trailing zeros trimmed, without floating-point noise. */
function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value - whole * unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

/**
 * Compares strings in UTF-8 byte order, as Go's `strings.Compare` does (TraceQL's `<`, `>` on
 * strings). JavaScript's `<` compares UTF-16 code units, which orders a character above U+FFFF
 * (a surrogate pair, 0xD800–0xDFFF) before one in U+E000–U+FFFF; UTF-8 orders it after.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return utf8Rank(x) - utf8Rank(y);
    return x - y;
  }
  return a.length - b.length;
}

function utf8Rank(codeUnit: number): number {
  return codeUnit >= 0xd800 && codeUnit <= 0xdfff ? codeUnit + 0x10000 : codeUnit;
}

/**
 * A hex ID literal as stored IDs are written (lowercase, `width` digits). Tempo compares
 * `trace:id`/`span:id` as bytes, so `"ABC"` and `"0abc"` both find ID `…0abc`; a literal that
 * is not hex or too long is returned lowercased and matches no stored ID.
 */
export function normalizeHexId(literal: string, width: number): string {
  const lower = literal.toLowerCase();
  if (lower === '' || !/^[0-9a-f]+$/.test(lower)) return lower; // '' is a root span's parent ID
  const digits = lower.replace(/^0+/, '');
  return digits.length > width ? lower : digits.padStart(width, '0');
}
