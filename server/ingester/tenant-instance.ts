import type { SamplingPolicies } from '../sampling/policies';
import type { TraceSummary } from '../sampling/summary';
import { TenantLimitError } from '../tenancy/tenant-limit-error';
import type { WalLocation } from '../wal/segments';
import { RecentlyFlushed } from './recently-flushed';

/** A live trace waiting for its tail sampling decision: its summary, and the policies it was observed with. */
export interface WaitingTrace {
  policies: SamplingPolicies;
  /** The tenant's `dry_run` when the trace started waiting: decide and count, keep anyway. */
  dryRun: boolean;
  summary: TraceSummary;
  /** `summaryBytes` as last counted into the sampler's waiting bytes. */
  bytes: number;
}

/** A trace still receiving spans: its fragments stay in memory for read-your-writes. */
export interface LiveTrace {
  traceId: Uint8Array;
  fragments: Uint8Array[];
  locations: WalLocation[];
  spanCount: number;
  startMs: number;
  endMs: number;
  bytes: number;
  truncated: boolean;
  lastAppendMs: number;
  /** Tail sampling: set while the trace waits for its decision; such a trace is not cut. */
  sampling?: WaitingTrace;
  /** Tail sampling kept it, by this policy ('' when sampling is off or no policy is named). */
  keptBy?: string;
}

/** A trace cut into the head block: only WAL locations are kept; data is read back from the WAL. */
export interface HeadTrace {
  traceId: Uint8Array;
  locations: WalLocation[];
  spanCount: number;
  startMs: number;
  endMs: number;
  bytes: number;
  truncated: boolean;
}

export interface HeadBlock {
  createdMs: number;
  bytes: number;
  traces: Map<string, HeadTrace>;
}

export interface AppendedFragment {
  key: string;
  traceId: Uint8Array;
  data: Uint8Array;
  spanCount: number;
  startMs: number;
  endMs: number;
  truncated: boolean;
  location: WalLocation;
}

/** What a trace looks like across one tenant's not-yet-flushed state, oldest first. */
export interface UnflushedParts {
  walLocations: WalLocation[];
  inMemory: Uint8Array[];
  truncated: boolean;
}

/**
 * One tenant's ingester state, as Tempo's ingester instance: live traces by ID, the head
 * block that idle traces are cut into, and the cut blocks being built and written.
 */
export class TenantInstance {
  readonly live = new Map<string, LiveTrace>();
  /** Sum of `bytes` over live traces, kept as they change so metrics need not walk them. */
  liveBytes = 0;
  head: HeadBlock;
  /** Cut head blocks not yet visible as backend blocks, by block ID. */
  readonly flushing = new Map<string, HeadBlock>();
  /** Traces with spans in flushed blocks lately: their live spans are only part of them. */
  readonly recentlyFlushed = new RecentlyFlushed();

  constructor(
    readonly tenantId: string,
    now: number,
    /**
     * Keep live traces' span bytes in memory for reads (true), or read them from the WAL like the
     * head block's (false: tail sampling, where only a summary per waiting trace may be in memory).
     */
    private readonly spansInMemory = true,
  ) {
    this.head = { createdMs: now, bytes: 0, traces: new Map() };
  }

  /** Bytes already held for a trace, across live, head and flushing state (for max_bytes_per_trace). */
  bytesHeld(key: string): number {
    let bytes = (this.live.get(key)?.bytes ?? 0) + (this.head.traces.get(key)?.bytes ?? 0);
    for (const block of this.flushing.values()) bytes += block.traces.get(key)?.bytes ?? 0;
    return bytes;
  }

  /**
   * Refuses (429: retried by exporters) a push that would take the tenant past `max_traces_per_user`
   * live traces; spans of traces already live always pass.
   */
  checkLiveTraces(fragments: readonly { key: string }[], max: number): void {
    if (this.live.size + fragments.length <= max) return;
    const fresh = new Set<string>();
    for (const f of fragments) if (!this.live.has(f.key)) fresh.add(f.key);
    if (this.live.size + fresh.size <= max) return;
    throw new TenantLimitError(
      `max live traces reached for tenant "${this.tenantId}" (max_traces_per_user: ${max}; ${this.live.size} live, ${fresh.size} new in this request): retry later`,
      429,
      'live_traces_exceeded',
    );
  }

  append(fragment: AppendedFragment, now: number): void {
    let trace = this.live.get(fragment.key);
    if (!trace) {
      trace = {
        traceId: fragment.traceId,
        fragments: [],
        locations: [],
        spanCount: 0,
        startMs: fragment.startMs,
        endMs: fragment.endMs,
        bytes: 0,
        truncated: false,
        lastAppendMs: now,
      };
      this.live.set(fragment.key, trace);
    }
    if (fragment.data.length > 0 && this.spansInMemory) trace.fragments.push(fragment.data);
    trace.locations.push(fragment.location);
    trace.spanCount += fragment.spanCount;
    trace.bytes += fragment.data.length;
    this.liveBytes += fragment.data.length;
    if (fragment.spanCount > 0) {
      trace.startMs = Math.min(trace.startMs, fragment.startMs);
      trace.endMs = Math.max(trace.endMs, fragment.endMs);
    }
    trace.truncated ||= fragment.truncated;
    trace.lastAppendMs = now;
  }

  /** Forgets a live trace (tail sampling dropped it); its WAL records are the caller's to release. */
  removeLive(key: string): void {
    const trace = this.live.get(key);
    if (!trace) return;
    this.live.delete(key);
    this.liveBytes -= trace.bytes;
  }

  /**
   * Moves traces idle since `idleBefore` (all of them when undefined) into the head block,
   * stopping once the head block holds `maxHeadBytes`, so blocks keep to max_block_bytes.
   */
  cutIdleTraces(idleBefore: number | undefined, maxHeadBytes = Number.POSITIVE_INFINITY): number {
    let cut = 0;
    for (const [key, trace] of this.live) {
      if (this.head.bytes >= maxHeadBytes) break;
      if (idleBefore !== undefined && trace.lastAppendMs > idleBefore) continue;
      // A trace waiting for its sampling decision stays live until it is decided (kept) or dropped.
      if (trace.sampling) continue;
      this.live.delete(key);
      this.liveBytes -= trace.bytes;
      const existing = this.head.traces.get(key);
      if (existing) {
        existing.locations.push(...trace.locations);
        existing.spanCount += trace.spanCount;
        existing.bytes += trace.bytes;
        existing.startMs = Math.min(existing.startMs, trace.startMs);
        existing.endMs = Math.max(existing.endMs, trace.endMs);
        existing.truncated ||= trace.truncated;
      } else {
        this.head.traces.set(key, {
          traceId: trace.traceId,
          locations: trace.locations,
          spanCount: trace.spanCount,
          startMs: trace.startMs,
          endMs: trace.endMs,
          bytes: trace.bytes,
          truncated: trace.truncated,
        });
      }
      this.head.bytes += trace.bytes;
      cut++;
    }
    return cut;
  }

  /** True when the head block has reached its size or age limit. */
  headIsFull(now: number, maxBlockBytes: number, maxBlockDurationMs: number): boolean {
    if (this.head.traces.size === 0) return false;
    return this.head.bytes >= maxBlockBytes || now - this.head.createdMs >= maxBlockDurationMs;
  }

  /** Seals the head block under `blockId` and starts a new one. */
  cutHeadBlock(blockId: string, now: number): HeadBlock {
    const sealed = this.head;
    this.flushing.set(blockId, sealed);
    this.head = { createdMs: now, bytes: 0, traces: new Map() };
    return sealed;
  }

  /** Where a trace's unflushed spans are, oldest state first (flushing, head, live). */
  unflushedParts(key: string): UnflushedParts | undefined {
    const walLocations: WalLocation[] = [];
    let truncated = false;
    let found = false;
    for (const block of [...this.flushing.values(), this.head]) {
      const trace = block.traces.get(key);
      if (!trace) continue;
      found = true;
      walLocations.push(...trace.locations);
      truncated ||= trace.truncated;
    }
    const live = this.live.get(key);
    if (live) {
      found = true;
      truncated ||= live.truncated;
      if (!this.spansInMemory) walLocations.push(...live.locations);
    }
    if (!found) return undefined;
    return { walLocations, inMemory: live ? [...live.fragments] : [], truncated };
  }
}
