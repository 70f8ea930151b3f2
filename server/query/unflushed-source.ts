/** The spans of one trace that are acknowledged but not yet in a flushed block. */
export interface UnflushedTrace {
  /** OTLP TracesData fragments, oldest first. */
  parts: Uint8Array[];
  /** Spans were refused at `max_bytes_per_trace`: the trace is partial. */
  truncated: boolean;
}

/**
 * Where a trace lookup reads what is not in the blocklist yet: live traces, head blocks and
 * blocks being built. In one process the ingester answers (`ingesterSource`); a querier that
 * runs apart from the ingesters asks each of them over HTTP (`querier/remote-ingesters.ts`).
 *
 * Contract: a block joins the blocklist no later than its traces leave this source (in process:
 * the same tick; remotely: the answer names the blocks the ingester flushed lately, and the
 * querier adds them before it reads blocks). A caller that asks this source FIRST and reads the
 * blocklist after sees every acknowledged span once or twice, never zero times; duplicates are
 * dropped by span ID when the parts are combined.
 */
export interface UnflushedSource {
  /** The unflushed spans of each key that has some (lowercase hex trace IDs), from one snapshot. */
  unflushedTraces(tenantId: string, keys: readonly string[]): Promise<Map<string, UnflushedTrace>>;
}

/** One trace with unflushed spans, as search lists them. */
export interface UnflushedTraceRef {
  /** The trace ID as lowercase hex (the key `unflushedTraces` takes). */
  key: string;
  /** Earliest span start and latest span end seen so far, unix ms. */
  startMs: number;
  endMs: number;
  spanCount: number;
  /** Some of its spans may be in a flushed block or elsewhere (false: certainly none lately). */
  partlyFlushed: boolean;
}

/**
 * What search needs besides lookups: every trace with unflushed spans. Asked before the
 * blocklist is read, under the same contract as `UnflushedSource`.
 */
export interface SearchableUnflushedSource extends UnflushedSource {
  unflushedRefs(tenantId: string): Promise<UnflushedTraceRef[]>;
}

/** The ingester's synchronous view, as `ingesterSource` adapts it. */
export interface InProcessUnflushed {
  findUnflushed(tenantId: string, key: string): UnflushedTrace | undefined;
  listUnflushed(tenantId: string): UnflushedTraceRef[];
}

/** The ingester of this process as a source: one snapshot per call, no I/O but WAL reads. */
export function ingesterSource(ingester: InProcessUnflushed): SearchableUnflushedSource {
  return {
    async unflushedTraces(tenantId, keys) {
      const found = new Map<string, UnflushedTrace>();
      for (const key of keys) {
        const trace = ingester.findUnflushed(tenantId, key);
        if (trace) found.set(key, trace);
      }
      return found;
    },
    async unflushedRefs(tenantId) {
      return ingester.listUnflushed(tenantId);
    },
  };
}

/** No unflushed data (a querier with no ingesters configured, a compactor). */
export const NO_UNFLUSHED: SearchableUnflushedSource = {
  unflushedTraces: async () => new Map(),
  unflushedRefs: async () => [],
};
