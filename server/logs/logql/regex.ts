import type { LabelMatcher } from './ast';
import type { Token } from './lexer';
import { LogQLParseError } from './parse-error';

/** RE2's `(?P<name>` is JavaScript's `(?<name>`. */
export function toJsRegex(re2: string): string {
  return re2.replace(/\(\?P</g, '(?<');
}

/**
 * A LogQL (RE2) regular expression as a JavaScript one: named groups as above, and leading
 * inline flags (`(?i)error`, the usual way to match without case) as flags. `anchored` wraps it
 * as label matchers need (`^(?:…)$`, Prometheus's and Loki's semantics).
 */
export function compileRe2(re2: string, anchored = false): RegExp {
  const inline = /^\(\?([ims]+)\)/.exec(re2);
  const flags = inline ? [...new Set(inline[1])].join('') : ''; // RE2's U (ungreedy) has no JS flag: refused as a bad group
  const body = toJsRegex(inline ? re2.slice(inline[0].length) : re2);
  return new RegExp(anchored ? `^(?:${body})$` : body, flags);
}

export function checkRegex(token: Token): void {
  try {
    compileRe2(token.text);
  } catch (err) {
    throw new LogQLParseError(`invalid regular expression: ${(err as Error).message}`, token.line, token.col);
  }
}

/** A matcher every stream satisfies on its own: `a=""`, `a=~".*"`, `a!="x"`… */
export function matchesEmpty(m: LabelMatcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return compileRe2(m.value, true).test('');
    case '!~':
      return !compileRe2(m.value, true).test('');
  }
}
