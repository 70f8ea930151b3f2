import { SamplingConfigError } from './config-fields';
import { DecisionCache, parseDecisionCacheConfig } from './decision-cache';

const id = (n: number) => Buffer.alloc(16, n);

describe('DecisionCache', () => {
  it('remembers keeps and drops, each in its own bounded LRU', () => {
    const cache = new DecisionCache({ sampledCacheSize: 2, nonSampledCacheSize: 1 });
    cache.record(id(1), true, 'errors');
    cache.record(id(2), true, 'slow');
    cache.record(id(3), false, undefined);
    expect(cache.lookup(id(1))).toEqual({ keep: true, policy: 'errors' }); // now the most recent
    cache.record(id(4), true, 'errors'); // evicts 2, the least recently used
    expect(cache.lookup(id(2))).toBeUndefined();
    expect(cache.lookup(id(1))).toEqual({ keep: true, policy: 'errors' });
    expect(cache.lookup(id(3))).toEqual({ keep: false, policy: undefined });
    cache.record(id(5), false, 'no-health'); // evicts 3
    expect(cache.lookup(id(3))).toBeUndefined();
    expect(cache.size).toEqual({ kept: 2, dropped: 1 });
  });

  it('takes string IDs as they are, and a newer decision over an older one', () => {
    const cache = new DecisionCache({ sampledCacheSize: 10, nonSampledCacheSize: 10 });
    const latin1 = id(7).toString('latin1');
    cache.record(latin1, false, 'drop');
    expect(cache.lookup(id(7))).toEqual({ keep: false, policy: 'drop' });
    cache.record(id(7), true, 'errors');
    expect(cache.lookup(latin1)).toEqual({ keep: true, policy: 'errors' });
    expect(cache.size).toEqual({ kept: 1, dropped: 0 });
  });

  it('is off for a size of 0, the default', () => {
    const cache = new DecisionCache(parseDecisionCacheConfig(undefined));
    cache.record(id(1), true, 'p');
    cache.record(id(2), false, 'p');
    expect([cache.lookup(id(1)), cache.lookup(id(2))]).toEqual([undefined, undefined]);
  });

  it("reads the collector's decision_cache block", () => {
    expect(parseDecisionCacheConfig({ sampled_cache_size: 100_000, non_sampled_cache_size: 5 })).toEqual({
      sampledCacheSize: 100_000,
      nonSampledCacheSize: 5,
    });
    expect(() => parseDecisionCacheConfig({ sampled_cache_size: 1, size: 2 })).toThrow(SamplingConfigError);
    expect(() => parseDecisionCacheConfig({ sampled_cache_size: '1' })).toThrow(
      'decision_cache.sampled_cache_size',
    );
  });
});
