/**
 * A short-lived record of traces tail sampling dropped, so that a link to one (an exemplar, a log
 * line's trace_id) opens "not kept by sampling (policy …)" instead of "not found". Bounded in
 * count and age: the oldest entry goes first, and an entry past its TTL is not reported.
 */
export interface DroppedTrace {
  /** The policy that decided ('' when none did: no policy sampled it). */
  policy: string;
  /** The collector's reason: `dropped`, `inverted-not-sampled`, `not-sampled`. */
  reason: string;
  /** When it was dropped (unix ms). */
  atMs: number;
}

export class DroppedTraces {
  private readonly entries = new Map<string, DroppedTrace>();

  constructor(
    private readonly maxTraces: number,
    private readonly ttlMs: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** `id`: the trace as the caller keys it (tenant and trace ID). */
  add(id: string, dropped: DroppedTrace): void {
    if (this.maxTraces <= 0) return;
    this.entries.delete(id);
    this.entries.set(id, dropped);
    if (this.entries.size > this.maxTraces) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** The record of a dropped trace, or undefined if none is remembered now. */
  get(id: string, nowMs: number): DroppedTrace | undefined {
    const found = this.entries.get(id);
    if (!found) return undefined;
    if (nowMs - found.atMs > this.ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return found;
  }

  /** A trace kept later (its late spans waited out a new decision) is no longer dropped. */
  forget(id: string): void {
    this.entries.delete(id);
  }
}

/** What the trace page and Tempo's API say about a trace sampling did not keep. */
export function describeDroppedTrace(traceId: string, dropped: DroppedTrace): string {
  const by =
    dropped.reason === 'not-sampled' || dropped.policy === ''
      ? 'no sampling policy kept it'
      : dropped.reason === 'dropped'
        ? `drop policy "${dropped.policy}" matched it`
        : `policy "${dropped.policy}" excluded it (invert_match)`;
  return `trace ${traceId} was not kept by tail sampling: ${by} (decided ${new Date(dropped.atMs).toISOString()})`;
}
