import { describe, expect, it } from 'vitest';
import type { AttributeValue, SearchSpan, SearchTrace } from '../search-model/search-trace';
import type { FieldRef } from './ast';
import type { Prefilter } from './prefilter';
import { parseTraceQL } from './query';
import { buildTrace, type SpanSpec } from './trace-fixtures';

const span = (scope: FieldRef['scope'], name: string, op: string, value: AttributeValue | null) =>
  ({ kind: 'span', field: { scope, name }, op, value }) as Prefilter;
const TRUE: Prefilter = { kind: 'true' };
const prefilterOf = (query: string) => parseTraceQL(query).prefilter;

describe('prefilter: shape', () => {
  const a = span('unscoped', 'a', '=', 1);
  const b = span('unscoped', 'b', '=', 2);
  const c = span('unscoped', 'c', '=', 3);

  it.each<[string, Prefilter]>([
    ['{ span.foo = "bar" }', span('span', 'foo', '=', 'bar')],
    ['{ "bar" != span.foo }', span('span', 'foo', '!=', 'bar')],
    ['{ .a = 1 && .b = 2 }', { kind: 'and', items: [a, b] }],
    ['{ .a = 1 || .b = 2 }', { kind: 'or', items: [a, b] }],
    ['{ (.a = 1 && .b = 2) && .c = 3 }', { kind: 'and', items: [a, b, c] }],
    ['{ .a = 1 || (.b = 2 || .c = 3) }', { kind: 'or', items: [a, b, c] }],
    ['{ .a = 1 && (.b = 2 || .c = 3) }', { kind: 'and', items: [a, { kind: 'or', items: [b, c] }] }],
    ['{ .a = 1 && true }', a],
    ['{ .a = 1 && .a = 1 }', a],
    ['{ .a = 1 || !(.b = 2) }', TRUE],
    ['{ !(.a = 1) }', TRUE],
    ['{ span.flag }', span('span', 'flag', '=', true)],
    ['{ !span.flag }', span('span', 'flag', '=', false)],
    ['{ .a = .b }', TRUE],
    ['{ }', TRUE],
    ['{ false }', TRUE],
    ['{ .a =~ "x.*" }', span('unscoped', 'a', '=~', 'x.*')],
    ['{ .a !~ "x.*" }', span('unscoped', 'a', '!~', 'x.*')],
    ['{ .a != nil }', span('unscoped', 'a', '!=', null)],
    ['{ .a = nil }', span('unscoped', 'a', '=', null)],
    ['{ event.a = nil }', TRUE],
    ['{ event.a != nil }', span('event', 'a', '!=', null)],
    ['{ span.code = error }', TRUE],
  ])('%s', (query, expected) => {
    expect(prefilterOf(query)).toEqual(expected);
  });

  it('writes statuses, kinds, durations and IDs as the search model stores them', () => {
    expect(prefilterOf('{ status = error && kind = server && duration > 1.5s && span:id = "ABC" }')).toEqual({
      kind: 'and',
      items: [
        span('intrinsic', 'status', '=', 2),
        span('intrinsic', 'kind', '=', 2),
        span('intrinsic', 'duration', '>', 1.5e9),
        span('intrinsic', 'span:id', '=', '0000000000000abc'),
      ],
    });
    expect(prefilterOf('{ kind = consumer || status = unset }')).toEqual({
      kind: 'or',
      items: [span('intrinsic', 'kind', '=', 5), span('intrinsic', 'status', '=', 0)],
    });
    expect(prefilterOf('{ trace:id = "1" && rootServiceName = "x" && traceDuration < 2m }')).toEqual({
      kind: 'and',
      items: [
        span('trace', 'trace:id', '=', '00000000000000000000000000000001'),
        span('trace', 'rootServiceName', '=', 'x'),
        span('trace', 'traceDuration', '<', 120e9),
      ],
    });
  });

  it.each<[string, Prefilter]>([
    ['{ .a = 1 } && { .b = 2 }', { kind: 'and', items: [a, b] }],
    ['{ .a = 1 } || { .b = 2 }', { kind: 'or', items: [a, b] }],
    ['{ .a = 1 } >> { .b = 2 }', { kind: 'and', items: [a, b] }],
    ['{ .a = 1 } ~ { .b = 2 }', { kind: 'and', items: [a, b] }],
    ['{ .a = 1 } &> { .b = 2 }', { kind: 'and', items: [a, b] }],
    ['{ .a = 1 } !> { .b = 2 }', b],
    ['{ .a = 1 } !~ { .b = 2 }', b],
    ['{ .a = 1 } && { .a = 1 }', a],
    ['{ .a = 1 } | { .b = 2 } | count() > 1', { kind: 'and', items: [a, b] }],
    ['{ .a = 1 } | by(span.x) | select(span.y) | coalesce()', a],
    ['({ .a = 1 } | count() > 1) && { .b = 2 }', { kind: 'and', items: [a, b] }],
    ['({ .a = 1 } | count() > 1) || { }', TRUE],
    ['count() > 2', TRUE],
    ['{ .a = 1 } with (most_recent=true)', a],
  ])('%s', (query, expected) => {
    expect(prefilterOf(query)).toEqual(expected);
  });
});

/**
 * The prefilter's meaning, written independently of the compiler: `span` holds if some span (or
 * the trace, for trace fields) has a value satisfying the condition.
 */
function holds(p: Prefilter, trace: SearchTrace): boolean {
  switch (p.kind) {
    case 'true':
      return true;
    case 'and':
      return p.items.every((item) => holds(item, trace));
    case 'or':
      return p.items.some((item) => holds(item, trace));
    case 'span':
      if (p.field.scope === 'trace') return test(traceValue(trace, p.field.name), p.op, p.value);
      return trace.spans.some((s) => {
        const values = spanValues(trace, s, p.field);
        if (p.value === null && p.op === '=') return values.every((v) => v === undefined);
        return values.some((v) => test(v, p.op, p.value));
      });
  }
}

function test(v: AttributeValue | undefined, op: string, value: AttributeValue | null): boolean {
  if (value === null) return op === '=' ? v === undefined : v !== undefined;
  if (v === undefined || typeof v !== typeof value) return false;
  if (op === '=~' || op === '!~')
    return new RegExp(`^(?:${value})$`, 's').test(v as string) === (op === '=~');
  const [x, y] = [v, value] as [number, number];
  return { '=': x === y, '!=': x !== y, '>': x > y, '>=': x >= y, '<': x < y, '<=': x <= y }[op] ?? false;
}

function traceValue(trace: SearchTrace, name: string): AttributeValue | undefined {
  const values: Record<string, AttributeValue | undefined> = {
    rootName: trace.rootName,
    rootServiceName: trace.rootServiceName,
    traceDuration: trace.durationNanos,
    'trace:id': trace.traceId,
  };
  return values[name];
}

function spanValues(trace: SearchTrace, s: SearchSpan, field: FieldRef): (AttributeValue | undefined)[] {
  switch (field.scope) {
    case 'span':
      return [s.attributes.get(field.name)];
    case 'resource':
      return [s.resource.get(field.name)];
    case 'unscoped':
      return [s.attributes.get(field.name) ?? s.resource.get(field.name)];
    case 'event':
      return s.events.map((e) => e.attributes.get(field.name));
    case 'link':
      return s.links.map((l) => l.attributes.get(field.name));
  }
  const intrinsics: Record<string, () => (AttributeValue | undefined)[]> = {
    name: () => [s.name],
    status: () => [s.statusCode],
    statusMessage: () => [s.statusMessage],
    kind: () => [s.kind],
    duration: () => [s.durationNanos],
    'span:id': () => [s.spanId],
    'span:parentID': () => [s.parentSpanId],
    'span:childCount': () => [trace.spans.filter((c) => c.parentSpanId === s.spanId).length],
    'event:name': () => s.events.map((e) => e.name),
    'event:timeSinceStart': () => s.events.map((e) => Number(e.timeUnixNano - s.startUnixNano)),
    'link:traceID': () => s.links.map((l) => l.traceId),
    'link:spanID': () => s.links.map((l) => l.spanId),
  };
  return intrinsics[field.name]();
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomTraces(count: number): SearchTrace[] {
  const rnd = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)];
  const values: (AttributeValue | undefined)[] = [
    1,
    2,
    2.5,
    '1',
    'x',
    'xy',
    true,
    false,
    undefined,
    undefined,
  ];
  const attributes = (): Record<string, AttributeValue> => {
    const attrs: Record<string, AttributeValue> = {};
    const a = pick(values);
    const b = pick(values);
    if (a !== undefined) attrs.a = a;
    if (b !== undefined && rnd() < 0.5) attrs.b = b;
    return attrs;
  };
  return Array.from({ length: count }, (_, t) => {
    const n = 1 + Math.floor(rnd() * 7);
    const specs = Array.from(
      { length: n },
      (_, i): SpanSpec => ({
        id: (i + 1).toString(16),
        parent: i === 0 ? (rnd() < 0.2 ? 'ff' : undefined) : Math.floor(1 + rnd() * i).toString(16),
        name: pick(['GET', 'POST', 'query']),
        service: pick(['api', 'db', 'web']),
        kind: pick(['server', 'client', 'internal'] as const),
        status: pick(['ok', 'error', 'unset'] as const),
        durationMs: pick([1, 5, 20]),
        attrs: attributes(),
        resource: rnd() < 0.5 ? { a: pick(values) ?? 'r' } : {},
        events:
          rnd() < 0.3
            ? [
                {
                  name: pick(['exception', 'retry']),
                  atMs: pick([0, 2]),
                  attrs: rnd() < 0.5 ? { e: pick<AttributeValue>(['x', 1]) } : {},
                },
              ]
            : [],
        links:
          rnd() < 0.2 ? [{ traceId: pick(['1', '2']), spanId: '5', attrs: { l: pick(['x', 'y']) } }] : [],
      }),
    );
    return buildTrace(specs, (t + 1).toString(16));
  });
}

const QUERIES = [
  '{ span.a = 1 }',
  '{ span.a != 1 }',
  '{ .a = "x" }',
  '{ .a > 1 }',
  '{ span.a >= 2 && resource.service.name = "db" }',
  '{ span.a = 1 || span.b = true }',
  '{ .a =~ "x.*" }',
  '{ .a !~ "x" }',
  '{ span.b }',
  '{ !span.b }',
  '{ span.a != nil && span.b = nil }',
  '{ !(span.a = 1) && status = error }',
  '{ status = error && kind = client }',
  '{ duration > 4ms || name = "GET" }',
  '{ span:childCount > 1 }',
  '{ event:name = "exception" }',
  '{ event.e = 1 }',
  '{ event.e = nil && span.a = 2 }',
  '{ event:timeSinceStart >= 2ms }',
  '{ link.l = "y" }',
  '{ link:traceID = "2" }',
  '{ span:id = "3" }',
  '{ span:parentID = "1" && kind = server }',
  '{ trace:id = "a" }',
  '{ rootServiceName = "api" }',
  '{ traceDuration > 10ms }',
  '{ trace:rootName = "GET" && .a = 1 }',
  '{ span.a = span.b }',
  '{ status = error } && { kind = server }',
  '{ status = error } || { .a = "xy" }',
  '{ kind = server } > { status = error }',
  '{ kind = server } >> { .a = 1 }',
  '{ .a = 1 } < { }',
  '{ } << { status = error }',
  '{ .b = false } ~ { .a = 2 }',
  '{ status = error } !> { status = error }',
  '{ .a = 1 } !< { kind = client }',
  '{ kind = client } &>> { status = ok }',
  '{ status = error } | count() > 1',
  '{ } | by(resource.service.name) | count() > 2',
  '{ .a = 1 } | { status = error }',
  '({ .a = 1 } | count() > 1) && { kind = client }',
  '{ span.a > 1 } | avg(duration) > 4ms | coalesce()',
  'count() > 5',
  '{ span.a = 1 } | select(span.b)',
];

describe('prefilter: soundness', () => {
  const traces = randomTraces(300);

  it.each(QUERIES)('%s never rules out a matching trace', (text) => {
    const query = parseTraceQL(text);
    for (const trace of traces) {
      if (query.evaluate(trace).length > 0) expect(holds(query.prefilter, trace), trace.traceId).toBe(true);
    }
  });

  it('is tested on traces that match, and prunes some that do not', () => {
    let matched = 0;
    let pruned = 0;
    for (const text of QUERIES) {
      const query = parseTraceQL(text);
      for (const trace of traces) {
        if (query.evaluate(trace).length > 0) matched++;
        else if (!holds(query.prefilter, trace)) pruned++;
      }
    }
    expect(matched).toBeGreaterThan(2000);
    expect(pruned).toBeGreaterThan(2000);
  });
});
