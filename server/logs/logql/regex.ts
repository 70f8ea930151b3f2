import type { LabelMatcher } from './ast';
import type { Token } from './lexer';
import { LogQLParseError } from './parse-error';

/** RE2's `(?P<name>` is JavaScript's `(?<name>`. */
export function toJsRegex(re2: string): string {
  return re2.replace(/\(\?P</g, '(?<');
}

export function checkRegex(token: Token): void {
  try {
    new RegExp(token.text);
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
      return new RegExp(`^(?:${m.value})$`).test('');
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test('');
  }
}
