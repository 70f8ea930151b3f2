import { compileUserRegex, type UserRegex } from '../query-guards/user-regex';
import type { Labels } from './labels';

export type MatchType = '=' | '!=' | '=~' | '!~';

/**
 * A label matcher of a selector. Regexes are RE2, anchored and with `.` matching newlines, as in
 * Prometheus (`^(?s:…)$`), and run in linear time; an invalid one throws `UserRegexError` (400).
 */
export class LabelMatcher {
  private readonly regex?: UserRegex;

  constructor(
    readonly name: string,
    readonly type: MatchType,
    readonly value: string,
  ) {
    if (type === '=~' || type === '!~') this.regex = compileUserRegex(value, 'full');
  }

  matches(value: string): boolean {
    switch (this.type) {
      case '=':
        return value === this.value;
      case '!=':
        return value !== this.value;
      case '=~':
        return this.regex!.test(value);
      case '!~':
        return !this.regex!.test(value);
    }
  }

  /** Whether a series without this label (value "") is selected. */
  matchesEmpty(): boolean {
    return this.matches('');
  }

  matchesLabels(labels: Labels): boolean {
    return this.matches(labels[this.name] ?? '');
  }

  toString(): string {
    return `${this.name}${this.type}${JSON.stringify(this.value)}`;
  }
}
