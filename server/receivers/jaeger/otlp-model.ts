/**
 * The OTLP trace data the Jaeger translator builds, before it is encoded as an
 * `ExportTraceServiceRequest`. IDs are lowercase hex (16 bytes trace, 8 bytes span); enums are
 * their OTLP numbers; times are nanoseconds since the epoch.
 */

export type OtlpValue =
  | { string: string }
  | { bool: boolean }
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
}

export interface OtlpLink {
  traceId: string;
  spanId: string;
  attributes: OtlpKeyValue[];
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  /** Empty: a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpKeyValue[];
  events: OtlpEvent[];
  links: OtlpLink[];
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

/**
 * An attribute list with the OpenTelemetry Collector's `pcommon.Map` semantics, so translated
 * attributes come out in the Collector's order: putting an existing key replaces its value in
 * place, a new key is appended, and removing a key moves the last entry into its slot.
 */
export class AttributeMap {
  readonly entries: OtlpKeyValue[] = [];

  get(key: string): OtlpValue | undefined {
    return this.entries.find((entry) => entry.key === key)?.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** The value if it is a string, else `''` (pcommon's `Value.Str()`). */
  str(key: string): string {
    const value = this.get(key);
    return value && 'string' in value ? value.string : '';
  }

  put(key: string, value: OtlpValue): void {
    const entry = this.entries.find((e) => e.key === key);
    if (entry) entry.value = value;
    else this.entries.push({ key, value });
  }

  remove(key: string): boolean {
    const index = this.entries.findIndex((entry) => entry.key === key);
    if (index < 0) return false;
    const last = this.entries.pop() as OtlpKeyValue;
    if (index < this.entries.length) this.entries[index] = last;
    return true;
  }
}
