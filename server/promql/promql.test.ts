import { describe, expect, it } from 'vitest';
import { TenantSeries } from '../metrics/store/tenant-series';
import { PromqlParseError } from './errors';
import { Evaluator, type QueryData } from './evaluator';
import { parsePromql } from './parser';

const S = 1000;
const round = (v: number) => Number(v.toPrecision(12));

/** A tenant with counters sampled every 15 s from t=0 to t=300 s. */
function fixture(): TenantSeries {
  const tenant = new TenantSeries();
  const add = (labels: Record<string, string>, valueAt: (seconds: number) => number) => {
    const series = tenant.getOrCreate(labels, () => true)!;
    for (let s = 0; s <= 300; s += 15) TenantSeries.appendSample(series, s * S, valueAt(s));
  };
  add({ __name__: 'http_requests_total', job: 'api', instance: 'a' }, (s) => s); // 1 per second
  add({ __name__: 'http_requests_total', job: 'api', instance: 'b' }, (s) => 2 * s); // 2 per second
  add({ __name__: 'http_requests_total', job: 'web', instance: 'c' }, (s) => 0.5 * s);
  add({ __name__: 'errors_total', job: 'api', instance: 'a' }, (s) => 0.1 * s);
  // A counter that restarts at t=150 s (from 0, then 10 by the sample): 10 per 15 s throughout.
  add({ __name__: 'resets_total', job: 'api' }, (s) =>
    s < 150 ? (s / 15) * 10 : ((s - 150) / 15) * 10 + 10,
  );
  for (const [le, count] of [
    ['0.1', 10],
    ['0.5', 30],
    ['+Inf', 40],
  ] as const) {
    add({ __name__: 'latency_bucket', job: 'api', le }, () => count);
  }
  return tenant;
}

async function vectorAt(query: string, seconds: number, tenant = fixture()): Promise<Record<string, number>> {
  const data = await new Evaluator(tenant).instant(parsePromql(query), seconds * S);
  if (data.resultType === 'scalar') return { scalar: round(data.result[1]) };
  if (data.resultType !== 'vector') throw new Error(`expected a vector, got ${data.resultType}`);
  return Object.fromEntries(
    data.result.map((r) => [
      Object.keys(r.labels)
        .sort()
        .map((k) => `${k}=${r.labels[k]}`)
        .join(','),
      // Hand-computed values are exact decimals; the evaluator's floats may differ in the last bit.
      round(r.point[1]),
    ]),
  );
}

describe('PromQL evaluation against hand-computed values', () => {
  it('selects the latest sample within the lookback window, with every matcher type', async () => {
    expect(await vectorAt('http_requests_total{instance="a"}', 100)).toEqual({
      '__name__=http_requests_total,instance=a,job=api': 90,
    });
    expect(Object.keys(await vectorAt('http_requests_total{job!="api"}', 300))).toEqual([
      '__name__=http_requests_total,instance=c,job=web',
    ]);
    expect(Object.keys(await vectorAt('http_requests_total{instance=~"a|b"}', 300))).toHaveLength(2);
    expect(Object.keys(await vectorAt('{__name__=~"http.*",instance!~"a|b"}', 300))).toHaveLength(1);
    // Last sample at 300 s: still visible 4 minutes later, gone after 5.
    expect(await vectorAt('errors_total', 540)).toEqual({ '__name__=errors_total,instance=a,job=api': 30 });
    expect(await vectorAt('errors_total', 601)).toEqual({});
  });

  it('rate and increase extrapolate like Prometheus; irate uses the last two samples', async () => {
    // Window (240 s, 300 s]: samples at 255…300, increase 45 over 45 s, extrapolated to 60 s.
    expect(await vectorAt('rate(http_requests_total{instance="a"}[1m])', 300)).toEqual({
      'instance=a,job=api': 1,
    });
    expect(await vectorAt('increase(http_requests_total{instance="b"}[1m])', 300)).toEqual({
      'instance=b,job=api': 120,
    });
    expect(await vectorAt('irate(http_requests_total{instance="b"}[1m])', 300)).toEqual({
      'instance=b,job=api': 2,
    });
    // Across the reset at 150 s: 10 per 15 s throughout, so the rate stays 2/3 per second.
    const [rate] = Object.values(await vectorAt('rate(resets_total[1m])', 165));
    expect(rate).toBeCloseTo(10 / 15, 10);
  });

  it('aggregates with by and without, and picks topk', async () => {
    expect(await vectorAt('sum by (job) (rate(http_requests_total[1m]))', 300)).toEqual({
      'job=api': 3,
      'job=web': 0.5,
    });
    expect(await vectorAt('sum without (instance) (rate(http_requests_total[1m]))', 300)).toEqual({
      'job=api': 3,
      'job=web': 0.5,
    });
    expect(await vectorAt('avg(rate(http_requests_total[1m]))', 300)).toEqual({ '': round(3.5 / 3) });
    expect(await vectorAt('max by (job) (http_requests_total)', 300)).toEqual({
      'job=api': 600,
      'job=web': 150,
    });
    expect(await vectorAt('min(http_requests_total)', 300)).toEqual({ '': 150 });
    expect(await vectorAt('count(http_requests_total)', 300)).toEqual({ '': 3 });
    expect(await vectorAt('topk(1, rate(http_requests_total[1m]))', 300)).toEqual({
      'instance=b,job=api': 2,
    });
    expect(await vectorAt('topk(1, http_requests_total) by (job)', 300)).toEqual({
      '__name__=http_requests_total,instance=b,job=api': 600,
      '__name__=http_requests_total,instance=c,job=web': 150,
    });
  });

  it('does arithmetic between vectors and scalars, and between matching vectors', async () => {
    expect(await vectorAt('http_requests_total{instance="a"} * 2 + 1', 300)).toEqual({
      'instance=a,job=api': 601,
    });
    expect(await vectorAt('1 - errors_total / 100', 300)).toEqual({ 'instance=a,job=api': 0.7 });
    expect(await vectorAt('errors_total / http_requests_total', 300)).toEqual({ 'instance=a,job=api': 0.1 });
    expect(await vectorAt('sum(errors_total) / on() sum(http_requests_total)', 300)).toEqual({
      '': round(30 / 1050),
    });
    expect(await vectorAt('2 ^ 3 ^ 2', 0)).toEqual({ scalar: 512 });
    expect(await vectorAt('-2 ^ 2', 0)).toEqual({ scalar: -4 });
    expect(await vectorAt('http_requests_total > 200', 300)).toEqual({
      '__name__=http_requests_total,instance=a,job=api': 300,
      '__name__=http_requests_total,instance=b,job=api': 600,
    });
  });

  it('histogram_quantile interpolates inside the bucket holding the rank', async () => {
    // rank 20 of 40 falls in (0.1, 0.5] holding 20 → halfway: 0.3.
    expect(await vectorAt('histogram_quantile(0.5, latency_bucket)', 300)).toEqual({ 'job=api': 0.3 });
    // rank 5 in (0, 0.1] holding 10 → 0.05.
    expect(await vectorAt('histogram_quantile(0.125, latency_bucket)', 300)).toEqual({ 'job=api': 0.05 });
    // A rank in the +Inf bucket answers the highest finite bound.
    expect(await vectorAt('histogram_quantile(0.99, latency_bucket)', 300)).toEqual({ 'job=api': 0.5 });
  });

  it('evaluates range queries step by step', async () => {
    const data = (await new Evaluator(fixture()).range(
      parsePromql('sum(rate(http_requests_total{job="api"}[1m]))'),
      120 * S,
      300 * S,
      60 * S,
    )) as Extract<QueryData, { resultType: 'matrix' }>;
    expect(data.result).toEqual([
      {
        labels: {},
        points: [
          [120 * S, 3],
          [180 * S, 3],
          [240 * S, 3],
          [300 * S, 3],
        ],
      },
    ]);
  });
});

describe('PromQL parse errors', () => {
  const errorOf = (query: string) => {
    try {
      parsePromql(query);
    } catch (err) {
      expect(err).toBeInstanceOf(PromqlParseError);
      return (err as Error).message;
    }
    throw new Error(`"${query}" parsed`);
  };

  it('reports the line and column of the problem', async () => {
    expect(errorOf('sum(rate(x[5m])')).toBe(
      '1:16: parse error: unexpected end of input in aggregation "sum"',
    );
    expect(errorOf('x{job="a"')).toMatch(/^1:10: parse error: unexpected end of input/);
    expect(errorOf('x +\n  * 2')).toMatch(/^2:3: parse error: unexpected "\*"/);
  });

  it('refuses unknown functions, wrong argument types and empty selectors', async () => {
    expect(errorOf('nope(x)')).toBe('1:1: parse error: unknown function with name "nope"');
    expect(errorOf('rate(x)')).toBe(
      '1:1: parse error: expected type range vector in call to function "rate", got instant vector',
    );
    expect(errorOf('{job=""}')).toMatch(/at least one non-empty matcher/);
    expect(errorOf('1 > 2')).toMatch(/comparisons between scalars must use BOOL modifier/);
    expect(errorOf('')).toMatch(/no expression found/);
  });
});

describe('min_over_time / max_over_time', () => {
  it('handles windows of hundreds of thousands of samples and skips NaN as Prometheus does', async () => {
    const tenant = new TenantSeries();
    const series = tenant.getOrCreate({ __name__: 'g' }, () => true)!;
    for (let i = 0; i < 300_000; i++)
      TenantSeries.appendSample(series, i * S, i === 5 ? Number.NaN : i % 1000);
    expect(await vectorAt('min_over_time(g[4d])', 299_999, tenant)).toEqual({ '': 0 });
    expect(await vectorAt('max_over_time(g[4d])', 299_999, tenant)).toEqual({ '': 999 });
  });
});
