import type { Labels } from './model';

/**
 * Loki 3 adds `detected_level` to every entry so UIs can colour lines: from the OTLP severity
 * when there is one, else from a `level=`/`"level":` field or a level word in the line.
 */
export const DETECTED_LEVEL = 'detected_level';

const BY_SEVERITY_NUMBER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** OTLP SeverityNumber 1-24 in bands of four. */
export function levelFromSeverityNumber(n: number): string | undefined {
  if (!(n >= 1 && n <= 24)) return undefined;
  return BY_SEVERITY_NUMBER[Math.floor((n - 1) / 4)];
}

const ALIASES: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  dbg: 'debug',
  info: 'info',
  information: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'critical',
  crit: 'critical',
  panic: 'critical',
  emergency: 'critical',
  alert: 'critical',
};

export function normaliseLevel(text: string): string | undefined {
  return ALIASES[text.trim().toLowerCase()];
}

const LEVEL_FIELD = /(?:^|[\s{,])"?(?:level|lvl|severity)"?\s*[=:]\s*"?([A-Za-z]+)/i;
const LEVEL_WORD = /\b(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|PANIC)\b/i;

/** The level of a line with no severity of its own; `unknown` as Loki says when nothing matches. */
export function detectLevel(line: string, meta: Labels | undefined): string {
  const fromMeta = meta?.severity_text ?? meta?.level;
  if (fromMeta) {
    const level = normaliseLevel(fromMeta);
    if (level) return level;
  }
  const head = line.length > 512 ? line.slice(0, 512) : line;
  const field = LEVEL_FIELD.exec(head);
  if (field) {
    const level = normaliseLevel(field[1]);
    if (level) return level;
  }
  const word = LEVEL_WORD.exec(head);
  return (word && normaliseLevel(word[1])) || 'unknown';
}
