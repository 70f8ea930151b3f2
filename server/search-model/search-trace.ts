/**
 * A trace as search sees it: every span's intrinsics and attributes decoded, the trace-level
 * facts (root, start, duration) worked out once. TraceQL evaluates against it; live traces, the
 * head block and flushed blocks (through their search sidecar) all produce it, so a trace's
 * answer is the same wherever it is.
 *
 * Times are unix nanoseconds as bigint where they are absolute (they pass a double's precision)
 * and as numbers where they are durations (a double holds 104 days in nanoseconds exactly).
 */

/** An attribute value; ints and doubles are both numbers (TraceQL compares them as numbers). */
export type AttributeValue = string | number | boolean;

/** Attributes of one scope (span, resource, event, link) by key. */
export type Attributes = ReadonlyMap<string, AttributeValue>;

export const EMPTY_ATTRIBUTES: Attributes = new Map();

export interface SearchEvent {
  name: string;
  /** Unix nanoseconds. */
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface SearchLink {
  /** Lowercase hex. */
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface SearchSpan {
  /** Lowercase hex, 16 digits. */
  spanId: string;
  /** Lowercase hex; '' for a root span. */
  parentSpanId: string;
  name: string;
  /** `service.name` of the span's resource; '' when absent. */
  serviceName: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  startUnixNano: bigint;
  durationNanos: number;
  /** The span's own attributes (`span.`). */
  attributes: Attributes;
  /** Its resource's attributes (`resource.`), shared by the resource's spans. */
  resource: Attributes;
  events: readonly SearchEvent[];
  links: readonly SearchLink[];
}

export interface SearchTrace {
  /** Lowercase hex, 32 digits. */
  traceId: string;
  /** Spans in any order; a span ID may appear once only. */
  spans: readonly SearchSpan[];
  /** The root span's service and name; undefined while the root span has not arrived. */
  rootServiceName: string | undefined;
  rootName: string | undefined;
  /** Earliest span start, unix nanoseconds. */
  startUnixNano: bigint;
  /** Latest span end minus earliest span start. */
  durationNanos: number;
  /**
   * Tail sampling kept it: the deciding policy and the collector's reason (`sampled`, or in a dry
   * run the reason it would have been dropped); undefined for a trace that never waited.
   */
  sampling?: TraceSampling;
}

export interface TraceSampling {
  policy: string;
  reason: string;
}

/** Tempo's placeholder for a trace whose root span has not been received. */
export const ROOT_NOT_RECEIVED = '<root span not yet received>';

/** Builds a trace's trace-level facts from its spans. */
export function searchTraceOf(
  traceId: string,
  spans: readonly SearchSpan[],
  sampling?: TraceSampling,
): SearchTrace {
  let start: bigint | undefined;
  let end: bigint | undefined;
  let root: SearchSpan | undefined;
  for (const span of spans) {
    const spanEnd = span.startUnixNano + BigInt(span.durationNanos);
    if (start === undefined || span.startUnixNano < start) start = span.startUnixNano;
    if (end === undefined || spanEnd > end) end = spanEnd;
    // The earliest parentless span is the root (a trace with several has broken instrumentation).
    if (span.parentSpanId === '' && (root === undefined || span.startUnixNano < root.startUnixNano))
      root = span;
  }
  return {
    traceId,
    spans,
    rootServiceName: root?.serviceName,
    rootName: root?.name,
    startUnixNano: start ?? 0n,
    durationNanos: start === undefined || end === undefined ? 0 : Number(end - start),
    ...(sampling ? { sampling } : {}),
  };
}
