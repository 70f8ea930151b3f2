import protobuf from 'protobufjs';
import { OtlpDecodeError } from './errors';
import { ProtoWriter } from './proto-writer';
import { otlpProtoTypes } from './protobuf-root';
import { MAX_NESTING } from './trace-schema';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire';

export type OtlpSignal = 'traces' | 'logs' | 'metrics';

/** OTLP/JSON writes these as hex strings, unlike every other bytes field (base64). */
const HEX_ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const INTEGER = /^-?\d+$/;

const RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/**
 * OTLP/JSON (an ExportTraceServiceRequest, or the logs/metrics one) to its protobuf encoding,
 * so JSON requests take the same path as protobuf ones. Follows the OTLP/JSON rules: field
 * names in lowerCamelCase (snake_case accepted too), trace and span IDs in hex, other bytes in
 * base64, enums as integers or names, 64-bit integers as numbers or decimal strings, unknown
 * fields ignored. An ID that is not hex becomes an empty ID, so that only its span is
 * rejected. Anything else that does not fit throws `OtlpDecodeError` naming the field, as does
 * nesting deeper than the protobuf path allows (`MAX_NESTING` messages, counted from the request).
 */
export function otlpJsonToProtobuf(text: string, signal: OtlpSignal): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(describeJsonError(err as Error, text));
  }
  const types = otlpProtoTypes();
  const type =
    signal === 'traces'
      ? types.ExportTraceServiceRequest
      : signal === 'logs'
        ? types.ExportLogsServiceRequest
        : types.ExportMetricsServiceRequest;
  const w = new ProtoWriter(Math.max(256, text.length >> 1));
  writeFields(w, type, parsed, '', 0);
  return w.finish();
}

function describeJsonError(err: Error, text: string): string {
  const position = /at position (\d+)/.exec(err.message);
  if (position)
    return `invalid JSON at position ${position[1]}: ${err.message.replace(/ in JSON at position \d+.*$/, '')}`;
  if (/end of JSON input/.test(err.message))
    return `invalid JSON at position ${text.length}: unexpected end of input`;
  return `invalid JSON: ${err.message}`;
}

function fail(path: string, problem: string): never {
  throw new OtlpDecodeError(`${path} ${problem}`);
}

const fieldMaps = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

/** A type's fields by lowerCamelCase and snake_case name. */
function fieldsOf(type: protobuf.Type): Map<string, protobuf.Field> {
  let fields = fieldMaps.get(type);
  if (!fields) {
    fields = new Map();
    for (const field of type.fieldsArray) {
      fields.set(field.name, field);
      fields.set(
        field.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
        field,
      );
    }
    fieldMaps.set(type, fields);
  }
  return fields;
}

/** The first characters of a path that may be as deep as the limit, which is enough to find it. */
const SHOWN_PATH_CHARS = 160;

/**
 * Writes one message. `depth` counts the messages around it (0 for the request), as the protobuf
 * check does, so that both encodings refuse the same requests and the recursion stays shallow.
 */
function writeFields(w: ProtoWriter, type: protobuf.Type, value: unknown, path: string, depth: number): void {
  if (depth > MAX_NESTING) {
    const shown = path.length > SHOWN_PATH_CHARS ? `${path.slice(0, SHOWN_PATH_CHARS)}…` : path;
    throw new OtlpDecodeError(
      `${type.name} at ${shown} is nested more than ${MAX_NESTING} levels deep (messages within messages, counted from the request); send a flatter value`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(path || 'the request body', 'must be a JSON object');
  }
  const fields = fieldsOf(type);
  for (const [key, v] of Object.entries(value)) {
    const field = fields.get(key);
    if (!field || v === null || v === undefined) continue;
    const fieldPath = path ? `${path}.${key}` : key;
    if (field.repeated) {
      if (!Array.isArray(v)) fail(fieldPath, 'must be an array');
      for (let i = 0; i < v.length; i++) writeField(w, field, v[i], `${fieldPath}[${i}]`, depth);
    } else writeField(w, field, v, fieldPath, depth);
  }
}

function writeField(w: ProtoWriter, field: protobuf.Field, v: unknown, path: string, depth: number): void {
  const id = field.id;
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    w.openMessage(id);
    writeFields(w, resolved, v, path, depth + 1);
    w.closeMessage();
    return;
  }
  if (resolved instanceof protobuf.Enum) {
    w.tag(id, WIRE_VARINT).int32(enumValue(resolved, v, path));
    return;
  }
  switch (field.type) {
    case 'string':
      if (typeof v !== 'string') fail(path, 'must be a string');
      w.tag(id, WIRE_LEN).string(v);
      return;
    case 'bytes':
      if (typeof v !== 'string') fail(path, 'must be a string');
      w.tag(id, WIRE_LEN).bytes(HEX_ID_FIELDS.has(field.name) ? hexId(v) : base64(v, path));
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(path, 'must be true or false');
      w.tag(id, WIRE_VARINT).varint(v ? 1 : 0);
      return;
    case 'double':
      w.tag(id, WIRE_FIXED64).double(toDouble(v, path));
      return;
    case 'float':
      w.tag(id, WIRE_FIXED32).float(toDouble(v, path));
      return;
    case 'int32':
      w.tag(id, WIRE_VARINT).int32(Number(toInteger(v, path, 'int32')));
      return;
    case 'uint32':
      w.tag(id, WIRE_VARINT).varint(Number(toInteger(v, path, 'uint32')));
      return;
    case 'sint32':
      w.tag(id, WIRE_VARINT).sint32(Number(toInteger(v, path, 'sint32')));
      return;
    case 'fixed32':
    case 'sfixed32':
      w.tag(id, WIRE_FIXED32).fixed32(Number(toInteger(v, path, field.type)));
      return;
    case 'int64':
    case 'uint64':
      w.tag(id, WIRE_VARINT).varintBig(toInteger(v, path, field.type));
      return;
    case 'sint64':
      w.tag(id, WIRE_VARINT).sint64(toInteger(v, path, 'sint64'));
      return;
    case 'fixed64':
    case 'sfixed64':
      w.tag(id, WIRE_FIXED64).fixed64Big(toInteger(v, path, field.type));
      return;
    default:
      fail(path, `has an unsupported type ${field.type}`);
  }
}

function enumValue(type: protobuf.Enum, v: unknown, path: string): number {
  if (typeof v === 'string' && Object.hasOwn(type.values, v)) return type.values[v];
  if ((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && INTEGER.test(v))) {
    // Enums are int32 on the wire: a larger number would not fit the varint written for it.
    return Number(toInteger(v, path, 'int32'));
  }
  return fail(path, `must be an integer or one of ${Object.keys(type.values).join(', ')}`);
}

function toInteger(v: unknown, path: string, type: string): bigint {
  let n: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && INTEGER.test(v)) {
    // No 64-bit integer has more than 20 digits; BigInt would take seconds over millions of them.
    if (v.length > 20 && v.replace(/^-?0*/, '').length > 20) return fail(path, `is out of range for ${type}`);
    n = BigInt(v);
  } else return fail(path, 'must be an integer (a JSON number or a decimal string)');
  const [min, max] = RANGES[type];
  if (n < min || n > max) fail(path, `is out of range for ${type}`);
  return n;
}

function toDouble(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return Number.NaN;
    if (v === 'Infinity') return Number.POSITIVE_INFINITY;
    if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  return fail(path, 'must be a number');
}

/** Not hex (or an odd length) gives an empty ID, which the splitter rejects with its span. */
function hexId(v: string): Buffer {
  return v.length % 2 === 0 && HEX.test(v) ? Buffer.from(v, 'hex') : Buffer.alloc(0);
}

function base64(v: string, path: string): Buffer {
  if (!BASE64.test(v)) fail(path, 'must be base64');
  return Buffer.from(v, 'base64');
}
