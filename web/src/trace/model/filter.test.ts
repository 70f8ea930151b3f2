// @vitest-environment node
import { syntheticTrace, traceOf } from '../../../test/trace-builders';
import { buildTraceModel } from './build-model';
import { compileFilter, EMPTY_FILTER, matchSpans, parseAttributeConditions, parseDuration } from './filter';

const model = buildTraceModel(
  traceOf([
    [
      'a',
      '',
      'web',
      0,
      100,
      { name: 'GET /checkout', attributes: [{ key: 'http.status', value: { intValue: '500' } }] },
    ],
    ['b', 'a', 'api', 1, 40, { name: 'SELECT orders', statusCode: 'ERROR' }],
    [
      'c',
      'a',
      'api',
      50,
      2,
      { name: 'select users', attributes: [{ key: 'db.system', value: { stringValue: 'Postgres' } }] },
    ],
  ]),
);
const matched = (input: Partial<typeof EMPTY_FILTER>) => {
  const { filter } = compileFilter({ ...EMPTY_FILTER, ...input });
  if (!filter) return 'inactive';
  return Array.from(matchSpans(model, filter).indices, (i) => model.spans[i].spanId).join('');
};

describe('span filter', () => {
  it('parses durations in any unit, bare numbers as milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250e6);
    expect(parseDuration('1.5s')).toBe(1.5e9);
    expect(parseDuration('40')).toBe(40e6);
    expect(parseDuration('2 m')).toBe(120e9);
    expect(parseDuration('10µs')).toBe(10e3);
    expect(parseDuration('fast')).toBeUndefined();
  });

  it('parses attribute conditions, quoted values included', () => {
    expect(parseAttributeConditions('a=1 b="x y" c')).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'x y' },
      { key: 'c' },
    ]);
    expect(parseAttributeConditions('=oops')).toMatch(/Cannot read/);
  });

  it('is inactive when empty and reports unreadable fields', () => {
    expect(matched({})).toBe('inactive');
    const { filter, problems } = compileFilter({ ...EMPTY_FILTER, minDuration: 'soon' });
    expect(filter).toBeNull();
    expect(problems.minDuration).toMatch(/duration/);
  });

  it('matches by service, operation text, attributes, duration and errors, all together', () => {
    expect(matched({ service: 'api' })).toBe('bc');
    expect(matched({ text: 'select' })).toBe('bc');
    expect(matched({ text: 'SELECT', service: 'web' })).toBe('');
    expect(matched({ attributes: 'http.status=500' })).toBe('a');
    expect(matched({ attributes: 'db.system=postgres' })).toBe('c');
    expect(matched({ attributes: 'db.system' })).toBe('c');
    expect(matched({ attributes: 'service.name=api' })).toBe('bc');
    expect(matched({ minDuration: '40ms' })).toBe('ab');
    expect(matched({ errorsOnly: true })).toBe('b');
  });

  it('filters 100,000 spans', () => {
    const big = buildTraceModel(syntheticTrace(100_000, 5));
    const { filter } = compileFilter({ ...EMPTY_FILTER, text: 'op-7', attributes: 'shard=s3' });
    const { indices } = matchSpans(big, filter!);
    expect(indices.length).toBeGreaterThan(0);
    for (const i of indices) expect(big.spans[i].name.startsWith('op-7')).toBe(true);
  });
});
