import { sanitizeLabelName } from '../labels';
import type { Labels } from '../model';

/** Loki's parsers put their errors in `__error__` rather than dropping the line. */
export const ERROR_LABEL = '__error__';

/**
 * `| logfmt`: `key=value` pairs, values optionally double-quoted with escapes. A bare key is
 * an empty value. Lenient, like Loki's decoder on real-world lines.
 */
export function parseLogfmt(line: string, out: Labels): void {
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    const keyStart = i;
    while (i < n && line[i] !== '=' && line.charCodeAt(i) > 32) i++;
    const key = line.slice(keyStart, i);
    let value = '';
    if (line[i] === '=') {
      i++;
      if (line[i] === '"') {
        i++;
        let text = '';
        while (i < n && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < n) {
            const next = line[i + 1];
            text += next === 'n' ? '\n' : next === 't' ? '\t' : next;
            i += 2;
          } else text += line[i++];
        }
        i++;
        value = text;
      } else {
        const start = i;
        while (i < n && line.charCodeAt(i) > 32) i++;
        value = line.slice(start, i);
      }
    }
    if (key !== '') out[sanitizeLabelName(key)] = value;
  }
}

/** `| json`: every scalar field, nested objects flattened with `_` (`{"a":{"b":1}}` → `a_b="1"`). */
export function parseJsonLine(line: string, out: Labels): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    out[ERROR_LABEL] = 'JSONParserErr';
    return;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    out[ERROR_LABEL] = 'JSONParserErr';
    return;
  }
  flatten(parsed as Record<string, unknown>, '', out);
}

function flatten(obj: Record<string, unknown>, prefix: string, out: Labels): void {
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix === '' ? sanitizeLabelName(key) : `${prefix}_${sanitizeLabelName(key)}`;
    if (value === null) out[name] = '';
    else if (Array.isArray(value))
      continue; // Loki skips arrays unless asked for by path
    else if (typeof value === 'object') flatten(value as Record<string, unknown>, name, out);
    else out[name] = String(value);
  }
}
