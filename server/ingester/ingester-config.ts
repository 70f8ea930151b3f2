/** Tempo's `ingester:` section, as the ingester uses it. */
export interface IngesterConfig {
  /** A trace idle this long is cut from the live traces into the head block (Tempo default 10s). */
  traceIdlePeriodMs: number;
  /** A head block is built once it holds this many bytes (Tempo default 500 MB)… */
  maxBlockBytes: number;
  /** …or once it is this old (Tempo default 30m). */
  maxBlockDurationMs: number;
  /** How often idle traces are cut and block limits checked. */
  flushCheckPeriodMs: number;
  /**
   * `complete_block_timeout` (Tempo default 15m): how long a `-target=ingester` keeps telling
   * queriers about a block it flushed, so they read it before their blocklist poll finds it.
   */
  completeBlockTimeoutMs: number;
}
