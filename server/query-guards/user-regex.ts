import { RE2JS } from 're2js';
import { ErrorCode } from '../errors/error-codes';
import { literalAlternation } from './literal-alternation';

/**
 * The one way Loupe compiles a regular expression a user supplies: LogQL line filters, `regexp`
 * stages and label matchers, PromQL matchers, derived-field matchers, TraceQL's `=~`/`!~`.
 *
 * Semantics are Go's RE2, as in Loki, Prometheus and Tempo (`(?i)` and `(?P<name>…)`, `\pL`,
 * `[[:alpha:]]`, `\z`, no backreferences or lookaround), and matching takes time linear in the
 * input, whatever the pattern: JavaScript's backtracking `RegExp` would let one query such as
 * `(a+)+$` hold the event loop for minutes. The engine is re2js, a port of RE2/J (ADR 003).
 *
 * Patterns that are a plain alternation of literals (`error|timeout`, `(?i)warn`, `status=5\d\d`)
 * are matched by a `RegExp` that cannot backtrack more than the pattern's length per position,
 * 10–20× faster on the common filters; `literal-alternation.ts` states when that holds.
 */
export interface UserRegex {
  /** The pattern as the user wrote it. */
  readonly source: string;
  /** Names of its named groups (`(?P<name>…)` or `(?<name>…)`), in pattern order. */
  readonly groupNames: readonly string[];
  /** Whether the pattern matches (`search`: anywhere in the input; `full`: the whole input). */
  test(input: string): boolean;
  /** The named groups of the first match (unmatched groups as ""), or undefined without a match. */
  namedGroups(input: string): Record<string, string> | undefined;
}

/**
 * `search`: match anywhere, as line filters and `regexp` stages do. `full`: the whole value, as
 * Prometheus's and Loki's label matchers do (`^(?s:…)$`: `.` also matches a newline there).
 */
export type RegexMode = 'search' | 'full';

/** A pattern RE2 refuses; the message is RE2's own (`error parsing regexp: missing closing ): …`). */
export class UserRegexError extends Error {
  readonly code = ErrorCode.REGEX;
  readonly statusCode = 400;
}

/**
 * Compiled regexes by mode and pattern, newest last. A query's regex is compiled where it is
 * checked (the parser), where an empty match is tested, and where it runs; dashboards send the
 * same queries every refresh; and an RE2 compile costs ~100× a JavaScript one. A compiled regex
 * holds no match state, so one object serves every caller.
 */
const compiled = new Map<string, UserRegex>();
const MAX_CACHED = 512;

/** Compiles `pattern` with RE2 semantics; throws `UserRegexError` for a pattern RE2 refuses. */
export function compileUserRegex(pattern: string, mode: RegexMode = 'search'): UserRegex {
  const key = `${mode}\u0000${pattern}`;
  const cached = compiled.get(key);
  if (cached) {
    compiled.delete(key); // re-inserted below: most recently used last
    compiled.set(key, cached);
    return cached;
  }
  const regex = compile(pattern, mode);
  compiled.set(key, regex);
  if (compiled.size > MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
  return regex;
}

function compile(pattern: string, mode: RegexMode): UserRegex {
  let engine: RE2JS;
  try {
    engine = RE2JS.compile(mode === 'full' ? `^(?s:${pattern})$` : pattern);
    if (mode === 'full') RE2JS.compile(pattern); // `a)|(b` must not be accepted by the wrapping
  } catch (err) {
    throw new UserRegexError((err as Error).message);
  }
  const fast = literalAlternation(pattern, mode);
  const named = engine.namedGroups();
  const groupNames = Object.keys(named).sort((a, b) => named[a] - named[b]);
  return {
    source: pattern,
    groupNames,
    test: fast ? (input) => fast.test(input) : (input) => engine.test(input),
    namedGroups(input) {
      if (groupNames.length === 0) return this.test(input) ? {} : undefined;
      const match = engine.exec(input) as (string[] & { groups?: Record<string, string> }) | null;
      if (!match) return undefined;
      const out: Record<string, string> = {};
      for (const name of groupNames) out[name] = match.groups?.[name] ?? '';
      return out;
    },
  };
}

/** Whether `pattern` compiles under RE2; the error message if not. */
export function userRegexError(pattern: string): string | undefined {
  try {
    compileUserRegex(pattern);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
