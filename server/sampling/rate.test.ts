import { compileSamplingPolicies, type SamplingPolicies } from './policies';
import { TokenBucket } from './rate-limit';
import { newTraceId, observe, oneResource, spans } from './test-traces';

/** The stateful policies, driven by the clock handed to `decide`. */

const tid = newTraceId();

/** Decides a trace of `spanCount` spans (with these span attributes) at `nowMs`. */
function decider(policies: SamplingPolicies) {
  return (spanCount: number, nowMs: number, attributes: Record<string, string> = {}) =>
    policies.decide(observe(policies, oneResource(spans(tid, spanCount, { attributes }))), tid, nowMs);
}

describe('rate_limiting', () => {
  it('is a token bucket: spans_per_second refill, twice that as burst, the bucket starting full', () => {
    const decide = decider(
      compileSamplingPolicies([
        { name: 'limit', type: 'rate_limiting', rate_limiting: { spans_per_second: 10 } },
      ]),
    );
    expect(decide(15, 0).keep).toBe(true); // 20 → 5 tokens
    expect(decide(10, 0).keep).toBe(false); // a refusal takes nothing
    expect(decide(5, 0).keep).toBe(true); // 5 → 0
    expect(decide(5, 499).keep).toBe(false); // 4.99 tokens
    expect(decide(5, 500).keep).toBe(true); // 5 → 0
    expect(decide(20, 60_000)).toMatchObject({ keep: true, policy: 'limit' }); // full again, capped at 20
    expect(decide(1, 60_000).keep).toBe(false);
    expect(decide(21, 120_000).keep).toBe(false); // more spans than the bucket holds: never
  });

  it('takes burst_capacity when given', () => {
    const decide = decider(
      compileSamplingPolicies([
        {
          name: 'limit',
          type: 'rate_limiting',
          rate_limiting: { spans_per_second: 100, burst_capacity: 10 },
        },
      ]),
    );
    expect(decide(11, 0).keep).toBe(false);
    expect(decide(10, 0).keep).toBe(true);
    expect(decide(10, 100).keep).toBe(true);
  });

  it('samples nothing at 0 spans per second', () => {
    const decide = decider(
      compileSamplingPolicies([{ name: 'none', type: 'rate_limiting', rate_limiting: {} }]),
    );
    expect(decide(1, 0).keep).toBe(false);
    expect(decide(1, 10_000).keep).toBe(false);
  });

  it('counts a clock that went back as no time passed, then counts from there (x/time/rate)', () => {
    const bucket = new TokenBucket(10, 10);
    expect(bucket.allowN(10_000, 5)).toBe(true);
    expect(bucket.allowN(5_000, 6)).toBe(false);
    expect(bucket.allowN(5_000, 5)).toBe(true);
    expect(bucket.allowN(5_099, 1)).toBe(false);
    expect(bucket.allowN(5_100, 1)).toBe(true);
  });
});

describe('composite', () => {
  const composite = (cfg: Record<string, unknown>) =>
    compileSamplingPolicies([{ name: 'budget', type: 'composite', composite: cfg }]);
  const key1 = { name: 'key1', type: 'string_attribute', string_attribute: { key: 'key1', values: ['a'] } };
  const anything = { name: 'anything', type: 'always_sample' };
  const unallocated = { name: 'unallocated', type: 'always_sample' };

  it('gives each sub-policy its share of spans per second, the first that would sample deciding', () => {
    const decide = decider(
      composite({
        max_total_spans_per_second: 100,
        policy_order: ['key1', 'anything', 'unallocated'],
        composite_sub_policy: [key1, anything, unallocated],
        rate_allocation: [
          { policy: 'key1', percent: 50 },
          { policy: 'anything', percent: 25 },
        ],
      }),
    );
    const t = 1_000;
    expect(decide(30, t, { key1: 'a' })).toEqual({
      keep: true,
      policy: 'budget',
      subPolicy: 'key1',
      reason: 'sampled',
    });
    // key1 would sample but is over its 50: not sampled, and "anything" is not asked.
    expect(decide(30, t + 1, { key1: 'a' }).keep).toBe(false);
    expect(decide(20, t + 2)).toMatchObject({ keep: true, subPolicy: 'anything' });
    expect(decide(10, t + 3).keep).toBe(false); // anything: 30 > 25
    // A new wall-clock second: every budget restarts.
    expect(decide(30, t + 1_000, { key1: 'a' })).toMatchObject({ keep: true, subPolicy: 'key1' });
    expect(decide(25, t + 1_001)).toMatchObject({ keep: true, subPolicy: 'anything' });
  });

  it('caps every sub-policy at max_total_spans_per_second as well', () => {
    const decide = decider(
      composite({
        max_total_spans_per_second: 10,
        composite_sub_policy: [anything],
        rate_allocation: [{ policy: 'anything', percent: 200 }],
      }),
    );
    expect(decide(11, 0).keep).toBe(false);
    expect(decide(10, 0).keep).toBe(true);
  });

  it('splits the total equally for an allocation without a percent; none at all gets 0, as in the collector', () => {
    const equal = decider(
      composite({
        max_total_spans_per_second: 90,
        composite_sub_policy: [key1, anything, unallocated],
        rate_allocation: [{ policy: 'anything', percent: 0 }],
      }),
    );
    expect(equal(30, 0).keep).toBe(true);
    expect(equal(1, 0).keep).toBe(false);
    const onlyUnallocated = decider(
      composite({ max_total_spans_per_second: 1000, composite_sub_policy: [unallocated] }),
    );
    expect(onlyUnallocated(1, 0).keep).toBe(false);
  });

  it('runs an and sub-policy', () => {
    const errorsOfSvc = {
      name: 'svc-errors',
      type: 'and',
      and: {
        and_sub_policy: [
          {
            name: 'svc',
            type: 'string_attribute',
            string_attribute: { key: 'service.name', values: ['svc'] },
          },
          { name: 'k', type: 'string_attribute', string_attribute: { key: 'key1', values: ['b'] } },
        ],
      },
    };
    const decide = decider(
      composite({
        max_total_spans_per_second: 10,
        composite_sub_policy: [errorsOfSvc],
        rate_allocation: [{ policy: 'svc-errors', percent: 100 }],
      }),
    );
    expect(decide(2, 0, { key1: 'b' })).toMatchObject({ keep: true, subPolicy: 'svc-errors' });
    expect(decide(2, 0, { key1: 'a' }).keep).toBe(false);
  });
});
