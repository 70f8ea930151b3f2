/**
 * What the LogQL and PromQL lexers share: anchored matching in place, and string literals as both
 * languages write them (Go's syntax). Each lexer turns a failure into its own error, in its own
 * words and positions.
 */

/**
 * The text `pattern` (compiled with the sticky `y` flag) matches exactly at `index`, or undefined.
 * Matching in place keeps a lexer linear: no slice of the rest of the query per token.
 */
export function matchAt(pattern: RegExp, text: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(text)?.[0];
}
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** `"…"` and `'…'` take backslash escapes and end at a line break; `` `…` `` is raw and may span lines. */
export type QuotedString =
  | { value: string; end: number }
  /** No closing quote (before the end of the query, or of the line). */
  | { error: 'unterminated' }
  /** `\q`, or `\x`/`\u` without their hex digits; `at` is the backslash's index. */
  | { error: 'unknown-escape' | 'bad-hex-escape'; at: number; letter: string };

/** Reads the literal whose opening quote is at `start`; `end` is the index after its closing quote. */
export function readQuotedString(query: string, start: number): QuotedString {
  const quote = query[start];
  const raw = quote === '`';
  let i = start + 1;
  let value = '';
  while (i < query.length) {
    const ch = query[i];
    if (ch === quote) return { value, end: i + 1 };
    if (raw) {
      value += ch;
      i++;
      continue;
    }
    if (ch === '\n') break;
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const letter = query[i + 1] ?? '';
    if (letter === 'u' || letter === 'x') {
      const width = letter === 'u' ? 4 : 2;
      const hex = query.slice(i + 2, i + 2 + width);
      if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex))
        return { error: 'bad-hex-escape', at: i, letter };
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 2 + width;
      continue;
    }
    const escaped = ESCAPES[letter];
    if (escaped === undefined) return { error: 'unknown-escape', at: i, letter };
    value += escaped;
    i += 2;
  }
  return { error: 'unterminated' };
}
