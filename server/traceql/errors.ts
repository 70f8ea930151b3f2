import { ErrorCode } from '../errors/error-codes';

/**
 * Entries of `TraceQLParseError.expected` that name a kind of token rather than the token itself;
 * the message leaves them unquoted (`expected one of "(", a string but found "}"`).
 */
export const EXPECTED_CATEGORIES = {
  string: 'a string',
  number: 'a number',
  duration: 'a duration',
  attribute: 'an attribute',
  intrinsic: 'an intrinsic',
  status: 'a status',
  kind: 'a kind',
  attributeName: 'an attribute name',
  hintName: 'a hint name',
  end: 'end of query',
} as const;

const CATEGORY_TEXTS: ReadonlySet<string> = new Set(Object.values(EXPECTED_CATEGORIES));

/**
 * A query that is not valid TraceQL, answered with 400. Line and column are 1-based; columns count
 * characters (code points), so a query with `µs` or an emoji in it points at the right spot.
 * `expected` lists what would have been valid there (tokens as written, or the category texts
 * above); it is empty for errors that are not about the next token (a type mismatch, a bad regex).
 */
export class TraceQLParseError extends Error {
  readonly code = ErrorCode.TRACEQL_PARSE;
  readonly statusCode = 400;
  readonly line: number;
  readonly column: number;

  constructor(
    query: string,
    offset: number,
    readonly detail: string,
    readonly expected: string[] = [],
  ) {
    const { line, column } = lineColumn(query, offset);
    super(`parse error at line ${line}, column ${column}: ${detail}`);
    this.line = line;
    this.column = column;
  }
}

/** `expected one of "=", "!=", a string but found "&&"`; `found` is undefined at the end of the query. */
export function expectedDetail(expected: readonly string[], found: string | undefined): string {
  const items = expected.map((e) => (CATEGORY_TEXTS.has(e) ? e : JSON.stringify(e)));
  const what = items.length === 1 ? items[0] : `one of ${items.join(', ')}`;
  return `expected ${what} but found ${found === undefined ? 'end of query' : JSON.stringify(found)}`;
}

/** 1-based line and column (in code points) of a UTF-16 offset. */
export function lineColumn(query: string, offset: number): { line: number; column: number } {
  const before = query.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  let line = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  let column = 1;
  for (const _ of before.slice(lineStart)) column++;
  return { line, column };
}
