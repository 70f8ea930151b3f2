/**
 * A Jaeger batch as both decoders hand it to the translator: the Thrift `jaeger.thrift` Batch
 * and the protobuf `jaeger.api_v2` Batch differ on the wire (i64 pairs against bytes, epoch
 * microseconds against Timestamp/Duration) but not in what the OpenTelemetry Collector's
 * translator reads of them. IDs are unsigned 64-bit (Thrift's signed i64 reinterpreted, as the
 * Collector's `uint64(...)` does); times are already nanoseconds since the epoch.
 */

/** A tag's value by its declared type; `unknown` keeps the type's name for the attribute text. */
export type JaegerTagValue =
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'long'; value: bigint }
  | { type: 'double'; value: number }
  | { type: 'binary'; value: Uint8Array }
  | { type: 'unknown'; typeName: string };

export interface JaegerTag {
  key: string;
  value: JaegerTagValue;
  /**
   * The string field as sent, whatever the declared type (`GetVStr()`): the Collector reads the
   * instrumentation scope from it without looking at the type.
   */
  rawString: string;
}

export interface JaegerLog {
  timeUnixNano: bigint;
  fields: JaegerTag[];
}

export const SpanRefType = { CHILD_OF: 0, FOLLOWS_FROM: 1 } as const;

export interface JaegerSpanRef {
  /** `SpanRefType`, or any other number a client sent (treated as FOLLOWS_FROM for the link). */
  refType: number;
  traceIdHigh: bigint;
  traceIdLow: bigint;
  spanId: bigint;
}

export interface JaegerProcess {
  serviceName: string;
  /** `undefined` when the field was absent: with an empty service name, the resource stays empty. */
  tags: JaegerTag[] | undefined;
}

export interface JaegerSpan {
  traceIdHigh: bigint;
  traceIdLow: bigint;
  spanId: bigint;
  /** Thrift's `parentSpanId` (0: none); protobuf spans name their parent in `references` only. */
  parentSpanId: bigint;
  operationName: string;
  references: JaegerSpanRef[];
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  tags: JaegerTag[];
  logs: JaegerLog[];
  /** protobuf only: a span may carry its own process, which then wins over the batch's. */
  process?: JaegerProcess;
  /** Every field absent or zero: the Collector drops such a span. */
  blank: boolean;
}

export interface JaegerBatch {
  /** Always present in Thrift (a required field); optional in protobuf. */
  process: JaegerProcess | undefined;
  spans: JaegerSpan[];
}
