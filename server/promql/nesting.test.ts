import { describe, expect, it } from 'vitest';
import { TenantSeries } from '../metrics/store/tenant-series';
import { PromqlParseError } from './errors';
import { Evaluator } from './evaluator';
import { MAX_PROMQL_DEPTH } from './nesting';
import { parsePromql } from './parser';

const MAX = MAX_PROMQL_DEPTH;

/** One gauge `up{job="api"}` = 3 at t = 0. */
function source(): TenantSeries {
  const tenant = new TenantSeries();
  const series = tenant.getOrCreate({ __name__: 'up', job: 'api' }, () => true)!;
  TenantSeries.appendSample(series, 0, 3);
  return tenant;
}

const repeat = (text: string, times: number) => text.repeat(Math.max(0, times));
const chain = (term: string, op: string, terms: number) => Array.from({ length: terms }, () => term).join(op);

/** Each way of nesting, as a query `depth` levels deep, and its value on `source()`. */
const SHAPES: [name: string, query: (depth: number) => string, value: (depth: number) => number][] = [
  ['parentheses', (d) => `${repeat('(', d - 1)}up${repeat(')', d - 1)}`, () => 3],
  ['aggregations', (d) => `${repeat('sum(', d - 1)}up${repeat(')', d - 1)}`, () => 3],
  ['aggregations with a parameter', (d) => `${repeat('topk(1, ', d - 1)}up${repeat(')', d - 1)}`, () => 3],
  ['function calls', (d) => `${repeat('abs(', d - 1)}up${repeat(')', d - 1)}`, () => 3],
  ['signs on a vector', (d) => `${repeat('-', d - 1)}up`, (d) => ((d - 1) % 2 ? -3 : 3)],
  ['a chain of additions', (d) => chain('up', ' + ', d), (d) => 3 * d],
  ['a chain of powers (right-associative)', (d) => `${chain('1', ' ^ ', d - 1)} ^ up`, () => 1],
];

async function evaluate(query: string): Promise<number[]> {
  const data = await new Evaluator(source()).instant(parsePromql(query), 0);
  if (data.resultType === 'scalar') return [data.result[1]];
  if (data.resultType !== 'vector') throw new Error(`unexpected ${data.resultType}`);
  return data.result.map((r) => r.point[1]);
}

describe('PromQL nesting limit', () => {
  it.each(SHAPES)('%s: the deepest accepted query parses and evaluates', async (_name, query, value) => {
    expect(await evaluate(query(MAX))).toEqual([value(MAX)]);
  });

  it.each(SHAPES)('%s: one level deeper is a parse error naming the limit', (_name, query) => {
    expect(() => parsePromql(query(MAX + 1))).toThrow(PromqlParseError);
    expect(() => parsePromql(query(MAX + 1))).toThrow(`nested more than ${MAX} levels deep`);
  });

  it.each([
    ['100,000 parentheses', `${repeat('(', 100_000)}1${repeat(')', 100_000)}`],
    ['100,000 signs on a number', `${repeat('-', 100_000)}1`],
    ['100,000 nested sum(', `${repeat('sum(', 100_000)}up${repeat(')', 100_000)}`],
    ['a chain of 100,000 additions', chain('1', '+', 100_000)],
  ])('%s: refused as a parse error, not a stack overflow', (_name, query) => {
    expect(() => parsePromql(query)).toThrow(`nested more than ${MAX} levels deep`);
  });

  it('points at where the limit was passed', () => {
    const query = `${repeat('(', MAX)}1${repeat(')', MAX)}`;
    expect(() => parsePromql(query)).toThrow(`1:${MAX + 1}: parse error`);
  });
});
