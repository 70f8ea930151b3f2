import type { CompositeSpec, LeafSpec, PolicySpec } from './config';
import { newProbabilisticSampler } from './probabilistic';
import { SecondWindow, TokenBucket } from './rate-limit';
import { hasMatched, type TraceSummary } from './summary';

/**
 * The decide half: each policy as the collector's evaluator of the same type, reading the
 * summary instead of the spans. Rate limiting and composite keep state between traces, as there.
 */

/** The collector's `samplingpolicy.Decision` values that policies return. */
export type Decision = 'sampled' | 'not-sampled' | 'invert-sampled' | 'invert-not-sampled' | 'dropped';

export interface EvalContext {
  summary: TraceSummary;
  traceId: Uint8Array;
  nowMs: number;
  /** Set by a composite policy that samples: which of its sub-policies did. */
  subPolicy: string | undefined;
}

export type Evaluator = (ctx: EvalContext) => Decision;

const STATUS_BIT = [1, 2, 4];

/** `bits` gives the summary bit of each attribute, latency and trace_state leaf (`SpanConditions`). */
export function buildEvaluator(spec: PolicySpec, bits: ReadonlyMap<LeafSpec, number>): Evaluator {
  switch (spec.type) {
    case 'and':
    case 'drop': {
      // and.go / drop.go: any NotSampled or InvertNotSampled sub-decision ends it NotSampled;
      // otherwise Sampled (and) or Dropped (drop). Later sub-policies are not evaluated then.
      const subs = spec.subPolicies.map((s) => buildEvaluator(s, bits));
      const allMatch: Decision = spec.type === 'and' ? 'sampled' : 'dropped';
      return (ctx) => {
        for (const sub of subs) {
          const d = sub(ctx);
          if (d === 'not-sampled' || d === 'invert-not-sampled') return 'not-sampled';
        }
        return allMatch;
      };
    }
    case 'composite':
      return compositeEvaluator(spec, bits);
    default:
      return leafEvaluator(spec, bits.get(spec) ?? -1);
  }
}

function leafEvaluator(spec: LeafSpec, bit: number): Evaluator {
  switch (spec.type) {
    case 'always_sample':
      return () => 'sampled';
    case 'latency':
    case 'trace_state':
      return ({ summary }) => (hasMatched(summary, bit) ? 'sampled' : 'not-sampled');
    case 'string_attribute':
    case 'numeric_attribute':
    case 'boolean_attribute':
      if (spec.invertMatch)
        return ({ summary }) => (hasMatched(summary, bit) ? 'invert-not-sampled' : 'invert-sampled');
      return ({ summary }) => (hasMatched(summary, bit) ? 'sampled' : 'not-sampled');
    case 'status_code': {
      let mask = 0;
      for (const code of spec.statusCodes) mask |= STATUS_BIT[code];
      return ({ summary }) => ((summary.statusSeen & mask) !== 0 ? 'sampled' : 'not-sampled');
    }
    case 'probabilistic': {
      const sampler = newProbabilisticSampler(spec.hashSalt, spec.samplingPercentage);
      return ({ traceId }) => (sampler.sampled(traceId) ? 'sampled' : 'not-sampled');
    }
    case 'rate_limiting': {
      const bucket = new TokenBucket(spec.spansPerSecond, spec.burstCapacity);
      return ({ summary, nowMs }) => (bucket.allowN(nowMs, summary.spanCount) ? 'sampled' : 'not-sampled');
    }
    case 'span_count': {
      // span_count_sampler.go: max_spans 0 means no upper bound.
      const { minSpans, maxSpans } = spec;
      return ({ summary: { spanCount: n } }) =>
        (maxSpans === 0 && n >= minSpans) || (n >= minSpans && n <= maxSpans) ? 'sampled' : 'not-sampled';
    }
  }
}

/**
 * composite.go: sub-policies in `composite_sub_policy` order, each with its own budget of spans
 * per wall-clock second (and the total as a second cap). The first sub-policy that would sample
 * decides: within budget the trace is sampled and counted, over it the trace is not sampled,
 * and no later sub-policy is asked (nor its state touched).
 */
function compositeEvaluator(spec: CompositeSpec, bits: ReadonlyMap<LeafSpec, number>): Evaluator {
  const subs = spec.subPolicies.map((s) => ({
    name: s.name,
    evaluate: buildEvaluator(s, bits),
    allocated: spec.allocatedSpansPerSecond.get(s.name) ?? 0,
    sampled: 0,
  }));
  const window = new SecondWindow();
  return (ctx) => {
    if (window.rolled(ctx.nowMs)) for (const sub of subs) sub.sampled = 0;
    for (const sub of subs) {
      const d = sub.evaluate(ctx);
      if (d !== 'sampled' && d !== 'invert-sampled') continue;
      const ifSampled = sub.sampled + ctx.summary.spanCount;
      if (ifSampled > sub.allocated || ifSampled > spec.maxTotalSpansPerSecond) return 'not-sampled';
      sub.sampled = ifSampled;
      ctx.subPolicy = sub.name;
      return 'sampled';
    }
    return 'not-sampled';
  };
}
