import { ProtoWriter } from '../../otlp/proto-writer';
import { WIRE_VARINT } from '../../otlp/wire';
import type { OtlpKeyValue, OtlpResourceSpans, OtlpSpan } from './otlp-model';

/**
 * Field numbers of the OTLP messages written here (opentelemetry-proto `trace/v1/trace.proto`,
 * `common/v1/common.proto`, `collector/trace/v1/trace_service.proto`).
 */
const F = {
  request: { resourceSpans: 1 },
  resourceSpans: { resource: 1, scopeSpans: 2 },
  resource: { attributes: 1 },
  scopeSpans: { scope: 1, spans: 2 },
  scope: { name: 1, version: 2 },
  span: {
    traceId: 1,
    spanId: 2,
    traceState: 3,
    parentSpanId: 4,
    name: 5,
    kind: 6,
    start: 7,
    end: 8,
    attributes: 9,
    events: 11,
    links: 13,
    status: 15,
  },
  event: { time: 1, name: 2, attributes: 3 },
  link: { traceId: 1, spanId: 2, attributes: 4 },
  status: { message: 2, code: 3 },
  keyValue: { key: 1, value: 2 },
  anyValue: { string: 1, bool: 2, int: 3, double: 4, bytes: 7 },
} as const;

const TWO_POW_32 = 0x1_0000_0000n;

function fixed64(w: ProtoWriter, field: number, value: bigint): void {
  const v = BigInt.asUintN(64, value);
  w.fixed64Field(field, Number(v % TWO_POW_32), Number(v / TWO_POW_32));
}

function keyValue(w: ProtoWriter, field: number, kv: OtlpKeyValue): void {
  w.openMessage(field).stringField(F.keyValue.key, kv.key).openMessage(F.keyValue.value);
  const v = kv.value;
  // A oneof member is written even when it holds its zero value.
  if ('string' in v) w.stringField(F.anyValue.string, v.string);
  else if ('bool' in v) w.varintField(F.anyValue.bool, v.bool ? 1 : 0);
  else if ('int' in v) w.tag(F.anyValue.int, WIRE_VARINT).varintBig(v.int);
  else if ('double' in v) w.doubleField(F.anyValue.double, v.double);
  else w.bytesField(F.anyValue.bytes, v.bytes);
  w.closeMessage().closeMessage();
}

const idBytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

function span(w: ProtoWriter, s: OtlpSpan): void {
  const f = F.span;
  w.openMessage(F.scopeSpans.spans);
  w.bytesField(f.traceId, idBytes(s.traceId)).bytesField(f.spanId, idBytes(s.spanId));
  if (s.traceState) w.stringField(f.traceState, s.traceState);
  if (s.parentSpanId) w.bytesField(f.parentSpanId, idBytes(s.parentSpanId));
  if (s.name) w.stringField(f.name, s.name);
  if (s.kind) w.varintField(f.kind, s.kind);
  fixed64(w, f.start, s.startTimeUnixNano);
  fixed64(w, f.end, s.endTimeUnixNano);
  for (const kv of s.attributes) keyValue(w, f.attributes, kv);
  for (const event of s.events) {
    w.openMessage(f.events);
    fixed64(w, F.event.time, event.timeUnixNano);
    if (event.name) w.stringField(F.event.name, event.name);
    for (const kv of event.attributes) keyValue(w, F.event.attributes, kv);
    w.closeMessage();
  }
  for (const link of s.links) {
    w.openMessage(f.links);
    w.bytesField(F.link.traceId, idBytes(link.traceId)).bytesField(F.link.spanId, idBytes(link.spanId));
    for (const kv of link.attributes) keyValue(w, F.link.attributes, kv);
    w.closeMessage();
  }
  if (s.status.code || s.status.message) {
    w.openMessage(f.status);
    if (s.status.message) w.stringField(F.status.message, s.status.message);
    if (s.status.code) w.varintField(F.status.code, s.status.code);
    w.closeMessage();
  }
  w.closeMessage();
}

/** The translated data as the protobuf `ExportTraceServiceRequest` the distributor takes. */
export function encodeExportTraceServiceRequest(resourceSpans: readonly OtlpResourceSpans[]): Buffer {
  const w = new ProtoWriter(4096);
  for (const rs of resourceSpans) {
    w.openMessage(F.request.resourceSpans).openMessage(F.resourceSpans.resource);
    for (const kv of rs.resource) keyValue(w, F.resource.attributes, kv);
    w.closeMessage();
    for (const scopeSpans of rs.scopeSpans) {
      w.openMessage(F.resourceSpans.scopeSpans).openMessage(F.scopeSpans.scope);
      if (scopeSpans.scope.name) w.stringField(F.scope.name, scopeSpans.scope.name);
      if (scopeSpans.scope.version) w.stringField(F.scope.version, scopeSpans.scope.version);
      w.closeMessage();
      for (const s of scopeSpans.spans) span(w, s);
      w.closeMessage();
    }
    w.closeMessage();
  }
  return w.finish();
}

/** Spans in the translated data: none, and there is nothing to push. */
export function countSpans(resourceSpans: readonly OtlpResourceSpans[]): number {
  let spans = 0;
  for (const rs of resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
  return spans;
}
