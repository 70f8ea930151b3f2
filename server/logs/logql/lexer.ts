import { LogQLParseError } from './parse-error';

export type TokenType = 'IDENTIFIER' | 'STRING' | 'NUMBER' | 'DURATION' | 'SYMBOL' | 'EOF';

export interface Token {
  type: TokenType;
  /** The symbol itself, the identifier, the unquoted string, or the number/duration text. */
  text: string;
  /** Offset into the query, and its 1-based line and column (Loki reports both). */
  offset: number;
  line: number;
  col: number;
}

const SYMBOLS = [
  '|=',
  '|~',
  '!=',
  '!~',
  '=~',
  '==',
  '>=',
  '<=',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ',',
  '|',
  '=',
  '>',
  '<',
];
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y))+/;
const NUMBER = /^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/;
const IDENT = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  "'": "'",
};

/** Splits a LogQL query into tokens, tracking line and column for error messages. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const at = (offset: number) => ({ offset, line, col: offset - lineStart + 1 });
  while (i < query.length) {
    const ch = query[i];
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') {
      // A comment runs to the end of the line, as in Loki.
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    const pos = at(i);
    if (ch === '"' || ch === '`') {
      const { text, end } = readString(query, i, pos);
      tokens.push({ type: 'STRING', text, ...pos });
      i = end;
      continue;
    }
    const rest = query.slice(i, i + 64);
    const duration = DURATION.exec(rest);
    if (duration) {
      tokens.push({ type: 'DURATION', text: duration[0], ...pos });
      i += duration[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ type: 'NUMBER', text: number[0], ...pos });
      i += number[0].length;
      continue;
    }
    const ident = IDENT.exec(query.slice(i, i + 1024));
    if (ident) {
      tokens.push({ type: 'IDENTIFIER', text: ident[0], ...pos });
      i += ident[0].length;
      continue;
    }
    const symbol = SYMBOLS.find((s) => query.startsWith(s, i));
    if (symbol) {
      tokens.push({ type: 'SYMBOL', text: symbol, ...pos });
      i += symbol.length;
      continue;
    }
    throw new LogQLParseError(`syntax error: unexpected character ${JSON.stringify(ch)}`, pos.line, pos.col);
  }
  tokens.push({ type: 'EOF', text: '', ...at(i) });
  return tokens;
}

function readString(query: string, start: number, pos: { line: number; col: number }) {
  const quote = query[start];
  let i = start + 1;
  let text = '';
  while (i < query.length) {
    const ch = query[i];
    if (ch === quote) return { text, end: i + 1 };
    if (quote === '"' && ch === '\n') break;
    if (quote === '"' && ch === '\\') {
      const next = query[i + 1];
      if (next !== undefined && ESCAPES[next] !== undefined) {
        text += ESCAPES[next];
        i += 2;
        continue;
      }
      if (next === 'u' || next === 'x') {
        const digits = next === 'u' ? 4 : 2;
        const hex = query.slice(i + 2, i + 2 + digits);
        if (new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(hex)) {
          text += String.fromCharCode(Number.parseInt(hex, 16));
          i += 2 + digits;
          continue;
        }
      }
      throw new LogQLParseError(
        `syntax error: invalid escape sequence \\${next ?? ''} in string`,
        pos.line,
        pos.col + (i - start),
      );
    }
    text += ch;
    i++;
  }
  throw new LogQLParseError('syntax error: unterminated string', pos.line, pos.col);
}
