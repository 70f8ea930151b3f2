import { describe, expect, it } from 'vitest';
import { TraceQLParseError } from './errors';
import { parseTraceQL } from './query';

describe('parseTraceQL: errors', () => {
  const OPERAND = ['!', '-', '(', 'an attribute', 'an intrinsic', 'a string', 'a number', 'a duration'];
  const AFTER_OPERAND = ['=', '!=', '>', '>=', '<', '<=', '=~', '!~', '&&', '||', '}'];

  it.each<[string, number, number, string[] | undefined, string]>([
    ['{ span.foo = }', 1, 14, undefined, 'found "}"'],
    ['{ .a = "x" ', 1, 12, AFTER_OPERAND, 'found end of query'],
    ['{ .a "x" }', 1, 6, AFTER_OPERAND, 'expected one of "=", "!=", ">"'],
    [
      '{ status = bogus }',
      1,
      12,
      ['unset', 'ok', 'error'],
      'expected one of "unset", "ok", "error" but found "bogus"',
    ],
    [
      '{ kind = sever }',
      1,
      10,
      ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'],
      '"sever"',
    ],
    ['{ duration > 1xs }', 1, 15, ['ns', 'us', 'µs', 'ms', 's', 'm', 'h', 'd', 'w', 'y'], 'invalid duration'],
    ['{ duration > 1msx }', 1, 17, undefined, 'found "x"'],
    ['{ .a = "abc }', 1, 8, ['"'], 'unterminated string'],
    ['{ .a = `abc }', 1, 8, ['`'], 'unterminated string'],
    ['{ .a = "x\\q" }', 1, 10, [], 'unknown escape sequence "\\q"'],
    ['{ .a = 1 &&\n  .b = }', 2, 8, undefined, 'found "}"'],
    ['{ .a = 1 }\n| count( > 2', 2, 10, [')'], 'expected ")" but found ">"'],
    ['{ .a = "😀" } }', 1, 14, undefined, '"|", "with", end of query but found "}"'],
    ['{ true } &&', 1, 12, ['{', '('], 'expected one of "{", "(" but found end of query'],
    ['{ 2 <> 3 }', 1, 6, undefined, 'found ">"'],
    ['{ + }', 1, 3, undefined, 'found "+"'],
    [
      'wharblgarbl',
      1,
      1,
      ['{', '(', 'by', 'select', 'count', 'avg', 'min', 'max', 'sum'],
      'found "wharblgarbl"',
    ],
    ['', 1, 1, undefined, 'found end of query'],
    ['by(.a) && { .b = 1 }', 1, 8, ['|', 'with', 'end of query'], 'found "&&"'],
    ['by()', 1, 4, ['an attribute', 'an intrinsic'], 'found ")"'],
    ['select()', 1, 8, ['an attribute', 'an intrinsic'], 'found ")"'],
    ['coalesce()', 1, 1, undefined, 'found "coalesce"'],
    ['{ } | rate()', 1, 7, undefined, 'found "rate"'],
    ['count() > "x"', 1, 11, ['-', 'a number', 'a duration'], 'found "\\"x\\""'],
    ['{ span. = 1 }', 1, 8, ['an attribute name'], 'expected an attribute name after "span."'],
    ['{ . }', 1, 4, ['an attribute name'], 'expected an attribute name after "."'],
    ['{ span:foo = 1 }', 1, 3, undefined, 'found "span:foo"'],
    ['{ .a = 1 } with (x=1) | count() > 1', 1, 23, ['end of query'], 'found "|"'],
    ['{ instrumentation.name = "x" }', 1, 3, [], 'instrumentation. scope is not supported'],
  ])('%j', (query, line, column, expected, message) => {
    const error = parseError(query);
    expect([error.line, error.column]).toEqual([line, column]);
    if (expected) expect(error.expected).toEqual(expected);
    expect(error.message).toContain(message);
    expect(error.message).toMatch(new RegExp(`^parse error at line ${line}, column ${column}: `));
  });

  it('lists every kind of operand after a comparison operator', () => {
    expect(parseError('{ span.foo = }').expected).toEqual([
      ...OPERAND,
      'true',
      'false',
      'nil',
      'a status',
      'a kind',
    ]);
  });

  it.each<[string, number, string]>([
    ['{ status = "error" }', 10, 'cannot compare a status with a string'],
    ['{ duration > "1s" }', 12, 'cannot compare a duration with a string'],
    ['{ kind = error }', 8, 'cannot compare a kind with a status'],
    ['{ duration =~ "1.*" }', 12, '"=~" cannot be applied to a duration'],
    ['{ .a =~ .b }', 9, 'the right side of "=~" must be a string literal'],
    ['{ .a =~ "(" }', 9, 'invalid regex: error parsing regexp: missing closing ): `(`'],
    ['{ status > ok }', 10, '">" cannot be applied to a status'],
    ['{ .a > true }', 6, '">" cannot be applied to a boolean'],
    ['{ .a > nil }', 6, '">" cannot be applied to nil'],
    ['{ name = nil }', 8, 'name = nil is not valid: intrinsics cannot be nil'],
    ['{ resource.service.name = nil }', 25, 'resource.service.name cannot be nil'],
    ['{ 1 }', 3, 'a spanset filter needs a boolean, not a number'],
    ['{ "a" && .b }', 7, '"&&" needs a boolean, not a string'],
    ['{ !name }', 3, '"!" needs a boolean, not a string'],
    ['avg(name) > 1', 5, 'avg() needs a numeric field, not a string'],
  ])('type error %j', (query, column, message) => {
    const error = parseError(query);
    expect(error.column).toBe(column);
    expect(error.expected).toEqual([]);
    expect(error.message).toContain(message);
  });

  it('refuses deep nesting instead of overflowing the stack', () => {
    for (const query of [`{ ${'('.repeat(5000)}`, `${'('.repeat(5000)}{}`, `{ ${'!'.repeat(5000)}.a }`]) {
      expect(parseError(query).message).toContain('the query nests deeper than 100 levels');
    }
    expect(parseTraceQL(`{ ${'('.repeat(50)}.a = 1${')'.repeat(50)} }`).ast.stages).toHaveLength(1);
  });

  it('refuses chains too deep to compile, but not long runs of one operator', () => {
    const chain = Array.from({ length: 500 }, () => '{ }').join(' > ');
    expect(parseError(chain).message).toContain('the query nests deeper than 200 levels');
    const alternating = Array.from({ length: 500 }, (_, i) => `.a = ${i}`).join(' || .b = 1 && ');
    expect(parseError(`{ ${alternating} }`).message).toContain('the query nests deeper than 200 levels');
    const run = Array.from({ length: 5_000 }, (_, i) => `span:id = "${i.toString(16)}"`).join(' || ');
    expect(parseTraceQL(`{ ${run} }`).prefilter).toMatchObject({ kind: 'or' });
    const spansets = Array.from({ length: 2_000 }, (_, i) => `{ .a = ${i} }`).join(' || ');
    expect(parseTraceQL(spansets).fields.refs).toEqual([{ scope: 'unscoped', name: 'a' }]);
  });

  it('carries a code and a 400', () => {
    const error = parseError('{');
    expect(error.code).toBe('LOUPE_ERR_TRACEQL_PARSE');
    expect(error.statusCode).toBe(400);
    expect(error).toBeInstanceOf(Error);
  });
});

function parseError(query: string): TraceQLParseError {
  try {
    parseTraceQL(query);
  } catch (err) {
    if (err instanceof TraceQLParseError) return err;
    throw err;
  }
  throw new Error(`parsed: ${query}`);
}
