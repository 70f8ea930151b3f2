import { encodeSamplingNote } from '../otlp/sampling-note';
import type { DroppedTrace } from '../sampling/dropped-traces';
import type { DecisionTrigger } from '../sampling/sampling-metrics';
import type { WalLocation } from '../wal/segments';
import type { Wal } from '../wal/wal';
import type { TailSampler } from './tail-sampler';
import type { LiveTrace, TenantInstance } from './tenant-instance';
import type { WalTraceRecord } from './trace-wal-codec';

/** A drop decision record kept in the WAL until no segment holding the trace's spans is left. */
interface PendingDrop {
  record: WalLocation;
  segments: number[];
}

/**
 * Tail sampling inside the ingester: spans wait in the WAL (durable already) while only a summary
 * per trace is in memory; once a trace is due, it is decided. Kept: a decision record joins the
 * trace's WAL records and the trace is cut into a block as any other. Dropped: the trace leaves
 * memory, its WAL records are released, and a drop record stays in the WAL until every segment
 * that held its spans is deleted, so a restart never replays part of a dropped trace.
 */
export class SamplingStage {
  private pendingDrops: PendingDrop[] = [];
  /** WAL records replay found no use for (decisions of traces already flushed, spans of dropped ones). */
  private strays: WalLocation[] = [];

  constructor(
    readonly sampler: TailSampler,
    private readonly wal: Wal<WalTraceRecord>,
    private readonly idlePeriodMs: number,
  ) {}

  /** False for spans of a trace already dropped: acknowledged, counted as late, never stored. */
  admit(tenantId: string, key: string, trace: LiveTrace | undefined, spanCount: number): boolean {
    if (trace) return true;
    const remembered = this.sampler.remembered(tenantId, key);
    if (!remembered) return true;
    this.sampler.countLateSpans(tenantId, remembered.keep, spanCount);
    return remembered.keep;
  }

  /** After spans joined `key`'s live trace: observe them; a trace at the span cap is decided now. */
  afterAppend(instance: TenantInstance, key: string, data: Uint8Array, nowMs: number): void {
    const trace = instance.live.get(key);
    if (!trace) return;
    if (this.sampler.observe(instance.tenantId, key, trace, data, nowMs)) {
      this.settle(instance, key, trace, nowMs, 'span_cap');
    }
  }

  /** Decides every waiting trace that is due, then the oldest while summaries are over their memory limit. */
  settleDue(instance: TenantInstance, nowMs: number): void {
    for (const [key, trace] of instance.live) {
      const trigger = this.sampler.due(trace, nowMs, this.idlePeriodMs);
      if (trigger) this.settle(instance, key, trace, nowMs, trigger);
    }
    if (!this.sampler.overMemory()) return;
    // Map order is first arrival: the oldest waiting traces go first.
    for (const [key, trace] of instance.live) {
      if (!this.sampler.overMemory()) break;
      if (trace.sampling) this.settle(instance, key, trace, nowMs, 'memory');
    }
  }

  /** Decides every waiting trace now (shutdown, or a test that flushes everything). */
  settleAll(instance: TenantInstance, nowMs: number): void {
    for (const [key, trace] of instance.live) {
      if (trace.sampling) this.settle(instance, key, trace, nowMs, 'shutdown');
    }
  }

  private settle(
    instance: TenantInstance,
    key: string,
    trace: LiveTrace,
    nowMs: number,
    trigger: DecisionTrigger,
  ): void {
    const { decision, keep } = this.sampler.decide(instance.tenantId, key, trace, nowMs, trigger);
    const policy = decision.policy ?? '';
    // A kept trace carries its note (which policy kept it) into every later stage with its spans.
    const note = keep ? encodeSamplingNote({ policy, reason: decision.reason }) : new Uint8Array(0);
    const record: WalTraceRecord = {
      tenantId: instance.tenantId,
      traceId: trace.traceId,
      spanCount: 0,
      startMs: trace.startMs,
      endMs: trace.endMs,
      truncated: false,
      data: note,
      decision: { keep, policy, reason: decision.reason },
    };
    // Not awaited: losing the record in a crash only means the trace is decided again on replay.
    const { locations, durable } = this.wal.append([record]);
    durable.catch(() => {});
    if (keep) {
      // Released with the trace's other records once its block is written.
      trace.locations.push(locations[0]);
      return;
    }
    instance.removeLive(key);
    this.holdDropRecord(locations[0], trace.locations);
    // Only once the drop record is durable: a crash before must not find the spans gone and the
    // record missing, or a restart would replay whatever part of the trace is left.
    durable.then(
      () => this.wal.release(trace.locations),
      () => {}, // the WAL failed: the spans stay until the next start decides again
    );
  }

  /**
   * Keeps a drop record until every other segment that held the trace's spans is deleted (its own
   * segment goes with the record, so it is not waited for).
   */
  private holdDropRecord(record: WalLocation, spans: readonly WalLocation[]): void {
    const segments = [...new Set(spans.map((l) => l.segment))].filter(
      (segment) => segment !== record.segment,
    );
    this.pendingDrops.push({ record, segments });
  }

  /** Releases drop records whose traces' segments are all gone (each tick). */
  async releaseSettledDrops(): Promise<void> {
    if (this.pendingDrops.length === 0 && this.strays.length === 0) return;
    const done: WalLocation[] = this.strays;
    this.strays = [];
    this.pendingDrops = this.pendingDrops.filter((drop) => {
      if (drop.segments.some((segment) => this.wal.hasSegment(segment))) return true;
      done.push(drop.record);
      return false;
    });
    await this.wal.release(done);
  }

  /**
   * Applies a record during WAL replay. Returns false when the ingester should not index it: a
   * decision (applied here), or spans of a trace replay already saw dropped.
   */
  replay(
    instance: TenantInstance,
    key: string,
    record: WalTraceRecord,
    location: WalLocation,
    nowMs: number,
  ): boolean {
    const decision = record.decision;
    if (!decision) {
      if (this.sampler.remembered(instance.tenantId, key)?.keep === false) {
        this.strays.push(location);
        return false;
      }
      return true;
    }
    this.sampler.replayDecision(instance.tenantId, key, decision, nowMs);
    const trace = instance.live.get(key);
    if (!trace) {
      this.strays.push(location);
      return false;
    }
    this.sampler.abandon(trace);
    if (decision.keep) {
      trace.keptBy = decision.policy;
      trace.locations.push(location);
      return false;
    }
    instance.removeLive(key);
    this.holdDropRecord(location, trace.locations);
    this.strays.push(...trace.locations);
    return false;
  }

  /** During replay, after spans joined `key`'s live trace: observed, but nothing is decided yet. */
  observeReplayed(instance: TenantInstance, key: string, data: Uint8Array, nowMs: number): void {
    const trace = instance.live.get(key);
    if (trace) this.sampler.observe(instance.tenantId, key, trace, data, nowMs);
  }

  /** After replay: traces replayed without a decision wait again; one already at the span cap is decided. */
  finishReplay(instance: TenantInstance, nowMs: number): void {
    for (const [key, trace] of instance.live) {
      if (trace.keptBy !== undefined) continue;
      if (this.sampler.observe(instance.tenantId, key, trace, new Uint8Array(0), nowMs)) {
        this.settle(instance, key, trace, nowMs, 'span_cap');
      }
    }
  }

  droppedTrace(tenantId: string, key: string): DroppedTrace | undefined {
    return this.sampler.droppedTrace(tenantId, key);
  }
}
