import { matchAt, readQuotedString } from '../query-text/lexing';
import { PromqlParseError } from './errors';

export type TokenKind =
  | 'ident'
  | 'number'
  | 'string'
  | 'duration'
  | 'op'
  | '('
  | ')'
  | '{'
  | '}'
  | '['
  | ']'
  | ','
  | ':'
  | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Character offset in the query. */
  pos: number;
  /** Decoded value of a string token. */
  value?: string;
}

const DURATION = /(?:\d+(?:ms|s|m|h|d|w|y))+/y;
const NUMBER = /(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/y;
const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const OPERATORS = ['==', '!=', '>=', '<=', '=~', '!~', '=', '>', '<', '+', '-', '*', '/', '%', '^'];
const PUNCTUATION = new Set(['(', ')', '{', '}', '[', ']', ',', ':']);

/** Splits a PromQL query into tokens, failing at the first character that cannot start one. */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < query.length) {
    const ch = query[pos];
    if (/\s/.test(ch)) {
      pos++;
      continue;
    }
    if (ch === '#') {
      while (pos < query.length && query[pos] !== '\n') pos++;
      continue;
    }
    if (PUNCTUATION.has(ch)) {
      tokens.push({ kind: ch as TokenKind, text: ch, pos });
      pos++;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      const { value, end } = readString(query, pos);
      tokens.push({ kind: 'string', text: query.slice(pos, end), pos, value });
      pos = end;
      continue;
    }
    const duration = matchAt(DURATION, query, pos);
    if (duration) {
      tokens.push({ kind: 'duration', text: duration, pos });
      pos += duration.length;
      continue;
    }
    const number = matchAt(NUMBER, query, pos);
    if (number) {
      tokens.push({ kind: 'number', text: number, pos });
      pos += number.length;
      continue;
    }
    const ident = matchAt(IDENT, query, pos);
    if (ident) {
      const lower = ident.toLowerCase();
      const kind = lower === 'inf' || lower === 'nan' ? 'number' : 'ident';
      tokens.push({ kind, text: ident, pos });
      pos += ident.length;
      continue;
    }
    const op = OPERATORS.find((o) => query.startsWith(o, pos));
    if (op) {
      tokens.push({ kind: 'op', text: op, pos });
      pos += op.length;
      continue;
    }
    throw new PromqlParseError(`unexpected character: ${JSON.stringify(ch)}`, pos, query);
  }
  tokens.push({ kind: 'eof', text: '', pos: query.length });
  return tokens;
}

function readString(query: string, start: number): { value: string; end: number } {
  const read = readQuotedString(query, start);
  if ('value' in read) return read;
  if (read.error === 'unterminated') throw new PromqlParseError('unterminated quoted string', start, query);
  if (read.error === 'bad-hex-escape')
    throw new PromqlParseError('invalid escape sequence in string', read.at, query);
  throw new PromqlParseError(`unknown escape sequence "\\${read.letter}"`, read.at, query);
}

const UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** A Prometheus duration (`1h30m`, `15s`, `2d`) in milliseconds, or undefined if it is not one. */
export function parsePromDuration(text: string): number | undefined {
  if (!/^(?:\d+(?:ms|s|m|h|d|w|y))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(n) * UNITS_MS[unit];
  return ms;
}
