import { ProtoWriter } from '../../otlp/proto-writer';
import {
  ANY_VALUE,
  INSTRUMENTATION_SCOPE,
  KEY_VALUE,
  RESOURCE,
  RESOURCE_SPANS,
  SCOPE_SPANS,
  SPAN,
  SPAN_EVENT,
  SPAN_LINK,
  STATUS,
  TRACES_DATA,
} from '../../otlp/trace-fields';

/**
 * OTLP traces as a translator builds them (a subset of the proto: what a foreign span format can
 * carry), and their encoding as an ExportTraceServiceRequest, the body the distributor takes.
 * IDs are bytes; an all-zero ID is written as absent, as the Collector's pdata does.
 */
export type OtlpValue =
  | { string: string }
  | { bool: boolean }
  /** int64. */
  | { int: bigint }
  | { double: number };

/** Attributes in insertion order; setting a key again replaces its value in place (pdata's `Put`). */
export type OtlpAttributes = Map<string, OtlpValue>;

export interface OtlpEvent {
  timeUnixNano: bigint;
  name: string;
  attributes: OtlpAttributes;
  droppedAttributesCount: number;
}

export interface OtlpLink {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  attributes: OtlpAttributes;
  droppedAttributesCount: number;
}

export interface OtlpSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  traceState: string;
  parentSpanId: Uint8Array;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  attributes: OtlpAttributes;
  events: OtlpEvent[];
  links: OtlpLink[];
  /** Status.code: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

export interface OtlpScopeSpans {
  scope: { name: string; version: string };
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  resource: OtlpAttributes;
  scopeSpans: OtlpScopeSpans[];
}

export function countSpans(resourceSpans: readonly OtlpResourceSpans[]): number {
  let n = 0;
  for (const rs of resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}

/** The ExportTraceServiceRequest (wire-identical to TracesData) holding `resourceSpans`. */
export function encodeExportTraceRequest(resourceSpans: readonly OtlpResourceSpans[]): Buffer {
  const w = new ProtoWriter(1024);
  for (const rs of resourceSpans) {
    w.openMessage(TRACES_DATA.field.resource_spans);
    // pdata always writes the resource and the scope, empty or not.
    w.openMessage(RESOURCE_SPANS.field.resource);
    writeAttributes(w, RESOURCE.field.attributes, rs.resource);
    w.closeMessage();
    for (const ss of rs.scopeSpans) {
      w.openMessage(RESOURCE_SPANS.field.scope_spans);
      w.openMessage(SCOPE_SPANS.field.scope);
      writeString(w, INSTRUMENTATION_SCOPE.field.name, ss.scope.name);
      writeString(w, INSTRUMENTATION_SCOPE.field.version, ss.scope.version);
      w.closeMessage();
      for (const span of ss.spans) writeSpan(w, span);
      w.closeMessage();
    }
    w.closeMessage();
  }
  return w.finish();
}

function writeSpan(w: ProtoWriter, span: OtlpSpan): void {
  const f = SPAN.field;
  w.openMessage(SCOPE_SPANS.field.spans);
  writeId(w, f.trace_id, span.traceId);
  writeId(w, f.span_id, span.spanId);
  writeString(w, f.trace_state, span.traceState);
  writeId(w, f.parent_span_id, span.parentSpanId);
  writeString(w, f.name, span.name);
  if (span.kind !== 0) w.varintField(f.kind, span.kind);
  w.tag(f.start_time_unix_nano, SPAN.wireType.start_time_unix_nano).fixed64Big(span.startTimeUnixNano);
  w.tag(f.end_time_unix_nano, SPAN.wireType.end_time_unix_nano).fixed64Big(span.endTimeUnixNano);
  writeAttributes(w, f.attributes, span.attributes);
  for (const event of span.events) {
    w.openMessage(f.events);
    w.tag(SPAN_EVENT.field.time_unix_nano, SPAN_EVENT.wireType.time_unix_nano).fixed64Big(event.timeUnixNano);
    writeString(w, SPAN_EVENT.field.name, event.name);
    writeAttributes(w, SPAN_EVENT.field.attributes, event.attributes);
    if (event.droppedAttributesCount > 0)
      w.varintField(SPAN_EVENT.field.dropped_attributes_count, event.droppedAttributesCount);
    w.closeMessage();
  }
  for (const link of span.links) {
    w.openMessage(f.links);
    writeId(w, SPAN_LINK.field.trace_id, link.traceId);
    writeId(w, SPAN_LINK.field.span_id, link.spanId);
    writeString(w, SPAN_LINK.field.trace_state, link.traceState);
    writeAttributes(w, SPAN_LINK.field.attributes, link.attributes);
    if (link.droppedAttributesCount > 0)
      w.varintField(SPAN_LINK.field.dropped_attributes_count, link.droppedAttributesCount);
    w.closeMessage();
  }
  if (span.status.code !== 0 || span.status.message !== '') {
    w.openMessage(f.status);
    writeString(w, STATUS.field.message, span.status.message);
    if (span.status.code !== 0) w.varintField(STATUS.field.code, span.status.code);
    w.closeMessage();
  }
  w.closeMessage();
}

function writeString(w: ProtoWriter, field: number, value: string): void {
  if (value !== '') w.stringField(field, value);
}

function writeId(w: ProtoWriter, field: number, id: Uint8Array): void {
  if (id.some((b) => b !== 0)) w.bytesField(field, id);
}

function writeAttributes(w: ProtoWriter, field: number, attributes: OtlpAttributes): void {
  for (const [key, value] of attributes) {
    w.openMessage(field);
    w.stringField(KEY_VALUE.field.key, key);
    w.openMessage(KEY_VALUE.field.value);
    if ('string' in value) w.stringField(ANY_VALUE.field.string_value, value.string);
    else if ('bool' in value) w.varintField(ANY_VALUE.field.bool_value, value.bool ? 1 : 0);
    else if ('int' in value)
      w.tag(ANY_VALUE.field.int_value, ANY_VALUE.wireType.int_value).varintBig(value.int);
    else w.tag(ANY_VALUE.field.double_value, ANY_VALUE.wireType.double_value).double(value.double);
    w.closeMessage();
    w.closeMessage();
  }
}
