import { describe, expect, it } from 'vitest';
import { compileSamplingPolicies } from '../sampling/policies';
import { SAMPLING_DEFAULTS } from '../sampling/sampling-config';
import { SamplingMetrics } from '../sampling/sampling-metrics';
import { TailSampler, waitingTraceBytes } from './tail-sampler';
import type { LiveTrace } from './tenant-instance';

function waitingTrace(sampler: TailSampler, firstMs: number): LiveTrace {
  const trace: LiveTrace = {
    traceId: Buffer.alloc(16, 1),
    fragments: [],
    locations: [{ segment: 1, offset: 0, length: 10 }],
    spanCount: 1,
    startMs: 0,
    endMs: 0,
    bytes: 10,
    truncated: false,
    lastAppendMs: firstMs,
  };
  sampler.observe('t', 'k', trace, new Uint8Array(0), firstMs);
  return trace;
}

describe('TailSampler', () => {
  const policies = compileSamplingPolicies([{ name: 'all', type: 'always_sample' }]);
  const config = { ...SAMPLING_DEFAULTS, decisionWaitMs: 5_000, maxWaitMs: 60_000 };
  const sampler = new TailSampler(config, () => ({ policies, dryRun: false }), new SamplingMetrics([]));

  it('names the moment that passed first when a late check finds several passed', () => {
    const trace = waitingTrace(sampler, 1_000);
    const summary = trace.sampling!.summary;
    summary.firstSeenMs = 1_000; // max_wait: 61,000
    summary.rootSeenMs = 2_000; // root + decision_wait: 7,000
    trace.lastAppendMs = 3_000; // idle (10 s): 13,000
    expect(sampler.due(trace, 6_999, 10_000)).toBeUndefined();
    expect(sampler.due(trace, 20_000, 10_000)).toBe('root_wait');
    trace.lastAppendMs = 1_500; // idle at 11,500 … still after the root's moment
    expect(sampler.due(trace, 20_000, 10_000)).toBe('root_wait');
    expect(sampler.due(trace, 20_000, 4_000)).toBe('idle'); // idle at 5,500, before 7,000
    expect(sampler.due(trace, 70_000, 100_000)).toBe('root_wait');
    summary.rootSeenMs = -1;
    expect(sampler.due(trace, 70_000, 100_000)).toBe('max_wait');
  });

  it('counts a waiting trace as its summary and its bookkeeping, growing with its WAL records', () => {
    const before = sampler.waitingBytes;
    const trace = waitingTrace(sampler, 0);
    const one = sampler.waitingBytes - before;
    expect(one).toBe(waitingTraceBytes(policies.summaryBytes(trace.sampling!.summary), 1));
    expect(one).toBeGreaterThan(900);
    trace.locations.push({ segment: 1, offset: 10, length: 10 });
    sampler.observe('t', 'k', trace, new Uint8Array(0), 0);
    expect(sampler.waitingBytes - before).toBe(one + 48);
    sampler.abandon(trace);
    expect(sampler.waitingBytes).toBe(before);
  });
});
