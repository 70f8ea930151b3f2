import { matchAt, readQuotedString } from '../../query-text/lexing';
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
const DURATION = /(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d|w|y))+/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/y;
const IDENT = /[a-zA-Z_][a-zA-Z0-9_]*/y;

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
    const duration = matchAt(DURATION, query, i);
    if (duration) {
      tokens.push({ type: 'DURATION', text: duration, ...pos });
      i += duration.length;
      continue;
    }
    const number = matchAt(NUMBER, query, i);
    if (number) {
      tokens.push({ type: 'NUMBER', text: number, ...pos });
      i += number.length;
      continue;
    }
    const ident = matchAt(IDENT, query, i);
    if (ident) {
      tokens.push({ type: 'IDENTIFIER', text: ident, ...pos });
      i += ident.length;
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
  const read = readQuotedString(query, start);
  if ('value' in read) return { text: read.value, end: read.end };
  if (read.error === 'unterminated') {
    throw new LogQLParseError('syntax error: unterminated string', pos.line, pos.col);
  }
  throw new LogQLParseError(
    `syntax error: invalid escape sequence \\${read.letter} in string`,
    pos.line,
    pos.col + (read.at - start),
  );
}
