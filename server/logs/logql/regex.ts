import { compileUserRegex, type RegexMode, type UserRegex } from '../../query-guards/user-regex';
import type { LabelMatcher } from './ast';
import type { Token } from './lexer';
import { LogQLParseError } from './parse-error';

/**
 * Checks a STRING token as a regular expression, failing at its position with RE2's message.
 * `full` is for label matchers and label filters (Loki takes Prometheus's `^(?s:…)$`); line
 * filters and `regexp` stages search.
 */
export function checkRegex(token: Token, mode: RegexMode = 'search'): UserRegex {
  try {
    return compileUserRegex(token.text, mode);
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
      return compileUserRegex(m.value, 'full').test('');
    case '!~':
      return !compileUserRegex(m.value, 'full').test('');
  }
}
