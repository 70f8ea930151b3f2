/** The spans of one trace that are acknowledged but not yet in a flushed block. */
export interface UnflushedTrace {
  /** OTLP TracesData fragments, oldest first. */
  parts: Uint8Array[];
  /** Spans were refused at `max_bytes_per_trace`: the trace is partial. */
  truncated: boolean;
}

/**
 * Where a trace lookup reads what is not in the blocklist yet: live traces, head blocks and
 * blocks being built. The ingester implements it in process; an HTTP client can implement it
 * for a querier that runs apart from the ingesters.
 *
 * Contract: a block joins the blocklist in the same tick its traces leave this source, so a
 * lookup that reads both in one tick sees every acknowledged span exactly once or twice (never
 * zero times); duplicates are dropped by span ID when the parts are combined.
 */
export interface UnflushedSource {
  findUnflushed(tenantId: string, traceKey: string): UnflushedTrace | undefined;
}

/** One trace with unflushed spans, as search lists them. */
export interface UnflushedTraceRef {
  /** The trace ID as lowercase hex (the key `findUnflushed` takes). */
  key: string;
  /** Earliest span start and latest span end seen so far, unix ms. */
  startMs: number;
  endMs: number;
  spanCount: number;
  /** Some of its spans may already be in a flushed block (false: certainly none lately). */
  partlyFlushed: boolean;
}

/**
 * What search needs besides lookups: every trace with unflushed spans. Listed in the same tick
 * as the blocklist is read, under the same contract as `UnflushedSource`.
 */
export interface SearchableUnflushedSource extends UnflushedSource {
  listUnflushed(tenantId: string): UnflushedTraceRef[];
}
