import type { SpanView } from '../otlp/span-visitor';
import { SpanConditions } from './conditions';
import { type PolicySpec, parsePolicies } from './config';
import { buildEvaluator, type Decision, type EvalContext, type Evaluator } from './evaluators';
import { estimateSummaryBytes, observeTimes, TraceSummary } from './summary';

/**
 * Built-in tail sampling: the OpenTelemetry Collector's `tail_sampling` policies, evaluated on a
 * small per-trace `TraceSummary` instead of the buffered spans. The ingester creates a summary
 * per waiting trace, `observe`s every span as it arrives, and asks `decide` once the trace is
 * complete. Pure and synchronous; the only state kept between traces is the rate limiters'.
 */

/** Why a trace is kept or not, in the collector's terms. */
export type SamplingReason =
  /** A policy sampled it (the first one to do so is named). */
  | 'sampled'
  /** Only `invert_match` policies sampled it, and no policy said not sampled. */
  | 'inverted-sampled'
  /** A `drop` policy matched: dropped whatever the others said. */
  | 'dropped'
  /** An `invert_match` policy matched the value it excludes: not kept, whatever the others said. */
  | 'inverted-not-sampled'
  /** No policy sampled it. */
  | 'not-sampled';

export interface SamplingDecision {
  keep: boolean;
  /** The top-level policy that decided (`policies[].name`); undefined when none did (`not-sampled`). */
  policy: string | undefined;
  /** When `policy` is a composite that sampled: which of its sub-policies did. */
  subPolicy: string | undefined;
  reason: SamplingReason;
}

const STATUS_CODE_COUNT = 3;

export class SamplingPolicies {
  /** Top-level policy names, in order: for metrics labels. */
  readonly names: readonly string[];
  private readonly evaluators: Evaluator[];
  private readonly conditions: SpanConditions;

  constructor(specs: readonly PolicySpec[]) {
    this.names = specs.map((s) => s.name);
    this.conditions = new SpanConditions(specs);
    this.evaluators = specs.map((s) => buildEvaluator(s, this.conditions.bits));
  }

  newSummary(): TraceSummary {
    return new TraceSummary();
  }

  /**
   * Takes in one span of the summary's trace, as `forEachSpan` hands it over (its
   * `resourceKey` lets a resource's attributes be read once for all its spans). `nowMs` is the
   * caller's clock: when the first span and the first root span arrived are kept.
   */
  observe(summary: TraceSummary, span: SpanView, nowMs: number): void {
    summary.spanCount++;
    if (summary.firstSeenMs < 0) summary.firstSeenMs = nowMs;
    if (summary.rootSeenMs < 0 && span.isRoot()) summary.rootSeenMs = nowMs;
    if (span.statusCode < STATUS_CODE_COUNT) summary.statusSeen |= 1 << span.statusCode;
    // An absent time is 0, as pdata reads it; the halves keep the nanoseconds exact.
    const buf = span.buf;
    const { startAt, endAt } = span;
    observeTimes(
      summary,
      startAt < 0 ? 0 : buf.readUInt32LE(startAt + 4),
      startAt < 0 ? 0 : buf.readUInt32LE(startAt),
      endAt < 0 ? 0 : buf.readUInt32LE(endAt + 4),
      endAt < 0 ? 0 : buf.readUInt32LE(endAt),
    );
    this.conditions.observe(summary, span);
  }

  /**
   * The sampling decision, combined as the collector's processor does (`makeDecision`): every
   * policy is evaluated in order, stopping at the first Dropped; then Dropped wins, then any
   * InvertNotSampled (not kept), then Sampled, then InvertSampled if no policy said NotSampled.
   * The first policy to return the deciding kind is named. `traceId` is the 16 ID bytes (the
   * probabilistic policy hashes them); `nowMs` drives the rate limiters.
   */
  decide(summary: TraceSummary, traceId: Uint8Array, nowMs: number): SamplingDecision {
    // A context per call: one kept across calls would hold on to the last trace ID's buffer.
    const ctx: EvalContext = { summary, traceId, nowMs, subPolicy: undefined };
    const first = new Map<Decision, { policy: string; subPolicy: string | undefined }>();
    for (let i = 0; i < this.evaluators.length; i++) {
      ctx.subPolicy = undefined;
      const d = this.evaluators[i](ctx);
      if (!first.has(d)) first.set(d, { policy: this.names[i], subPolicy: ctx.subPolicy });
      if (d === 'dropped') break;
    }
    const pick = (d: Decision, keep: boolean, reason: SamplingReason): SamplingDecision => {
      const by = first.get(d);
      return { keep, policy: by?.policy, subPolicy: by?.subPolicy, reason };
    };
    if (first.has('dropped')) return pick('dropped', false, 'dropped');
    if (first.has('invert-not-sampled')) return pick('invert-not-sampled', false, 'inverted-not-sampled');
    if (first.has('sampled')) return pick('sampled', true, 'sampled');
    if (first.has('invert-sampled') && !first.has('not-sampled'))
      return pick('invert-sampled', true, 'inverted-sampled');
    return { keep: false, policy: undefined, subPolicy: undefined, reason: 'not-sampled' };
  }

  /** Bytes a summary holds: for the ingester's memory limit on waiting traces. */
  summaryBytes(summary: TraceSummary): number {
    return estimateSummaryBytes(summary);
  }
}

/**
 * Checks and compiles the `policies:` list of a collector `tail_sampling` config (already parsed
 * from YAML). Throws `SamplingConfigError`, naming the policy and key, for anything Loupe does
 * not support; the caller makes that a startup error.
 */
export function compileSamplingPolicies(rawPolicies: unknown): SamplingPolicies {
  return new SamplingPolicies(parsePolicies(rawPolicies));
}
