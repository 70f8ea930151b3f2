/**
 * The shapes every part of the logs module shares. A timestamp is kept as whole milliseconds
 * plus the nanoseconds within that millisecond: exact to the nanosecond (Loki's precision), yet
 * two plain numbers, which compare and sort far faster than bigint.
 */

/** Label name → value; index labels of a stream, or structured metadata of one entry. */
export type Labels = Record<string, string>;

export interface LogEntry {
  ms: number;
  /** 0..999999: nanoseconds past `ms`. */
  ns: number;
  line: string;
  /** Structured metadata (Loki 3): per-entry key/values that are not index labels. */
  meta?: Labels;
}

/** One stream's entries in one push, labels already validated and sorted by name. */
export interface StreamPush {
  labels: Labels;
  entries: LogEntry[];
}

/** A push after normalisation, ready for the WAL and the head. */
export interface LogPush {
  streams: StreamPush[];
}

/** Entries refused from a push, with the first reason (for OTLP `partial_success`). */
export interface PushRejections {
  count: number;
  message?: string;
  /** Counts by the reasons `loupe_logs_discarded_lines_total` uses (`invalid_labels`, `line_too_long`). */
  byReason: Record<string, number>;
}
