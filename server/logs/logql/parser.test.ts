import { describe, expect, it } from 'vitest';
import { LogQLParseError } from './parse-error';
import { MAX_LABEL_FILTER_DEPTH, parseLogQL, parseSelector } from './parser';
import { compilePipeline } from './pipeline';

describe('parseLogQL: valid queries', () => {
  it('reads a selector with every matcher operator', () => {
    const query = parseLogQL('{service_name="api", env!="dev", pod=~"api-.*", ns!~`kube-.+`}');
    expect(query).toEqual({
      kind: 'log',
      matchers: [
        { name: 'service_name', op: '=', value: 'api' },
        { name: 'env', op: '!=', value: 'dev' },
        { name: 'pod', op: '=~', value: 'api-.*' },
        { name: 'ns', op: '!~', value: 'kube-.+' },
      ],
      pipeline: [],
    });
  });

  it('reads chained line filters, including `or` alternatives', () => {
    const query = parseLogQL(
      '{a="b"} |= "error" != "timeout" |~ "5\\\\d\\\\d" !~ `debug|trace` |= "x" or "y"',
    );
    expect(query.kind === 'log' && query.pipeline).toEqual([
      { kind: 'line_filter', op: '|=', values: ['error'] },
      { kind: 'line_filter', op: '!=', values: ['timeout'] },
      { kind: 'line_filter', op: '|~', values: ['5\\d\\d'] },
      { kind: 'line_filter', op: '!~', values: ['debug|trace'] },
      { kind: 'line_filter', op: '|=', values: ['x', 'y'] },
    ]);
  });

  it('reads parsers and label filters with numbers, durations, and/or', () => {
    const query = parseLogQL('{a="b"} | logfmt | status >= 500 and duration > 250ms or level="error" | json');
    if (query.kind !== 'log') throw new Error('expected a log query');
    expect(query.pipeline[0]).toEqual({ kind: 'logfmt' });
    expect(query.pipeline[1]).toEqual({
      kind: 'label_filter',
      expr: {
        kind: 'or',
        left: {
          kind: 'and',
          left: { kind: 'compare', name: 'status', op: '>=', value: '500', number: 500, isDuration: false },
          right: {
            kind: 'compare',
            name: 'duration',
            op: '>',
            value: '250ms',
            number: 0.25,
            isDuration: true,
          },
        },
        right: { kind: 'compare', name: 'level', op: '=', value: 'error' },
      },
    });
    expect(query.pipeline[2]).toEqual({ kind: 'json' });
  });

  it('reads a structured-metadata filter straight after the selector (logs for a trace)', () => {
    const query = parseLogQL('{service_name="checkout"} | trace_id="4bf92f3577b34da6a3ce929d0e0e4736"');
    expect(query.kind === 'log' && query.pipeline).toEqual([
      {
        kind: 'label_filter',
        expr: { kind: 'compare', name: 'trace_id', op: '=', value: '4bf92f3577b34da6a3ce929d0e0e4736' },
      },
    ]);
  });

  it('reads metric queries with sum by', () => {
    const query = parseLogQL('sum by (level) (count_over_time({a="b"} |= "x" [5m]))');
    expect(query).toMatchObject({
      kind: 'metric',
      fn: 'count_over_time',
      rangeMs: 300_000,
      aggregation: { op: 'sum', grouping: { without: false, labels: ['level'] } },
      log: { matchers: [{ name: 'a', op: '=', value: 'b' }] },
    });
    expect(parseLogQL('rate({a="b"}[1m])')).toMatchObject({ kind: 'metric', fn: 'rate', rangeMs: 60_000 });
  });

  it('accepts a trailing comma, comments and escapes in strings', () => {
    const query = parseLogQL('{a="q\\"uote\\n",} # all of it\n|= "tab\\t"');
    expect(query.kind === 'log' && query.matchers[0].value).toBe('q"uote\n');
    expect(query.kind === 'log' && query.pipeline[0]).toEqual({
      kind: 'line_filter',
      op: '|=',
      values: ['tab\t'],
    });
  });

  it('parses a bare selector for Loki protobuf push labels', () => {
    expect(parseSelector('{job="varlogs", host="h1"}')).toHaveLength(2);
  });
});

describe('parseLogQL: malformed queries point at the error', () => {
  const cases: { query: string; line: number; col: number; contains: string }[] = [
    { query: '', line: 1, col: 1, contains: 'unexpected end of input' },
    { query: 'service_name="x"', line: 1, col: 1, contains: 'unexpected IDENTIFIER' },
    { query: '{}', line: 1, col: 2, contains: 'unexpected }, expecting IDENTIFIER' },
    { query: '{service_name=x}', line: 1, col: 15, contains: 'unexpected IDENTIFIER, expecting STRING' },
    { query: '{service_name="x" env="y"}', line: 1, col: 19, contains: 'expecting } or ,' },
    { query: '{service_name="x"', line: 1, col: 18, contains: 'unexpected end of input' },
    { query: '{service_name=~"("}', line: 1, col: 16, contains: 'invalid regular expression' },
    { query: '{a=~".*"}', line: 1, col: 1, contains: 'at least one regexp or equality matcher' },
    { query: '{a="b"} |= error', line: 1, col: 12, contains: 'unexpected IDENTIFIER, expecting STRING' },
    { query: '{a="b"} | status >= "x"', line: 1, col: 21, contains: 'expecting NUMBER or DURATION' },
    { query: '{a="b"} | status', line: 1, col: 17, contains: 'unexpected end of input' },
    { query: '{a="b"} |', line: 1, col: 10, contains: 'expecting logfmt, json' },
    { query: '{a="b"} "x"', line: 1, col: 9, contains: 'unexpected STRING' },
    { query: '{a="b"}\n  |= "x" |= 42', line: 2, col: 13, contains: 'unexpected NUMBER, expecting STRING' },
    { query: '{a="b"} |= "unterminated', line: 1, col: 12, contains: 'unterminated string' },
    { query: '{a="b"} @', line: 1, col: 9, contains: 'unexpected character "@"' },
    {
      query: 'avg_over_time({a="b"}[5m])',
      line: 1,
      col: 1,
      contains: 'other metric queries are not supported',
    },
    { query: 'rate({a="b"})', line: 1, col: 13, contains: 'expecting [ or a pipeline stage' },
    { query: '{a="b"} | (x="1"', line: 1, col: 17, contains: 'expecting ) or a label filter' },
    { query: '{a="b"} | regexp `(\\d+)`', line: 1, col: 18, contains: 'at least one named group' },
    { query: '{a="b"} | drop', line: 1, col: 15, contains: 'unexpected end of input, expecting IDENTIFIER' },
  ];

  it.each(cases)('$query → line $line col $col', ({ query, line, col, contains }) => {
    let caught: unknown;
    try {
      parseLogQL(query);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LogQLParseError);
    const error = caught as LogQLParseError;
    expect(error.message).toContain(contains);
    expect(error.message).toMatch(new RegExp(`^parse error at line ${line}, col ${col}: `));
    expect(error.statusCode).toBe(400);
  });
});

describe('parseLogQL: nesting a hostile query cannot overflow the stack', () => {
  const nestedParens = (n: number) => `{a="b"} | ${'('.repeat(n)}x="1"${')'.repeat(n)}`;
  const chained = (n: number, op: string) =>
    `{a="b"} | ${Array.from({ length: n }, (_, i) => `x${i}="1"`).join(` ${op} `)}`;

  it.each([
    ['10,000 parentheses', nestedParens(10_000)],
    ['100,000 chained and', chained(100_000, 'and')],
    ['100,000 chained or', chained(100_000, 'or')],
    ['100,000 chained commas', chained(100_000, ',')],
  ])('%s: a 400 naming the limit', (_name, query) => {
    expect(() => parseLogQL(query)).toThrow(new RegExp(`more than ${MAX_LABEL_FILTER_DEPTH} levels deep`));
  });

  it('accepts and runs filters at the limit', () => {
    const query = parseLogQL(chained(MAX_LABEL_FILTER_DEPTH - 1, 'or'));
    const pipeline = compilePipeline(query.kind === 'log' ? query.pipeline : []);
    expect(pipeline.run({ line: 'l', stream: { x7: '1' }, meta: undefined, parsed: undefined })).toBe(true);
    expect(() => parseLogQL(nestedParens(MAX_LABEL_FILTER_DEPTH))).not.toThrow();
  });
});
