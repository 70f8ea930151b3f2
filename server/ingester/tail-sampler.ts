import { forEachSpan } from '../otlp/span-visitor';
import { type CachedDecision, DecisionCache } from '../sampling/decision-cache';
import { type DroppedTrace, DroppedTraces } from '../sampling/dropped-traces';
import type { SamplingDecision, SamplingReason } from '../sampling/policies';
import type { SamplingConfig } from '../sampling/sampling-config';
import type { DecisionTrigger, SamplingMetrics } from '../sampling/sampling-metrics';
import type { TenantSampling } from '../tenancy/overrides';
import type { LiveTrace } from './tenant-instance';

export interface Settled {
  decision: SamplingDecision;
  /** What the ingester does: false only when the trace is dropped and this is not a dry run. */
  keep: boolean;
}

/**
 * The ingester's side of tail sampling (docs/sampling.md): which traces wait, when each is due,
 * the decision with its bookkeeping (decision cache for late spans, the record of dropped IDs,
 * metrics), and the memory the waiting summaries hold. The ingester owns the spans and the WAL;
 * this owns no spans at all.
 */
export class TailSampler {
  private readonly cache: DecisionCache;
  private readonly dropped: DroppedTraces;
  private waiting = 0;
  /** Memory of all waiting traces (`waitingTraceBytes`), against `max_waiting_bytes`. */
  waitingBytes = 0;

  constructor(
    private readonly config: SamplingConfig,
    private readonly samplingFor: (tenantId: string) => TenantSampling | undefined,
    private readonly metrics: SamplingMetrics,
  ) {
    this.cache = new DecisionCache(config.decisionCache);
    this.dropped = new DroppedTraces(config.droppedTraces.maxTraces, config.droppedTraces.ttlMs);
  }

  get decisionWaitMs(): number {
    return this.config.decisionWaitMs;
  }

  /** The remembered decision for a trace no longer waiting, so its late spans follow it. */
  remembered(tenantId: string, key: string): CachedDecision | undefined {
    return this.cache.lookup(cacheKey(tenantId, key));
  }

  countLateSpans(tenantId: string, keep: boolean, spans: number): void {
    this.metrics.lateSpans.inc({ tenant: tenantId, decision: keep ? 'kept' : 'dropped' }, spans);
  }

  /**
   * Called after spans joined a live trace: a trace new to the ingester starts waiting (or, known
   * kept, skips the wait); a waiting one observes the fragment's spans. Returns true when the
   * trace reached `max_spans_per_trace` and must be decided now.
   */
  observe(tenantId: string, key: string, trace: LiveTrace, data: Uint8Array, nowMs: number): boolean {
    if (trace.keptBy !== undefined) return false;
    let waiting = trace.sampling;
    if (!waiting) {
      const remembered = this.remembered(tenantId, key);
      if (remembered?.keep) {
        trace.keptBy = remembered.policy ?? '';
        return false;
      }
      const sampling = this.samplingFor(tenantId);
      if (!sampling?.policies) {
        trace.keptBy = '';
        return false;
      }
      const { policies, dryRun } = sampling;
      waiting = { policies, dryRun, summary: policies.newSummary(), bytes: 0 };
      trace.sampling = waiting;
      this.waiting++;
    }
    if (data.length > 0) {
      const { policies, summary } = waiting;
      forEachSpan(data, (span) => policies.observe(summary, span, nowMs));
    }
    const bytes = waitingTraceBytes(waiting.policies.summaryBytes(waiting.summary), trace.locations.length);
    this.waitingBytes += bytes - waiting.bytes;
    waiting.bytes = bytes;
    return waiting.summary.spanCount >= this.config.maxSpansPerTrace;
  }

  /**
   * Why a waiting trace is due for its decision at `nowMs`, or undefined while it still waits. When
   * a check comes after several moments have passed, the earliest of them names the trigger.
   */
  due(trace: LiveTrace, nowMs: number, idlePeriodMs: number): DecisionTrigger | undefined {
    const summary = trace.sampling?.summary;
    if (!summary) return undefined;
    let trigger: DecisionTrigger | undefined;
    let at = Number.POSITIVE_INFINITY;
    const consider = (candidate: DecisionTrigger, momentMs: number) => {
      if (momentMs <= nowMs && momentMs < at) {
        trigger = candidate;
        at = momentMs;
      }
    };
    consider('idle', trace.lastAppendMs + idlePeriodMs);
    if (summary.rootSeenMs >= 0) consider('root_wait', summary.rootSeenMs + this.config.decisionWaitMs);
    if (summary.firstSeenMs >= 0) consider('max_wait', summary.firstSeenMs + this.config.maxWaitMs);
    return trigger;
  }

  /** Waiting summaries hold more than `max_waiting_bytes`: decide the oldest now. */
  overMemory(): boolean {
    return this.waitingBytes > this.config.maxWaitingBytes;
  }

  /**
   * Decides a waiting trace: forgets its summary, remembers the decision for late spans (and a
   * drop for the trace page), counts it. In dry run every trace is kept, though counted as decided.
   */
  decide(tenantId: string, key: string, trace: LiveTrace, nowMs: number, trigger: DecisionTrigger): Settled {
    const waiting = trace.sampling;
    if (!waiting) throw new Error(`trace ${key} is not waiting for a sampling decision`);
    const decision = waiting.policies.decide(waiting.summary, trace.traceId, nowMs);
    trace.sampling = undefined;
    this.waiting--;
    this.waitingBytes -= waiting.bytes;
    const policy = decision.policy ?? '';
    const keep = decision.keep || waiting.dryRun;
    // What was done, not what the policies said: in a dry run, late spans are kept too.
    this.cache.record(cacheKey(tenantId, key), keep, policy);
    if (keep) {
      trace.keptBy = policy;
      this.dropped.forget(cacheKey(tenantId, key));
    } else {
      this.dropped.add(cacheKey(tenantId, key), { policy, reason: decision.reason, atMs: nowMs });
    }
    const labels = { tenant: tenantId, policy, decision: decision.keep ? 'kept' : 'dropped' };
    this.metrics.traces.inc(labels);
    this.metrics.spans.inc(labels, waiting.summary.spanCount);
    this.metrics.decisions.inc({ trigger });
    this.metrics.decisionDelay.observe({ trigger }, Math.max(0, nowMs - trace.lastAppendMs) / 1000);
    return { decision, keep };
  }

  /** A decision replayed from the WAL after a restart: remembered as if just made. */
  replayDecision(
    tenantId: string,
    key: string,
    decision: { keep: boolean; policy: string; reason: SamplingReason },
    nowMs: number,
  ): void {
    this.cache.record(cacheKey(tenantId, key), decision.keep, decision.policy);
    if (!decision.keep) this.dropped.add(cacheKey(tenantId, key), { ...decision, atMs: nowMs });
  }

  /** Forgets a waiting trace without deciding it (its spans went elsewhere). */
  abandon(trace: LiveTrace): void {
    if (!trace.sampling) return;
    this.waiting--;
    this.waitingBytes -= trace.sampling.bytes;
    trace.sampling = undefined;
  }

  droppedTrace(tenantId: string, key: string, nowMs = Date.now()): DroppedTrace | undefined {
    return this.dropped.get(cacheKey(tenantId, key), nowMs);
  }

  updateGauges(): void {
    this.metrics.waitingTraces.set(this.waiting);
    this.metrics.waitingBytes.set(this.waitingBytes);
  }
}

/**
 * What a waiting trace holds in memory, counted against `max_waiting_bytes`: its summary, and the
 * live trace around it (the entry keyed by trace ID, the object, its WAL locations). The fixed part
 * is measured, not derived: `bench/sampling.ts` found 987 bytes of V8 heap per waiting trace of 10
 * spans in 1–2 requests against a 168-byte summary, so ~820 bytes besides, rounded up.
 */
export function waitingTraceBytes(summaryBytes: number, walLocations: number): number {
  return summaryBytes + LIVE_TRACE_BYTES + WAL_LOCATION_BYTES * walLocations;
}

const LIVE_TRACE_BYTES = 800;
const WAL_LOCATION_BYTES = 48;

/** A trace of a tenant, as the decision cache and the dropped-trace record key it. */
function cacheKey(tenantId: string, key: string): string {
  return `${tenantId}\u0000${key}`;
}
