import { matchAt, readQuotedString } from '../query-text/lexing';
import type { FieldRef } from './ast';
import { EXPECTED_CATEGORIES, expectedDetail, TraceQLParseError } from './errors';
import { SCOPED_INTRINSICS } from './intrinsics';
import { DURATION_PATTERN, DURATION_UNITS, durationNanos } from './literals';

export type TokenKind =
  | 'field'
  | 'string'
  | 'int'
  | 'float'
  | 'duration'
  | 'word'
  | 'punct'
  | 'invalid'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text ('' at the end). */
  text: string;
  /** UTF-16 offset of the first character. */
  pos: number;
  /** int, float, and duration (nanoseconds) tokens. */
  num?: number;
  /** The decoded value of a string token. */
  str?: string;
  field?: FieldRef;
}

/** Longest first, so `!>>` is not read as `!>` then `>`. */
const PUNCTUATION = [
  ...['!>>', '!<<', '&>>', '&<<'],
  ...['&&', '||', '!=', '=~', '!~', '>=', '<=', '>>', '<<', '!>', '!<', '&>', '&<', '&~'],
  ...['{', '}', '(', ')', ',', '|', '!', '=', '>', '<', '~', '-'],
];
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
/** What may follow a number as part of one token: a duration unit, or the junk of a bad one. */
const NUMBER_TAIL = /[A-Za-z0-9_.µμ]+/y;
const SCOPES_WITH_ATTRIBUTES = new Set(['span', 'resource', 'event', 'link']);
/** Tempo's `isAttributeRune`: an unquoted attribute name runs until whitespace or one of these. */
const ATTRIBUTE_END = new Set(['{', '}', '(', ')', '=', '~', '!', '<', '>', '&', '|', '^', ',']);

/** Whether `ch` (one UTF-16 unit) may appear in an unquoted attribute name. */
export function isAttributeChar(ch: string): boolean {
  return !ATTRIBUTE_END.has(ch) && !/\s/.test(ch);
}

/**
 * Splits a query into tokens on demand, so an error late in the query is not reported before an
 * earlier one. Attribute names are read whole here (`span.http.url`, `."a b".c`), as Tempo's
 * lexer does: after a scope, everything up to whitespace or an operator character is the name.
 */
export class Lexer {
  private pos = 0;
  private lookahead: Token | undefined;

  constructor(private readonly text: string) {}

  peek(): Token {
    this.lookahead ??= this.read();
    return this.lookahead;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead = undefined;
    return token;
  }

  private fail(offset: number, detail: string, expected: string[] = []): never {
    throw new TraceQLParseError(this.text, offset, detail, expected);
  }

  private read(): Token {
    const text = this.text;
    this.skipSpaceAndComments();
    const start = this.pos;
    if (start >= text.length) return { kind: 'eof', text: '', pos: start };
    const ch = text[start];
    if (ch === '"' || ch === '`') return this.readString(start);
    if (ch === '.' && !/[0-9]/.test(text[start + 1] ?? '')) {
      return this.readAttribute(start, start + 1, 'unscoped');
    }
    if (/[0-9.]/.test(ch)) return this.readNumber(start);
    const word = matchAt(WORD, text, start);
    if (word) return this.readWord(start, word);
    const punct = PUNCTUATION.find((p) => text.startsWith(p, start));
    if (punct) {
      this.pos = start + punct.length;
      return { kind: 'punct', text: punct, pos: start };
    }
    const invalid = String.fromCodePoint(text.codePointAt(start)!);
    this.pos = start + invalid.length;
    return { kind: 'invalid', text: invalid, pos: start };
  }

  /** Go's scanner, which Tempo's lexer is built on, skips `//` and `/* *\/` comments. */
  private skipSpaceAndComments(): void {
    const text = this.text;
    for (;;) {
      while (this.pos < text.length && /\s/.test(text[this.pos])) this.pos++;
      if (text.startsWith('//', this.pos)) {
        const eol = text.indexOf('\n', this.pos);
        this.pos = eol < 0 ? text.length : eol + 1;
      } else if (text.startsWith('/*', this.pos)) {
        const close = text.indexOf('*/', this.pos + 2);
        if (close < 0) this.fail(this.pos, 'unterminated comment', ['*/']);
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  private readString(start: number): Token {
    const quote = this.text[start];
    const read = readQuotedString(this.text, start);
    if ('error' in read) {
      if (read.error === 'unterminated') {
        const where = quote === '"' && this.text.includes('\n', start) ? 'line' : 'query';
        this.fail(start, `unterminated string: no closing ${quote} before the end of the ${where}`, [quote]);
      }
      this.fail(read.at, `unknown escape sequence "\\${read.letter}" in a string`);
    }
    this.pos = read.end;
    return { kind: 'string', text: this.text.slice(start, read.end), pos: start, str: read.value };
  }

  private readNumber(start: number): Token {
    const text = this.text;
    const number = matchAt(NUMBER, text, start) ?? '';
    const tail = matchAt(NUMBER_TAIL, text, start + number.length);
    if (!tail) {
      this.pos = start + number.length;
      const kind = /[.eE]/.test(number) ? 'float' : 'int';
      return { kind, text: number, pos: start, num: Number(number) };
    }
    // A number followed by letters is a duration, or a mistake (`1xs`, `5sec`).
    const duration = matchAt(DURATION_PATTERN, text, start) ?? '';
    const after = start + duration.length;
    const junk = matchAt(NUMBER_TAIL, text, after);
    if (duration && !junk) {
      this.pos = after;
      return { kind: 'duration', text: duration, pos: start, num: durationNanos(duration) };
    }
    const at = duration ? after : start + number.length;
    const found = matchAt(NUMBER_TAIL, text, at) ?? '';
    this.fail(at, `invalid duration: ${expectedDetail([...DURATION_UNITS], found)}`, [...DURATION_UNITS]);
  }

  private readWord(start: number, word: string): Token {
    const after = start + word.length;
    const sep = this.text[after];
    if (sep === '.' && SCOPES_WITH_ATTRIBUTES.has(word)) {
      return this.readAttribute(start, after + 1, word as FieldRef['scope']);
    }
    const scoped = SCOPED_INTRINSICS.get(word);
    if (sep === ':' && scoped) {
      const name = matchAt(WORD, this.text, after + 1) ?? '';
      const canonical = scoped.get(name);
      if (canonical === undefined) {
        const expected = [...scoped.keys()].map((n) => `${word}:${n}`);
        this.fail(start, expectedDetail(expected, `${word}:${name}`), expected);
      }
      this.pos = after + 1 + name.length;
      const scope = word === 'trace' ? 'trace' : 'intrinsic';
      return {
        kind: 'field',
        text: this.text.slice(start, this.pos),
        pos: start,
        field: { scope, name: canonical },
      };
    }
    if ((sep === '.' || sep === ':') && (word === 'instrumentation' || word === 'parent')) {
      this.fail(start, `the ${word}${sep} scope is not supported`);
    }
    this.pos = after;
    return { kind: 'word', text: word, pos: start };
  }

  /** Reads the attribute name that starts at `nameStart` (after `span.`, `.`, …). */
  private readAttribute(start: number, nameStart: number, scope: FieldRef['scope']): Token {
    const text = this.text;
    let i = nameStart;
    let name = '';
    for (;;) {
      const ch = text[i];
      if (ch === '"') {
        // A quoted part (`span."a b".c`); Tempo takes only the escapes \" and \\ in it.
        i++;
        for (;;) {
          if (i >= text.length) this.fail(i, 'unterminated quoted attribute name', ['"']);
          const q = text[i];
          if (q === '"') break;
          if (q === '\\') {
            const escaped = text[i + 1];
            if (escaped !== '"' && escaped !== '\\') {
              this.fail(i, `invalid escape sequence in an attribute name: expected \\" or \\\\`);
            }
            name += escaped;
            i += 2;
          } else {
            name += q;
            i++;
          }
        }
        i++;
      } else if (ch !== undefined && isAttributeChar(ch)) {
        name += ch;
        i++;
      } else {
        break;
      }
    }
    if (i === nameStart) {
      const scopeText = text.slice(start, nameStart);
      this.fail(i, `expected an attribute name after "${scopeText}"`, [EXPECTED_CATEGORIES.attributeName]);
    }
    this.pos = i;
    return { kind: 'field', text: text.slice(start, i), pos: start, field: { scope, name } };
  }
}
