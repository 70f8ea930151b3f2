import { describe, expect, it } from 'vitest';
import { parseTraceQL, type SpanSetMatch } from './query';
import { buildTrace, spansetNames } from './trace-fixtures';

/**
 *   r (frontend, server, 100ms)
 *   ├── a1 (api, error, 10ms, bytes 100)
 *   ├── a2 (api, error, 30ms, bytes 300)
 *   ├── d1 (db, ok, 20ms, bytes 50)
 *   └── d2 (db, error, 40ms)
 */
const trace = buildTrace([
  { id: '1', name: 'r', service: 'frontend', kind: 'server', durationMs: 100 },
  {
    id: 'a1',
    parent: '1',
    name: 'a1',
    service: 'api',
    status: 'error',
    durationMs: 10,
    attrs: { bytes: 100 },
  },
  {
    id: 'a2',
    parent: '1',
    name: 'a2',
    service: 'api',
    status: 'error',
    durationMs: 30,
    attrs: { bytes: 300 },
  },
  { id: 'd1', parent: '1', name: 'd1', service: 'db', status: 'ok', durationMs: 20, attrs: { bytes: 50 } },
  { id: 'd2', parent: '1', name: 'd2', service: 'db', status: 'error', durationMs: 40 },
]);

function run(query: string): SpanSetMatch[] {
  return parseTraceQL(query).evaluate(trace);
}

/** Each spanset as its span names and computed attributes. */
function sets(query: string) {
  return run(query).map((set) => ({
    spans: set.spans.map((s) => s.span.name),
    matched: set.matched,
    attributes: Object.fromEntries(set.attributes.map((a) => [a.key, a.value])),
  }));
}

describe('pipelines: aggregates', () => {
  it('count() filters spansets and records the count', () => {
    expect(sets('{ status = error } | count() > 1')).toEqual([
      { spans: ['a1', 'a2', 'd2'], matched: 3, attributes: { 'count()': 3 } },
    ]);
    expect(sets('{ status = error } | count() > 3')).toEqual([]);
    expect(sets('{ status = error } | count() = 3')).toHaveLength(1);
    expect(sets('{ status = error } | count() != 3')).toEqual([]);
    expect(sets('{ status = error } | count() >= 3')).toHaveLength(1);
    expect(sets('{ status = error } | count() < 3')).toEqual([]);
    expect(sets('{ status = error } | count() <= 3')).toHaveLength(1);
  });

  it('runs an aggregate as the first stage over every span', () => {
    expect(sets('count() = 5')).toEqual([
      { spans: ['r', 'a1', 'a2', 'd1', 'd2'], matched: 5, attributes: { 'count()': 5 } },
    ]);
    expect(sets('count() > 5')).toEqual([]);
  });

  const EVERY = ['r', 'a1', 'a2', 'd1', 'd2'];
  it.each<[string, string[], Record<string, string | number>]>([
    ['{ resource.service.name = "api" } | avg(duration) = 20ms', ['a1', 'a2'], { 'avg(duration)': '20ms' }],
    ['{ } | avg(span.bytes) = 150', EVERY, { 'avg(span.bytes)': 150 }],
    ['{ } | sum(span.bytes) = 450', EVERY, { 'sum(span.bytes)': 450 }],
    ['{ } | min(span.bytes) = 50', EVERY, { 'min(span.bytes)': 50 }],
    ['{ } | max(span.bytes) = 300', EVERY, { 'max(span.bytes)': 300 }],
    ['{ } | max(duration) >= 100ms', EVERY, { 'max(duration)': '100ms' }],
    ['{ } | min(span:duration) < 11ms', EVERY, { 'min(duration)': '10ms' }],
    ['{ } | sum(duration) = 0.2s', EVERY, { 'sum(duration)': '200ms' }],
    ['{ } | avg(.bytes) > 149.9', EVERY, { 'avg(.bytes)': 150 }],
  ])('%s', (query, spans, attributes) => {
    expect(sets(query)).toEqual([{ spans, matched: spans.length, attributes }]);
  });

  it('drops the spanset when the comparison fails', () => {
    expect(sets('{ } | avg(span.bytes) > 150')).toEqual([]);
    expect(sets('{ } | max(duration) < 100ms')).toEqual([]);
  });

  it('drops a spanset with no numeric value to aggregate', () => {
    expect(sets('{ } | avg(span.nope) > 0')).toEqual([]);
    expect(sets('{ } | sum(span.nope) < 1')).toEqual([]);
    expect(sets('{ name = "d2" } | max(span.bytes) > 0')).toEqual([]);
  });

  it('truncates the average of durations to whole nanoseconds', () => {
    const tiny = buildTrace([
      { id: '1', durationMs: 0.000001 },
      { id: '2', durationMs: 0.000002 },
    ]);
    const [set] = parseTraceQL('{ } | avg(duration) = 1ns').evaluate(tiny);
    expect(set.attributes).toEqual([{ key: 'avg(duration)', value: '1ns' }]);
  });
});

describe('pipelines: by() and coalesce()', () => {
  it('groups by a field, in the order values first appear', () => {
    expect(sets('{ status = error } | by(resource.service.name)')).toEqual([
      { spans: ['a1', 'a2'], matched: 2, attributes: { 'by(resource.service.name)': 'api' } },
      { spans: ['d2'], matched: 1, attributes: { 'by(resource.service.name)': 'db' } },
    ]);
  });

  it('keeps earlier attributes and adds later ones', () => {
    expect(
      run('{ status = error } | by(resource.service.name) | count() > 1').map((s) => s.attributes),
    ).toEqual([
      [
        { key: 'by(resource.service.name)', value: 'api' },
        { key: 'count()', value: 2 },
      ],
    ]);
  });

  it('groups spans without the field as nil', () => {
    expect(sets('{ } | by(span.bytes)').map((s) => [s.spans, s.attributes['by(span.bytes)']])).toEqual([
      [['r', 'd2'], 'nil'],
      [['a1'], 100],
      [['a2'], 300],
      [['d1'], 50],
    ]);
  });

  it('names intrinsic groups by their values', () => {
    expect(sets('by(status)').map((s) => s.attributes['by(status)'])).toEqual(['unset', 'error', 'ok']);
    expect(sets('{ } | by(span:kind)').map((s) => s.attributes['by(kind)'])).toEqual([
      'server',
      'unspecified',
    ]);
    expect(sets('{ name = "a1" } | by(duration)').map((s) => s.attributes['by(duration)'])).toEqual(['10ms']);
  });

  it('filters each group on its own', () => {
    expect(sets('{ } | by(resource.service.name) | { status = error }').map((s) => s.spans)).toEqual([
      ['a1', 'a2'],
      ['d2'],
    ]);
    expect(sets('{ } | by(resource.service.name) | avg(duration) > 25ms').map((s) => s.spans)).toEqual([
      ['r'],
      ['d1', 'd2'],
    ]);
  });

  it('coalesce() merges the groups back into one spanset, without their attributes', () => {
    expect(sets('{ status = error } | by(resource.service.name) | coalesce()')).toEqual([
      { spans: ['a1', 'a2', 'd2'], matched: 3, attributes: {} },
    ]);
    expect(sets('{ } | by(resource.service.name) | count() > 1 | coalesce()')).toEqual([
      { spans: ['a1', 'a2', 'd1', 'd2'], matched: 4, attributes: {} },
    ]);
  });
});

describe('pipelines: chains and select()', () => {
  it('filters spans again after a pipe', () => {
    expect(
      spansetNames('{ resource.service.name = "api" } | { status = error } | { duration > 15ms }', trace),
    ).toEqual([['a2']]);
    expect(spansetNames('{ status = error } | { resource.service.name = "db" }', trace)).toEqual([['d2']]);
    expect(spansetNames('{ status = error } | { resource.service.name = "frontend" }', trace)).toEqual([]);
  });

  it('takes a parenthesised pipeline as a spanset operand', () => {
    expect(spansetNames('({ status = error } | count() > 2) && { name = "r" }', trace)).toEqual([
      ['r', 'a1', 'a2', 'd2'],
    ]);
    expect(spansetNames('({ status = error } | count() > 3) && { name = "r" }', trace)).toEqual([]);
    expect(spansetNames('({ status = error } | by(resource.service.name)) || { name = "r" }', trace)).toEqual(
      [['r', 'a1', 'a2', 'd2']],
    );
  });

  it('select() adds fields to every span and keeps the spans', () => {
    const [set] = run('{ status = error } | select(span.bytes, resource.service.name)');
    expect(set.spans.map((s) => [s.span.name, s.attributes])).toEqual([
      [
        'a1',
        [
          { key: 'status', value: 'error' },
          { key: 'bytes', value: 100 },
          { key: 'service.name', value: 'api' },
        ],
      ],
      [
        'a2',
        [
          { key: 'status', value: 'error' },
          { key: 'bytes', value: 300 },
          { key: 'service.name', value: 'api' },
        ],
      ],
      [
        'd2',
        [
          { key: 'status', value: 'error' },
          { key: 'service.name', value: 'db' },
        ],
      ],
    ]);
  });

  it('select() as the first stage selects every span', () => {
    const [set] = run('select(span.bytes)');
    expect(set.matched).toBe(5);
    expect(set.spans[1].attributes).toEqual([{ key: 'bytes', value: 100 }]);
  });

  it('returns fresh objects the caller may change', () => {
    const query = parseTraceQL('{ status = error } | count() > 1');
    const [first] = query.evaluate(trace);
    first.attributes.push({ key: 'x', value: 1 });
    first.spans.pop();
    expect(query.evaluate(trace)[0].attributes).toEqual([{ key: 'count()', value: 3 }]);
    expect(query.evaluate(trace)[0].spans).toHaveLength(3);
  });
});
