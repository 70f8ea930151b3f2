/**
 * OTLP traces as a translator from a foreign span format (Zipkin, Jaeger) builds them, before
 * `encodeExportTraceServiceRequest` writes them as the request the distributor takes: the subset of
 * `trace/v1/trace.proto` such a format can carry. IDs are lowercase hex, `''` when absent (an
 * all-zero ID is written as absent too: `encodeExportTraceServiceRequest`); enums are their OTLP numbers; times are nanoseconds
 * since the epoch.
 */

export type OtlpValue =
  | { string: string }
  | { bool: boolean }
  /** int64. */
  | { int: bigint }
  | { double: number }
  | { bytes: Uint8Array };

export interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}

/** OTLP `Span.SpanKind`. */
export const SpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** OTLP `Status.StatusCode`. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export interface OtlpEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: OtlpKeyValue[];
  /** Absent: 0. */
  droppedAttributesCount?: number;
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  /** Absent: none. */
  traceState?: string;
  attributes: OtlpKeyValue[];
  /** Absent: 0. */
  droppedAttributesCount?: number;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Empty: a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  /** `SpanKind`. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  links: OtlpLink[];
  /** `code` is a `StatusCode`. */
  status: { code: number; message: string };
}

export interface OtlpScopeSpans {
  scope: { name: string; version: string };
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource: OtlpKeyValue[];
  scopeSpans: OtlpScopeSpans[];
}

/** Spans in the translated data: none, and there is nothing to push. */
export function countSpans(resourceSpans: readonly OtlpResourceSpans[]): number {
  let spans = 0;
  for (const rs of resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
  return spans;
}

const hex64 = (value: bigint): string => value.toString(16).padStart(16, '0');

/** A 128-bit trace ID from its two unsigned 64-bit halves (a 64-bit one has `high` 0). */
export const traceIdHex = (high: bigint, low: bigint): string => hex64(high) + hex64(low);

/** A span ID from its unsigned 64-bit value. */
export const spanIdHex = (id: bigint): string => hex64(id);

/**
 * An attribute list with the OpenTelemetry Collector's `pcommon.Map` semantics, so translated
 * attributes come out in the Collector's order: putting an existing key replaces its value in
 * place, a new key is appended, and removing a key moves the last entry into its slot. Keys are
 * indexed, so a span with thousands of tags costs no more than one lookup per tag.
 */
export class AttributeMap {
  readonly entries: OtlpKeyValue[] = [];
  private readonly slots = new Map<string, number>();

  get(key: string): OtlpValue | undefined {
    const slot = this.slots.get(key);
    return slot === undefined ? undefined : this.entries[slot].value;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** The value if it is a string, else `''` (pcommon's `Value.Str()`). */
  str(key: string): string {
    const value = this.get(key);
    return value && 'string' in value ? value.string : '';
  }

  put(key: string, value: OtlpValue): void {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.entries[slot] = { key, value };
      return;
    }
    this.slots.set(key, this.entries.length);
    this.entries.push({ key, value });
  }

  remove(key: string): boolean {
    const slot = this.slots.get(key);
    if (slot === undefined) return false;
    this.slots.delete(key);
    const last = this.entries.pop() as OtlpKeyValue;
    if (slot < this.entries.length) {
      this.entries[slot] = last;
      this.slots.set(last.key, slot);
    }
    return true;
  }
}
