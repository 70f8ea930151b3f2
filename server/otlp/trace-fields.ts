import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire';

/**
 * The one spelling of the OTLP trace wire: every message a trace holds, with each field's number
 * and wire type as declared in opentelemetry-proto (`trace/v1/trace.proto`,
 * `common/v1/common.proto`, `resource/v1/resource.proto`). The readers (splitter, schema check,
 * combiner, span visitor, Tempo JSON) take their numbers and tags from here;
 * `trace-fields.test.ts` holds the table against the .proto files protobufjs loads.
 *
 * Field names are the .proto's own (snake_case). Hot paths copy the tags they switch on into
 * module-level constants (`const TAG_X = SPAN.tag.x`): an imported object's property is a load
 * per use, a local constant is not.
 */
export interface TraceMessage<F extends string = string> {
  /** As in messages and errors: `Span`, `Span.Event`. */
  readonly name: string;
  /** Fully qualified protobuf type name. */
  readonly protoType: string;
  /** Field numbers by field name. */
  readonly field: Readonly<Record<F, number>>;
  readonly wireType: Readonly<Record<F, number>>;
  /** `field << 3 | wire type`: the value `ProtoReader.tag` returns for the field. */
  readonly tag: Readonly<Record<F, number>>;
}

type FieldSpec = readonly [fieldNumber: number, wireType: number];

function message<F extends string>(
  name: string,
  protoType: string,
  spec: Readonly<Record<F, FieldSpec>>,
): TraceMessage<F> {
  const field = {} as Record<F, number>;
  const wireType = {} as Record<F, number>;
  const tag = {} as Record<F, number>;
  for (const key of Object.keys(spec) as F[]) {
    const [n, w] = spec[key];
    field[key] = n;
    wireType[key] = w;
    tag[key] = n * 8 + w;
  }
  return Object.freeze({
    name,
    protoType,
    field: Object.freeze(field),
    wireType: Object.freeze(wireType),
    tag: Object.freeze(tag),
  });
}

const TRACE = 'opentelemetry.proto.trace.v1';
const COMMON = 'opentelemetry.proto.common.v1';

/** TracesData; ExportTraceServiceRequest has the same one field. */
export const TRACES_DATA = message('TracesData', `${TRACE}.TracesData`, {
  resource_spans: [1, WIRE_LEN],
});

export const RESOURCE_SPANS = message('ResourceSpans', `${TRACE}.ResourceSpans`, {
  resource: [1, WIRE_LEN],
  scope_spans: [2, WIRE_LEN],
  schema_url: [3, WIRE_LEN],
});

export const SCOPE_SPANS = message('ScopeSpans', `${TRACE}.ScopeSpans`, {
  scope: [1, WIRE_LEN],
  spans: [2, WIRE_LEN],
  schema_url: [3, WIRE_LEN],
});

export const SPAN = message('Span', `${TRACE}.Span`, {
  trace_id: [1, WIRE_LEN],
  span_id: [2, WIRE_LEN],
  trace_state: [3, WIRE_LEN],
  parent_span_id: [4, WIRE_LEN],
  name: [5, WIRE_LEN],
  kind: [6, WIRE_VARINT],
  start_time_unix_nano: [7, WIRE_FIXED64],
  end_time_unix_nano: [8, WIRE_FIXED64],
  attributes: [9, WIRE_LEN],
  dropped_attributes_count: [10, WIRE_VARINT],
  events: [11, WIRE_LEN],
  dropped_events_count: [12, WIRE_VARINT],
  links: [13, WIRE_LEN],
  dropped_links_count: [14, WIRE_VARINT],
  status: [15, WIRE_LEN],
  // The one field past 15: its tag takes two bytes on the wire (0x85 0x01).
  flags: [16, WIRE_FIXED32],
});

export const SPAN_EVENT = message('Span.Event', `${TRACE}.Span.Event`, {
  time_unix_nano: [1, WIRE_FIXED64],
  name: [2, WIRE_LEN],
  attributes: [3, WIRE_LEN],
  dropped_attributes_count: [4, WIRE_VARINT],
});

export const SPAN_LINK = message('Span.Link', `${TRACE}.Span.Link`, {
  trace_id: [1, WIRE_LEN],
  span_id: [2, WIRE_LEN],
  trace_state: [3, WIRE_LEN],
  attributes: [4, WIRE_LEN],
  dropped_attributes_count: [5, WIRE_VARINT],
  flags: [6, WIRE_FIXED32],
});

/** Field 1 is reserved. */
export const STATUS = message('Status', `${TRACE}.Status`, {
  message: [2, WIRE_LEN],
  code: [3, WIRE_VARINT],
});

export const RESOURCE = message('Resource', 'opentelemetry.proto.resource.v1.Resource', {
  attributes: [1, WIRE_LEN],
  dropped_attributes_count: [2, WIRE_VARINT],
  entity_refs: [3, WIRE_LEN],
});

export const INSTRUMENTATION_SCOPE = message('InstrumentationScope', `${COMMON}.InstrumentationScope`, {
  name: [1, WIRE_LEN],
  version: [2, WIRE_LEN],
  attributes: [3, WIRE_LEN],
  dropped_attributes_count: [4, WIRE_VARINT],
});

export const ENTITY_REF = message('EntityRef', `${COMMON}.EntityRef`, {
  schema_url: [1, WIRE_LEN],
  type: [2, WIRE_LEN],
  id_keys: [3, WIRE_LEN],
  description_keys: [4, WIRE_LEN],
});

export const KEY_VALUE = message('KeyValue', `${COMMON}.KeyValue`, {
  key: [1, WIRE_LEN],
  value: [2, WIRE_LEN],
});

/** A oneof: the field present says the value's type (none: an empty value). */
export const ANY_VALUE = message('AnyValue', `${COMMON}.AnyValue`, {
  string_value: [1, WIRE_LEN],
  bool_value: [2, WIRE_VARINT],
  int_value: [3, WIRE_VARINT],
  double_value: [4, WIRE_FIXED64],
  array_value: [5, WIRE_LEN],
  kvlist_value: [6, WIRE_LEN],
  bytes_value: [7, WIRE_LEN],
});

export const ARRAY_VALUE = message('ArrayValue', `${COMMON}.ArrayValue`, {
  values: [1, WIRE_LEN],
});

export const KEY_VALUE_LIST = message('KeyValueList', `${COMMON}.KeyValueList`, {
  values: [1, WIRE_LEN],
});

/** Every message above, for the test that holds them against the .proto files. */
export const TRACE_MESSAGES: readonly TraceMessage[] = [
  TRACES_DATA,
  RESOURCE_SPANS,
  SCOPE_SPANS,
  SPAN,
  SPAN_EVENT,
  SPAN_LINK,
  STATUS,
  RESOURCE,
  INSTRUMENTATION_SCOPE,
  ENTITY_REF,
  KEY_VALUE,
  ANY_VALUE,
  ARRAY_VALUE,
  KEY_VALUE_LIST,
];
