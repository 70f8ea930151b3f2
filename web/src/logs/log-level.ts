/** Log levels as Grafana colours them; `unknown` when nothing says. */
export type LogLevel = 'critical' | 'error' | 'warning' | 'info' | 'debug' | 'trace' | 'unknown';

const ALIASES: Record<string, LogLevel> = {
  emerg: 'critical',
  fatal: 'critical',
  alert: 'critical',
  crit: 'critical',
  critical: 'critical',
  err: 'error',
  eror: 'error',
  error: 'error',
  warn: 'warning',
  warning: 'warning',
  info: 'info',
  information: 'info',
  informational: 'info',
  notice: 'info',
  dbug: 'debug',
  debug: 'debug',
  trace: 'trace',
};

/**
 * A level name as any logger writes it (`ERROR`, `warn`, `E`, OTLP's `INFO2`…) → a `LogLevel`.
 * @example normaliseLevel('WARN') === 'warning'
 */
export function normaliseLevel(value: string | undefined): LogLevel {
  if (!value) return 'unknown';
  const text = value.trim().toLowerCase();
  // OTLP severity texts may carry a number: INFO2, ERROR3…
  const known = ALIASES[text] ?? ALIASES[text.replace(/\d+$/, '')];
  if (known) return known;
  if (text.length === 1) {
    const letter: Record<string, LogLevel> = { e: 'error', w: 'warning', i: 'info', d: 'debug', t: 'trace' };
    return letter[text] ?? 'unknown';
  }
  return 'unknown';
}

// `level=error`, `"level":"error"`, `lvl: warn`, `severity=info`
const KEY_VALUE = /\b(?:level|lvl|severity|loglevel)["']?\s*[:=]\s*["']?([A-Za-z]+)/i;
// A bare level word, most severe first, as Grafana guesses when nothing is labelled.
const WORDS: [RegExp, LogLevel][] = [
  [/\b(?:crit(?:ical)?|fatal|emerg|panic)\b/i, 'critical'],
  [/\b(?:err(?:or)?|eror)\b/i, 'error'],
  [/\bwarn(?:ing)?\b/i, 'warning'],
  [/\binfo\b/i, 'info'],
  [/\bdebug\b/i, 'debug'],
  [/\btrace\b/i, 'trace'],
];

/** Guesses the level from the line's text, when no label or field carries it. */
export function levelFromLine(line: string): LogLevel {
  const keyed = KEY_VALUE.exec(line);
  if (keyed) {
    const level = normaliseLevel(keyed[1]);
    if (level !== 'unknown') return level;
  }
  for (const [pattern, level] of WORDS) if (pattern.test(line)) return level;
  return 'unknown';
}

/** Where a row's level comes from, in Grafana's order of trust. */
export interface LevelSources {
  labels: Record<string, string>;
  structuredMetadata: Record<string, string>;
  parsed: Record<string, string>;
  line: string;
}

/**
 * A row's level: `detected_level` (Loki sets it), else a `level` label or field, else OTLP's
 * `severity_text`, else a guess from the line.
 */
export function detectLevel(row: LevelSources): LogLevel {
  const { labels, structuredMetadata: meta, parsed } = row;
  for (const key of ['detected_level', 'level', 'severity_text', 'severity', 'lvl']) {
    const value = meta[key] ?? labels[key] ?? parsed[key];
    const level = normaliseLevel(value);
    if (level !== 'unknown') return level;
  }
  return levelFromLine(row.line);
}
