import { describe, expect, it } from 'vitest';
import type { FieldExpr, FieldRef, Literal, Pipeline, SpansetExpr, Stage } from './ast';
import { parseTraceQL } from './query';

const ref = (scope: FieldRef['scope'], name: string): FieldRef => ({ scope, name });
const field = (scope: FieldRef['scope'], name: string): FieldExpr => ({
  kind: 'field',
  field: ref(scope, name),
});
const lit = (literal: Literal): FieldExpr => ({ kind: 'literal', literal });
const str = (value: string) => lit({ type: 'string', value });
const int = (value: number) => lit({ type: 'int', value });
const dur = (nanos: number) => lit({ type: 'duration', nanos });
const cmp = (left: FieldExpr, op: string, right: FieldExpr) =>
  ({ kind: 'compare', op, left, right }) as FieldExpr;
const and = (left: FieldExpr, right: FieldExpr): FieldExpr => ({ kind: 'logical', op: '&&', left, right });
const or = (left: FieldExpr, right: FieldExpr): FieldExpr => ({ kind: 'logical', op: '||', left, right });
const filter = (expr: FieldExpr): SpansetExpr => ({ kind: 'filter', expr });
const op = (o: string, left: SpansetExpr, right: SpansetExpr) =>
  ({ kind: 'spansetOp', op: o, left, right }) as SpansetExpr;
const stage = (expr: SpansetExpr): Stage => ({ kind: 'spanset', expr });
const one = (expr: SpansetExpr): Pipeline => ({ stages: [stage(expr)] });
const TRUE = filter(lit({ type: 'bool', value: true }));
/** `{ <scope>.a = 1 }`-style filters by attribute name, for short spanset-operator cases. */
const has = (name: string) => filter(cmp(field('unscoped', name), '=', int(1)));

function astOf(query: string): Pipeline {
  return parseTraceQL(query).ast;
}

/** The filter expression of a one-filter query. */
function exprOf(query: string): FieldExpr {
  const [only] = astOf(query).stages;
  if (only.kind !== 'spanset' || only.expr.kind !== 'filter') throw new Error(`not one filter: ${query}`);
  return only.expr.expr;
}

describe('parseTraceQL: spanset filters', () => {
  it.each([
    ['{}', TRUE],
    ['{   }', TRUE],
    ['{ true }', TRUE],
    ['/* all */ {} // every span', TRUE],
  ])('%s', (query, expected) => {
    expect(astOf(query)).toEqual(one(expected));
  });

  it.each<[string, FieldExpr]>([
    ['{ span.foo = "bar" }', cmp(field('span', 'foo'), '=', str('bar'))],
    [
      '{ resource.service.name = "frontend" && name = "POST /api/orders" }',
      and(
        cmp(field('resource', 'service.name'), '=', str('frontend')),
        cmp(field('intrinsic', 'name'), '=', str('POST /api/orders')),
      ),
    ],
    ['{ .foo.bar = 1 }', cmp(field('unscoped', 'foo.bar'), '=', int(1))],
    ['{ .http-status=1 }', cmp(field('unscoped', 'http-status'), '=', int(1))],
    ['{ .http+ = 1 }', cmp(field('unscoped', 'http+'), '=', int(1))],
    ['{ .status = 1 }', cmp(field('unscoped', 'status'), '=', int(1))],
    ['{ span."foo bar" = 1 }', cmp(field('span', 'foo bar'), '=', int(1))],
    [
      '{ span.attribute."name with space".x = 1 }',
      cmp(field('span', 'attribute.name with space.x'), '=', int(1)),
    ],
    ['{ .foo."bar \\" baz" = 1 }', cmp(field('unscoped', 'foo.bar " baz'), '=', int(1))],
    ['{ event.exception.message = "x" }', cmp(field('event', 'exception.message'), '=', str('x'))],
    ['{ link.foo = "x" }', cmp(field('link', 'foo'), '=', str('x'))],
    ['{ span.foo }', field('span', 'foo')],
  ])('%s', (query, expected) => {
    expect(exprOf(query)).toEqual(expected);
  });

  it.each([
    ['name', 'intrinsic', 'name'],
    ['span:name', 'intrinsic', 'name'],
    ['status', 'intrinsic', 'status'],
    ['span:status', 'intrinsic', 'status'],
    ['statusMessage', 'intrinsic', 'statusMessage'],
    ['span:statusMessage', 'intrinsic', 'statusMessage'],
    ['kind', 'intrinsic', 'kind'],
    ['span:kind', 'intrinsic', 'kind'],
    ['duration', 'intrinsic', 'duration'],
    ['span:duration', 'intrinsic', 'duration'],
    ['span:id', 'intrinsic', 'span:id'],
    ['span:parentID', 'intrinsic', 'span:parentID'],
    ['span:childCount', 'intrinsic', 'span:childCount'],
    ['event:name', 'intrinsic', 'event:name'],
    ['event:timeSinceStart', 'intrinsic', 'event:timeSinceStart'],
    ['link:traceID', 'intrinsic', 'link:traceID'],
    ['link:spanID', 'intrinsic', 'link:spanID'],
    ['rootName', 'trace', 'rootName'],
    ['trace:rootName', 'trace', 'rootName'],
    ['rootServiceName', 'trace', 'rootServiceName'],
    ['trace:rootService', 'trace', 'rootServiceName'],
    ['traceDuration', 'trace', 'traceDuration'],
    ['trace:duration', 'trace', 'traceDuration'],
    ['trace:id', 'trace', 'trace:id'],
  ] as const)('intrinsic %s', (written, scope, name) => {
    expect(exprOf(`{ ${written} != nil }`)).toEqual({
      kind: 'exists',
      field: ref(scope, name),
      exists: true,
    });
  });

  it.each<[string, Literal]>([
    ['1ms', { type: 'duration', nanos: 1e6 }],
    ['1.5s', { type: 'duration', nanos: 1.5e9 }],
    ['2m', { type: 'duration', nanos: 120e9 }],
    ['1h30m', { type: 'duration', nanos: 5400e9 }],
    ['100us', { type: 'duration', nanos: 100e3 }],
    ['5µs', { type: 'duration', nanos: 5e3 }],
    ['7ns', { type: 'duration', nanos: 7 }],
    ['-5s', { type: 'duration', nanos: -5e9 }],
    ['42', { type: 'int', value: 42 }],
    ['-3', { type: 'int', value: -3 }],
    ['1.25', { type: 'float', value: 1.25 }],
    ['"a\\"b\\n"', { type: 'string', value: 'a"b\n' }],
    ['`raw\\n "quotes"`', { type: 'string', value: 'raw\\n "quotes"' }],
    ['true', { type: 'bool', value: true }],
    ['false', { type: 'bool', value: false }],
    ['maxInt', { type: 'int', value: 2 ** 63 - 1 }],
  ])('literal %s', (written, literal) => {
    expect(exprOf(`{ .a = ${written} }`)).toEqual(cmp(field('unscoped', 'a'), '=', lit(literal)));
  });

  it('reads statuses and kinds', () => {
    expect(exprOf('{ status = error }')).toEqual(
      cmp(field('intrinsic', 'status'), '=', lit({ type: 'status', value: 'error' })),
    );
    expect(exprOf('{ kind != consumer }')).toEqual(
      cmp(field('intrinsic', 'kind'), '!=', lit({ type: 'kind', value: 'consumer' })),
    );
  });

  it('puts the literal on the right, flipping the operator', () => {
    expect(exprOf('{ "x" = span.foo }')).toEqual(cmp(field('span', 'foo'), '=', str('x')));
    expect(exprOf('{ 5 < span.foo }')).toEqual(cmp(field('span', 'foo'), '>', int(5)));
    expect(exprOf('{ 1ms >= duration }')).toEqual(cmp(field('intrinsic', 'duration'), '<=', dur(1e6)));
  });

  it('turns nil comparisons into existence tests', () => {
    expect(exprOf('{ span.foo != nil }')).toEqual({
      kind: 'exists',
      field: ref('span', 'foo'),
      exists: true,
    });
    expect(exprOf('{ nil = .foo }')).toEqual({
      kind: 'exists',
      field: ref('unscoped', 'foo'),
      exists: false,
    });
    expect(exprOf('{ nil = nil }')).toEqual(lit({ type: 'bool', value: false }));
  });

  it('gives && and || one precedence, left to right, as Tempo does', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => cmp(field('unscoped', n), '=', int(1)));
    expect(exprOf('{ .a = 1 || .b = 1 && .c = 1 }')).toEqual(and(or(a, b), c));
    expect(exprOf('{ .a = 1 || (.b = 1 && .c = 1) }')).toEqual(or(a, and(b, c)));
  });

  it('binds ! tighter than comparisons', () => {
    expect(exprOf('{ !.a = .b }')).toEqual(
      cmp({ kind: 'not', operand: field('unscoped', 'a') }, '=', field('unscoped', 'b')),
    );
    expect(exprOf('{ !(.a = 1) }')).toEqual({
      kind: 'not',
      operand: cmp(field('unscoped', 'a'), '=', int(1)),
    });
  });
});

describe('parseTraceQL: spanset operators and pipelines', () => {
  it.each<[string, SpansetExpr]>([
    ['{ .a = 1 } && { .b = 1 }', op('&&', has('a'), has('b'))],
    ['{ .a = 1 } || { .b = 1 }', op('||', has('a'), has('b'))],
    ['{ .a = 1 } && { .b = 1 } >> { .c = 1 }', op('&&', has('a'), op('>>', has('b'), has('c')))],
    ['{ .a = 1 } >> { .b = 1 } && { .c = 1 }', op('&&', op('>>', has('a'), has('b')), has('c'))],
    ['{ .a = 1 } >> { .b = 1 } ~ { .c = 1 }', op('~', op('>>', has('a'), has('b')), has('c'))],
    ['({ .a = 1 } || { .b = 1 }) > { .c = 1 }', op('>', op('||', has('a'), has('b')), has('c'))],
    ['{ .a = 1 } < { .b = 1 }', op('<', has('a'), has('b'))],
    ['{ .a = 1 } << { .b = 1 }', op('<<', has('a'), has('b'))],
    ['{ .a = 1 } !~ { .b = 1 }', op('!~', has('a'), has('b'))],
    ['{ .a = 1 } !>> { .b = 1 }', op('!>>', has('a'), has('b'))],
    ['{ .a = 1 } &> { .b = 1 }', op('&>', has('a'), has('b'))],
    ['{}>>{}', op('>>', TRUE, TRUE)],
  ])('%s', (query, expected) => {
    expect(astOf(query)).toEqual(one(expected));
  });

  it('parses pipeline stages', () => {
    expect(astOf('{ status = error } | by(resource.service.name) | count() > 1').stages).toEqual([
      stage(filter(cmp(field('intrinsic', 'status'), '=', lit({ type: 'status', value: 'error' })))),
      { kind: 'by', field: ref('resource', 'service.name') },
      { kind: 'scalarFilter', aggregate: { fn: 'count' }, op: '>', value: { type: 'int', value: 1 } },
    ]);
    expect(astOf('{} | select(span.a, resource.b, duration) | coalesce()').stages.slice(1)).toEqual([
      { kind: 'select', fields: [ref('span', 'a'), ref('resource', 'b'), ref('intrinsic', 'duration')] },
      { kind: 'coalesce' },
    ]);
    expect(astOf('avg(duration) > 20ms').stages).toEqual([
      {
        kind: 'scalarFilter',
        aggregate: { fn: 'avg', field: ref('intrinsic', 'duration') },
        op: '>',
        value: { type: 'duration', nanos: 20e6 },
      },
    ]);
    expect(astOf('{} | sum(span.bytes) <= -1.5').stages[1]).toMatchObject({
      value: { type: 'float', value: -1.5 },
    });
  });

  it('flattens a parenthesised pipeline used as a stage, keeps one used as an operand', () => {
    expect(astOf('({ .a = 1 } | { .b = 1 }) | count() = 2').stages).toEqual([
      stage(has('a')),
      stage(has('b')),
      { kind: 'scalarFilter', aggregate: { fn: 'count' }, op: '=', value: { type: 'int', value: 2 } },
    ]);
    const pipelineOperand: SpansetExpr = {
      kind: 'pipeline',
      pipeline: {
        stages: [
          stage(has('a')),
          { kind: 'scalarFilter', aggregate: { fn: 'count' }, op: '>', value: { type: 'int', value: 1 } },
        ],
      },
    };
    expect(astOf('({ .a = 1 } | count() > 1) && { .b = 1 }')).toEqual(
      one(op('&&', pipelineOperand, has('b'))),
    );
  });

  it('reads hints, keeping unknown ones', () => {
    const query = parseTraceQL('{} with (most_recent=true, sample=0.5, foo="bar", window=5s, n=-2)');
    expect([...query.hints]).toEqual([
      ['most_recent', true],
      ['sample', 0.5],
      ['foo', 'bar'],
      ['window', 5e9],
      ['n', -2],
    ]);
    expect(parseTraceQL('{}').hints.size).toBe(0);
  });

  it('keeps the query text', () => {
    expect(parseTraceQL('{ .a = 1 }').text).toBe('{ .a = 1 }');
  });
});
