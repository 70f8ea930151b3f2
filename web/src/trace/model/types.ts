/** OTLP `AnyValue` as the protobuf JSON mapping writes it (Tempo and OTLP JSON alike). */
export interface AnyValue {
  stringValue?: string;
  /** int64: a decimal string in proto JSON, a number in some hand-written files. */
  intValue?: string | number;
  doubleValue?: number | string;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}

export interface KeyValue {
  key: string;
  value?: AnyValue;
}

export type SpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type StatusCode = 'UNSET' | 'OK' | 'ERROR';

/** OTLP enum values by their wire number (protobuf) or index (JSON with enum ints). */
export const SPAN_KINDS: readonly SpanKind[] = [
  'UNSPECIFIED',
  'INTERNAL',
  'SERVER',
  'CLIENT',
  'PRODUCER',
  'CONSUMER',
];
export const STATUS_CODES: readonly StatusCode[] = ['UNSET', 'OK', 'ERROR'];

export interface SpanEvent {
  /** Nanoseconds since the trace's time base (see `ParsedTrace.baseSec`). */
  timeNs: number;
  name: string;
  attributes: KeyValue[];
}

export interface SpanLink {
  /** Lowercase hex. */
  traceId: string;
  spanId: string;
  attributes: KeyValue[];
}

export interface Resource {
  serviceName: string;
  attributes: KeyValue[];
}

export interface Scope {
  name: string;
  version: string;
}

/** One span, normalised from any supported JSON shape. Immutable once parsed. */
export interface Span {
  /** Lowercase hex IDs; `parentSpanId` is '' for a root. */
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: SpanKind;
  statusCode: StatusCode;
  statusMessage: string;
  /** Nanoseconds since the trace's time base: exact for any realistic trace. */
  startNs: number;
  durationNs: number;
  attributes: KeyValue[];
  events: SpanEvent[];
  links: SpanLink[];
  /** Shared by every span of the same resource. */
  resource: Resource;
  scope: Scope;
}

/** Spans as they arrived, before any tree is built. */
export interface ParsedTrace {
  traceId: string;
  /**
   * Whole seconds since the Unix epoch that every `*Ns` time is relative to. Nanosecond
   * timestamps (~1.7e18) do not fit a double exactly; offsets from a nearby base do.
   */
  baseSec: number;
  spans: Span[];
  /** Set when the server says the trace is incomplete (Tempo's `status: PARTIAL`). */
  partialMessage?: string;
  /** Loupe's tail sampling kept it: by which policy, and the collector's reason. */
  sampling?: TraceSampling;
  /** Where the trace came from, for the header. */
  format: 'tempo' | 'otlp' | 'jaeger';
}

/** Which tail-sampling policy kept a trace (Loupe stores it with the trace; see server/otlp/sampling-note.ts). */
export interface TraceSampling {
  policy: string;
  /** `sampled`, `inverted-sampled`; in a dry run, why the policies would have dropped it. */
  reason: string;
}
