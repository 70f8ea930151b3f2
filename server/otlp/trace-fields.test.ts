import protobuf from 'protobufjs';
import { otlpProtoRoot } from './protobuf-root';
import { TRACE_MESSAGES, TRACES_DATA, type TraceMessage } from './trace-fields';
import { WIRE_LEN, WIRE_VARINT } from './wire';

/** protobufjs names fields in lowerCamelCase; the table keeps the .proto's snake_case. */
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** The wire type protobufjs would write a field with. */
function wireTypeOf(field: protobuf.Field): number {
  field.resolve();
  if (field.resolvedType instanceof protobuf.Type) return WIRE_LEN;
  if (field.resolvedType instanceof protobuf.Enum) return WIRE_VARINT;
  const basic = (protobuf.types.basic as Record<string, number | undefined>)[field.type];
  if (basic === undefined) throw new Error(`no wire type for ${field.fullName} (${field.type})`);
  return basic;
}

/** The table's view of a protobufjs type: field numbers and wire types by lowerCamelCase name. */
function fromProto(type: protobuf.Type) {
  return {
    field: Object.fromEntries(type.fieldsArray.map((f) => [f.name, f.id])),
    wireType: Object.fromEntries(type.fieldsArray.map((f) => [f.name, wireTypeOf(f)])),
  };
}

function fromTable(message: TraceMessage) {
  const camelKeys = (record: Readonly<Record<string, number>>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [camel(k), v]));
  return { field: camelKeys(message.field), wireType: camelKeys(message.wireType) };
}

describe('the OTLP trace field table', () => {
  const root = otlpProtoRoot();

  it.each(TRACE_MESSAGES.map((m) => [m.name, m] as const))(
    '%s has the numbers and wire types of its .proto, and every field of it',
    (_name, message) => {
      expect(fromTable(message)).toEqual(fromProto(root.lookupType(message.protoType)));
    },
  );

  it('covers every message a span is made of', () => {
    const covered = new Set(TRACE_MESSAGES.map((m) => m.protoType));
    const missing: string[] = [];
    const visit = (type: protobuf.Type) => {
      for (const field of type.fieldsArray) {
        field.resolve();
        const child = field.resolvedType;
        if (!(child instanceof protobuf.Type)) continue;
        const name = child.fullName.replace(/^\./, '');
        if (covered.has(name) || missing.includes(name)) continue;
        missing.push(name);
      }
    };
    for (const m of TRACE_MESSAGES) visit(root.lookupType(m.protoType));
    expect(missing).toEqual([]);
  });

  it('reads ExportTraceServiceRequest as TracesData', () => {
    const request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
    expect(fromProto(request)).toEqual(fromTable(TRACES_DATA));
  });

  it('precomputes each tag as field << 3 | wire type', () => {
    for (const m of TRACE_MESSAGES) {
      for (const [name, n] of Object.entries(m.field)) {
        expect(m.tag[name as keyof typeof m.tag], `${m.name}.${name}`).toBe((n << 3) | m.wireType[name]);
      }
    }
  });
});
