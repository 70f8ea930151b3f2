/**
 * Reads traces in Tempo's JSON form: the standard protobuf JSON mapping of OTLP (IDs base64,
 * enums by name, 64-bit integers as strings, zero values omitted). Anything else (hex IDs, enum
 * numbers, int64 as JSON numbers) fails loudly, since Grafana would misread it. A protobuf
 * message turned into an object with `toObject(msg, { longs: String, enums: String, bytes: String })`
 * has the same shape and goes through the same reader.
 */

export type TypedValue =
  | { string: string }
  | { bool: boolean }
  | { int: string }
  | { double: number }
  | { array: TypedValue[] }
  | { kvlist: [string, TypedValue][] }
  | { bytes: string };

export interface FlatEvent {
  name: string;
  timeUnixNano: string;
  attributes: Record<string, TypedValue>;
}

export interface FlatLink {
  traceId: string;
  spanId: string;
  attributes: Record<string, TypedValue>;
}

/** One span with its resource and scope, IDs in lowercase hex. */
export interface FlatSpan {
  service: string;
  resource: Record<string, TypedValue>;
  scope: { name: string; version: string };
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, TypedValue>;
  events: FlatEvent[];
  links: FlatLink[];
  status: { code: string; message: string };
}

type Json = Record<string, unknown>;

function fail(what: string, value: unknown): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

function asObject(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(what, value);
  return value as Json;
}

function asArray(value: unknown, what: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(what, value);
  return value;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A base64 ID of exactly `bytes` bytes, as lowercase hex. Hex input is refused. */
export function base64Id(value: unknown, bytes: number, what: string): string {
  if (typeof value !== 'string' || !BASE64.test(value)) fail(`${what} (want base64)`, value);
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length !== bytes || decoded.toString('base64') !== value)
    fail(`${what} (want ${bytes} bytes)`, value);
  return decoded.toString('hex');
}

function int64String(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) fail(`${what} (want an int64 as a string)`, value);
  return value;
}

function typedValue(raw: unknown): TypedValue {
  const value = asObject(raw ?? {}, 'AnyValue');
  if ('stringValue' in value) return { string: String(value.stringValue) };
  if ('boolValue' in value) {
    if (typeof value.boolValue !== 'boolean') fail('boolValue', value.boolValue);
    return { bool: value.boolValue };
  }
  if ('intValue' in value) return { int: int64String(value.intValue, 'intValue') };
  if ('doubleValue' in value) {
    if (typeof value.doubleValue !== 'number') fail('doubleValue', value.doubleValue);
    return { double: value.doubleValue };
  }
  if ('arrayValue' in value) {
    const values = asArray(asObject(value.arrayValue, 'arrayValue').values, 'arrayValue.values');
    return { array: values.map(typedValue) };
  }
  if ('kvlistValue' in value) {
    const values = asArray(asObject(value.kvlistValue, 'kvlistValue').values, 'kvlistValue.values');
    return {
      kvlist: values.map((kv) => [
        String(asObject(kv, 'KeyValue').key),
        typedValue(asObject(kv, 'KeyValue').value),
      ]),
    };
  }
  if ('bytesValue' in value) return { bytes: String(value.bytesValue) };
  // An empty AnyValue is legal (an unset value); keep it visible in comparisons.
  return { string: '<empty AnyValue>' };
}

function attributes(raw: unknown): Record<string, TypedValue> {
  const out: Record<string, TypedValue> = {};
  for (const kv of asArray(raw, 'attributes')) {
    const { key, value } = asObject(kv, 'KeyValue');
    if (typeof key !== 'string') fail('attribute key', key);
    out[key] = typedValue(value);
  }
  return out;
}

function enumName(value: unknown, prefix: string, zero: string): string {
  if (value === undefined) return zero;
  if (typeof value !== 'string' || !value.startsWith(prefix)) fail(`enum (want a ${prefix}* name)`, value);
  return value;
}

/** Flattens `resourceSpans` (v1 `batches` or v2 `trace.resourceSpans`) into spans sorted by span ID. */
export function flattenResourceSpans(resourceSpans: unknown): FlatSpan[] {
  const spans: FlatSpan[] = [];
  for (const rawRs of asArray(resourceSpans, 'resourceSpans')) {
    const rs = asObject(rawRs, 'ResourceSpans');
    if ('instrumentationLibrarySpans' in rs) fail('ResourceSpans (pre-1.0 field name)', Object.keys(rs));
    const resource = attributes(asObject(rs.resource ?? {}, 'Resource').attributes);
    const serviceValue = resource['service.name'];
    const service = serviceValue && 'string' in serviceValue ? serviceValue.string : '';
    for (const rawSs of asArray(rs.scopeSpans, 'scopeSpans')) {
      const ss = asObject(rawSs, 'ScopeSpans');
      const scopeObj = asObject(ss.scope ?? {}, 'InstrumentationScope');
      const scope = { name: String(scopeObj.name ?? ''), version: String(scopeObj.version ?? '') };
      for (const rawSpan of asArray(ss.spans, 'spans')) {
        const span = asObject(rawSpan, 'Span');
        const status = asObject(span.status ?? {}, 'Status');
        spans.push({
          service,
          resource,
          scope,
          traceId: base64Id(span.traceId, 16, 'traceId'),
          spanId: base64Id(span.spanId, 8, 'spanId'),
          parentSpanId:
            span.parentSpanId === undefined || span.parentSpanId === ''
              ? ''
              : base64Id(span.parentSpanId, 8, 'parentSpanId'),
          name: String(span.name ?? ''),
          kind: enumName(span.kind, 'SPAN_KIND_', 'SPAN_KIND_UNSPECIFIED'),
          startTimeUnixNano: int64String(span.startTimeUnixNano, 'startTimeUnixNano'),
          endTimeUnixNano: int64String(span.endTimeUnixNano, 'endTimeUnixNano'),
          attributes: attributes(span.attributes),
          events: asArray(span.events, 'events').map((raw) => {
            const event = asObject(raw, 'Event');
            return {
              name: String(event.name ?? ''),
              timeUnixNano: int64String(event.timeUnixNano, 'event timeUnixNano'),
              attributes: attributes(event.attributes),
            };
          }),
          links: asArray(span.links, 'links').map((raw) => {
            const link = asObject(raw, 'Link');
            return {
              traceId: base64Id(link.traceId, 16, 'link traceId'),
              spanId: base64Id(link.spanId, 8, 'link spanId'),
              attributes: attributes(link.attributes),
            };
          }),
          status: {
            code: enumName(status.code, 'STATUS_CODE_', 'STATUS_CODE_UNSET'),
            message: String(status.message ?? ''),
          },
        });
      }
    }
  }
  return spans.sort((a, b) => a.spanId.localeCompare(b.spanId));
}

/** Span IDs (hex) of a flattened trace, sorted. */
export function spanIdsOf(spans: FlatSpan[]): string[] {
  return spans.map((s) => s.spanId).sort();
}
