import type { OtlpKeyValue, OtlpResourceSpans, OtlpSpan } from './otlp-traces-model';
import { ProtoWriter } from './proto-writer';
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
} from './trace-fields';

/**
 * Translated spans (`otlp-traces-model.ts`) as the protobuf `ExportTraceServiceRequest` the
 * distributor takes (wire-identical to TracesData). Written as the Collector's pdata writes it:
 * every resource and scope, empty or not; a field holding its default (empty string, 0, an
 * absent ID) left out, except an attribute's value, a oneof member written even when zero.
 */
export function encodeExportTraceServiceRequest(resourceSpans: readonly OtlpResourceSpans[]): Buffer {
  const w = new ProtoWriter(4096);
  for (const rs of resourceSpans) {
    w.openMessage(TRACES_DATA.field.resource_spans).openMessage(RESOURCE_SPANS.field.resource);
    writeAttributes(w, RESOURCE.field.attributes, rs.resource);
    w.closeMessage();
    for (const ss of rs.scopeSpans) {
      w.openMessage(RESOURCE_SPANS.field.scope_spans).openMessage(SCOPE_SPANS.field.scope);
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
  writeCount(w, f.kind, span.kind);
  w.tag(f.start_time_unix_nano, SPAN.wireType.start_time_unix_nano).fixed64Big(span.startTimeUnixNano);
  w.tag(f.end_time_unix_nano, SPAN.wireType.end_time_unix_nano).fixed64Big(span.endTimeUnixNano);
  writeAttributes(w, f.attributes, span.attributes);
  for (const event of span.events) {
    w.openMessage(f.events);
    w.tag(SPAN_EVENT.field.time_unix_nano, SPAN_EVENT.wireType.time_unix_nano).fixed64Big(event.timeUnixNano);
    writeString(w, SPAN_EVENT.field.name, event.name);
    writeAttributes(w, SPAN_EVENT.field.attributes, event.attributes);
    writeCount(w, SPAN_EVENT.field.dropped_attributes_count, event.droppedAttributesCount);
    w.closeMessage();
  }
  for (const link of span.links) {
    w.openMessage(f.links);
    writeId(w, SPAN_LINK.field.trace_id, link.traceId);
    writeId(w, SPAN_LINK.field.span_id, link.spanId);
    writeString(w, SPAN_LINK.field.trace_state, link.traceState);
    writeAttributes(w, SPAN_LINK.field.attributes, link.attributes);
    writeCount(w, SPAN_LINK.field.dropped_attributes_count, link.droppedAttributesCount);
    w.closeMessage();
  }
  const { code, message } = span.status;
  if (code !== 0 || message !== '') {
    w.openMessage(f.status);
    writeString(w, STATUS.field.message, message);
    writeCount(w, STATUS.field.code, code);
    w.closeMessage();
  }
  w.closeMessage();
}

function writeString(w: ProtoWriter, field: number, value: string | undefined): void {
  if (value) w.stringField(field, value);
}

/** A hex ID as its bytes; `''` and an all-zero ID are absent, as the Collector's pdata writes them. */
function writeId(w: ProtoWriter, field: number, hex: string): void {
  if (!ALL_ZERO.test(hex)) w.bytesField(field, Buffer.from(hex, 'hex'));
}

const ALL_ZERO = /^0*$/;

/** A varint (an enum or a count) other than its default 0. */
function writeCount(w: ProtoWriter, field: number, n: number | undefined): void {
  if (n) w.varintField(field, n);
}

function writeAttributes(w: ProtoWriter, field: number, attributes: readonly OtlpKeyValue[]): void {
  for (const { key, value } of attributes) {
    w.openMessage(field).stringField(KEY_VALUE.field.key, key).openMessage(KEY_VALUE.field.value);
    if ('string' in value) w.stringField(ANY_VALUE.field.string_value, value.string);
    else if ('bool' in value) w.varintField(ANY_VALUE.field.bool_value, value.bool ? 1 : 0);
    else if ('int' in value)
      w.tag(ANY_VALUE.field.int_value, ANY_VALUE.wireType.int_value).varintBig(value.int);
    else if ('double' in value) w.doubleField(ANY_VALUE.field.double_value, value.double);
    else w.bytesField(ANY_VALUE.field.bytes_value, value.bytes);
    w.closeMessage().closeMessage();
  }
}
