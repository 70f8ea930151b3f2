import { intAt, mapAt } from './config-fields';

/**
 * Decisions remembered after a trace's summary is gone, so its late spans follow the decision
 * instead of starting a new wait: the collector's `decision_cache` (`sampled_cache_size`,
 * `non_sampled_cache_size`), two LRU caches of trace IDs, each off when its size is 0. A keep
 * is looked up first, as in the collector. The policy that decided is kept with the ID (one
 * reference to a config string) so a late span can still say "kept by policy X".
 */
export interface DecisionCacheConfig {
  sampledCacheSize: number;
  nonSampledCacheSize: number;
}

export interface CachedDecision {
  keep: boolean;
  policy: string | undefined;
}

/** Reads a `decision_cache:` block; absent or null means both caches off (the collector's default). */
export function parseDecisionCacheConfig(raw: unknown): DecisionCacheConfig {
  const path = 'decision_cache';
  const cfg = mapAt(raw, path, ['sampled_cache_size', 'non_sampled_cache_size']);
  const sampledCacheSize = intAt(cfg, 'sampled_cache_size', path);
  const nonSampledCacheSize = intAt(cfg, 'non_sampled_cache_size', path);
  return {
    sampledCacheSize: Math.max(0, sampledCacheSize),
    nonSampledCacheSize: Math.max(0, nonSampledCacheSize),
  };
}

export class DecisionCache {
  private readonly kept: Lru;
  private readonly dropped: Lru;

  constructor(config: DecisionCacheConfig) {
    this.kept = new Lru(config.sampledCacheSize);
    this.dropped = new Lru(config.nonSampledCacheSize);
  }

  /**
   * Remembers a decision. The trace ID is the 16 ID bytes, or any string the caller uses as the
   * ID consistently (hex, or latin1 from `SpanView.idLatin1`, the cheapest).
   */
  record(traceId: Uint8Array | string, keep: boolean, policy: string | undefined): void {
    const id = idKey(traceId);
    // A trace decided again (late spans waited out a new decision) keeps only the newest.
    (keep ? this.dropped : this.kept).delete(id);
    (keep ? this.kept : this.dropped).set(id, policy);
  }

  /** The remembered decision, refreshing its place in its cache; undefined when none is. */
  lookup(traceId: Uint8Array | string): CachedDecision | undefined {
    const id = idKey(traceId);
    const keptBy = this.kept.get(id);
    if (keptBy !== MISSING) return { keep: true, policy: keptBy };
    const droppedBy = this.dropped.get(id);
    if (droppedBy !== MISSING) return { keep: false, policy: droppedBy };
    return undefined;
  }

  get size(): { kept: number; dropped: number } {
    return { kept: this.kept.size, dropped: this.dropped.size };
  }
}

function idKey(traceId: Uint8Array | string): string {
  return typeof traceId === 'string'
    ? traceId
    : Buffer.from(traceId.buffer, traceId.byteOffset, traceId.byteLength).toString('latin1');
}

const MISSING = Symbol('missing');

/** A Map in recency order (oldest first): a hit moves its entry to the end, the oldest goes first. */
class Lru {
  private readonly entries = new Map<string, string | undefined>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): string | undefined | typeof MISSING {
    if (!this.entries.has(id)) return MISSING;
    const value = this.entries.get(id);
    this.entries.delete(id);
    this.entries.set(id, value);
    return value;
  }

  set(id: string, value: string | undefined): void {
    if (this.capacity <= 0) return;
    this.entries.delete(id);
    this.entries.set(id, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  delete(id: string): void {
    this.entries.delete(id);
  }
}
