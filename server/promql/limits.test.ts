import { describe, expect, it } from 'vitest';
import { TenantSeries } from '../metrics/store/tenant-series';
import { QueryDeadline, QueryTimeoutError } from '../query-guards/deadline';
import { Evaluator, type QueryData, TooManySamplesError } from './evaluator';
import { parsePromql } from './parser';

const S = 1000;

/** `n` gauges `g{i="…", job="a"|"b"}`, a sample every 15 s from 0 to 600 s (value: i). */
function gauges(n: number): TenantSeries {
  const tenant = new TenantSeries();
  for (let i = 0; i < n; i++) {
    const series = tenant.getOrCreate({ __name__: 'g', i: String(i), job: i % 2 ? 'a' : 'b' }, () => true)!;
    for (let s = 0; s <= 600; s += 15) TenantSeries.appendSample(series, s * S, i);
  }
  return tenant;
}

const errorOf = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (err: unknown) => err,
  );

describe('PromQL max_samples', () => {
  it('stops a range query once the points it gathered pass the limit, as Prometheus does', async () => {
    const source = gauges(100);
    // 100 series × 61 steps = 6,100 points: fine under 10,000, refused under 5,000.
    const expr = parsePromql('g');
    const ok = await new Evaluator(source, { maxSamples: 10_000 }).range(expr, 0, 600 * S, 10 * S);
    expect((ok as Extract<QueryData, { resultType: 'matrix' }>).result).toHaveLength(100);
    const error = await errorOf(new Evaluator(source, { maxSamples: 5000 }).range(expr, 0, 600 * S, 10 * S));
    expect(error).toBeInstanceOf(TooManySamplesError);
    expect((error as Error).message).toBe(
      'query processing would load too many samples into memory in query execution: more than 5000 (metrics.max_samples); select fewer series, shorten the range or use a larger step',
    );
  });

  it('counts the samples of range selectors, in instant queries too', async () => {
    const source = gauges(100);
    // [10m] at 600 s: 40 samples a series, 4,000 per selector.
    const one = 'count_over_time(g[10m])';
    expect(
      await new Evaluator(source, { maxSamples: 4000 }).instant(parsePromql(`sum(${one})`), 600 * S),
    ).toEqual({
      resultType: 'vector',
      result: [{ labels: {}, point: [600 * S, 4000] }],
    });
    const two = parsePromql(`sum(${one}) + sum(${one})`);
    expect(await errorOf(new Evaluator(source, { maxSamples: 7999 }).instant(two, 600 * S))).toBeInstanceOf(
      TooManySamplesError,
    );
    expect(
      await errorOf(new Evaluator(source, { maxSamples: 3999 }).instant(parsePromql('g[10m]'), 600 * S)),
    ).toBeInstanceOf(TooManySamplesError);
  });
});

describe('PromQL evaluation on a shared event loop', () => {
  /** Enough series that one evaluation step of the queries below is far longer than a slice. */
  const MANY = 30_000;
  const source = gauges(MANY);
  const heavy = [
    '{__name__=~".+", i=~".*1.*"}',
    'count(g)',
    'sum by (job) (rate(g[1m]))',
    'count(g / on(i) g)',
    'count(g and on(i) g)',
  ];

  it.each(heavy)('an instant %s lets timers run while it evaluates, with the same answer', async (query) => {
    const expr = parsePromql(query);
    const unbounded = await new Evaluator(source).instant(expr, 600 * S);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const started = performance.now();
      const shared = await new Evaluator(source).instant(
        expr,
        600 * S,
        new QueryDeadline(60_000, undefined, 2),
      );
      const took = performance.now() - started;
      expect(shared).toEqual(unbounded);
      // A timer every millisecond: held for the whole evaluation, it would tick once at most.
      if (took > 20) expect(ticks).toBeGreaterThan(1);
    } finally {
      clearInterval(timer);
    }
  });

  it('an instant query stops at its deadline', async () => {
    const error = await errorOf(
      new Evaluator(source).instant(
        parsePromql('count(g / on(i) g)'),
        600 * S,
        new QueryDeadline(1, undefined, 1),
      ),
    );
    expect(error).toBeInstanceOf(QueryTimeoutError);
  });

  it('rate over every series, handed to the function in parts, equals the whole', async () => {
    const data = await new Evaluator(source).instant(
      parsePromql('rate(g[1m])'),
      600 * S,
      new QueryDeadline(60_000, undefined, 1),
    );
    expect(data.resultType).toBe('vector');
    const result = (data as Extract<QueryData, { resultType: 'vector' }>).result;
    expect(result).toHaveLength(MANY);
    // Gauges that never change: a rate of 0 each, in the store's order.
    expect(result.every((r) => r.point[1] === 0)).toBe(true);
    expect(result.slice(0, 3).map((r) => r.labels.i)).toEqual(['0', '1', '2']);
  });
});
