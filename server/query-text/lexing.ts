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

const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/** `"…"` and `'…'` take backslash escapes and end at a line break; `` `…` `` is raw and may span lines. */
export type QuotedString =
  | { value: string; end: number }
  /** No closing quote (before the end of the query, or of the line). */
  | { error: 'unterminated' }
  /** `\q`, or `\x`/`\u` without their hex digits; `at` is the backslash's index. */
  | { error: 'unknown-escape' | 'bad-hex-escape'; at: number; letter: string };

/**
 * Reads the literal whose opening quote is at `start`; `end` is the index after its closing quote.
 * Runs without escapes are copied as one slice: a 10 MiB label value (a Loki push's labels are
 * read by this lexer) must not cost ten million string appends.
 */
export function readQuotedString(query: string, start: number): QuotedString {
  const quote = query[start];
  if (quote === '`') {
    const close = query.indexOf('`', start + 1);
    return close < 0 ? { error: 'unterminated' } : { value: query.slice(start + 1, close), end: close + 1 };
  }
  const quoteCode = quote.charCodeAt(0);
  let i = start + 1;
  let value = '';
  while (i < query.length) {
    let runEnd = i;
    while (runEnd < query.length) {
      const c = query.charCodeAt(runEnd);
      if (c === BACKSLASH || c === NEWLINE || c === quoteCode) break;
      runEnd++;
    }
    if (runEnd > i) {
      value += query.slice(i, runEnd);
      i = runEnd;
      continue;
    }
    const ch = query[i];
    if (ch === quote) return { value, end: i + 1 };
    if (ch === '\n') break;
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
