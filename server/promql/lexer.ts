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

const DURATION = /^(?:\d+(?:ms|s|m|h|d|w|y))+/;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;
const IDENT = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const OPERATORS = ['==', '!=', '>=', '<=', '=~', '!~', '=', '>', '<', '+', '-', '*', '/', '%', '^'];
const PUNCTUATION = new Set(['(', ')', '{', '}', '[', ']', ',', ':']);
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
    const rest = query.slice(pos);
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
    const duration = DURATION.exec(rest);
    if (duration) {
      tokens.push({ kind: 'duration', text: duration[0], pos });
      pos += duration[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', text: number[0], pos });
      pos += number[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      const lower = ident[0].toLowerCase();
      const kind = lower === 'inf' || lower === 'nan' ? 'number' : 'ident';
      tokens.push({ kind, text: ident[0], pos });
      pos += ident[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
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
  const quote = query[start];
  let pos = start + 1;
  let value = '';
  while (pos < query.length) {
    const ch = query[pos];
    if (ch === quote) return { value, end: pos + 1 };
    if (ch === '\n' && quote !== '`') break;
    if (ch === '\\' && quote !== '`') {
      const next = query[pos + 1];
      if (next === 'u' || next === 'x') {
        const width = next === 'u' ? 4 : 2;
        const hex = query.slice(pos + 2, pos + 2 + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) {
          throw new PromqlParseError('invalid escape sequence in string', pos, query);
        }
        value += String.fromCharCode(Number.parseInt(hex, 16));
        pos += 2 + width;
        continue;
      }
      const escaped = next === undefined ? undefined : ESCAPES[next];
      if (escaped === undefined)
        throw new PromqlParseError(`unknown escape sequence "\\${next ?? ''}"`, pos, query);
      value += escaped;
      pos += 2;
      continue;
    }
    value += ch;
    pos++;
  }
  throw new PromqlParseError('unterminated quoted string', start, query);
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
