import { JaegerDecodeError } from './jaeger-decode-error';
import type {
  JaegerBatch,
  JaegerLog,
  JaegerProcess,
  JaegerSpan,
  JaegerSpanRef,
  JaegerTag,
  JaegerTagValue,
} from './jaeger-model';
import { ThriftBinaryReader, ThriftReadError, ThriftType, thriftTypeName } from './thrift-binary-reader';

/**
 * Decodes a `jaeger.thrift` `Batch` in Thrift's binary protocol, the body of the Collector's
 * `POST /api/traces`. As Apache Thrift's generated readers: fields of unknown ID, or of a type
 * other than the IDL's, are skipped; a required field that is missing fails the whole body.
 * Stricter than them in two ways that only refuse broken bodies: a list must declare the
 * element type the IDL gives, and nothing may follow the Batch.
 */
export function decodeThriftBatch(body: Uint8Array): JaegerBatch {
  const reader = new ThriftBinaryReader(body);
  try {
    const batch = readBatch(reader);
    if (reader.remaining > 0) {
      throw new ThriftReadError(`${reader.remaining} bytes follow the end of the Batch`);
    }
    return batch;
  } catch (err) {
    if (!(err instanceof ThriftReadError)) throw err;
    throw new JaegerDecodeError(`malformed Jaeger Thrift Batch at ${renderPath(err.path)}: ${err.message}`);
  }
}

function renderPath(path: string[]): string {
  let out = 'Batch';
  for (const segment of path) out += segment.startsWith('[') ? segment : `.${segment}`;
  return out;
}

/** One field of a struct: the property it fills (named as in the IDL), its Thrift type, its reader. */
interface FieldSpec<T> {
  name: keyof T & string;
  type: number;
  required: boolean;
  read(reader: ThriftBinaryReader): unknown;
}

/** A typed field-spec maker for struct `T`: `field('key', ThriftType.STRING, readString, REQUIRED)`. */
function fieldsOf<T>() {
  return <K extends keyof T & string>(
    name: K,
    type: number,
    read: (reader: ThriftBinaryReader) => T[K],
    required = false,
  ): FieldSpec<T> => ({ name, type, read, required });
}

const REQUIRED = true;

/**
 * Reads a struct's fields; an absent optional field stays `undefined`, an absent required one
 * fails. The error of a failing field gets the field's name on its path.
 */
function readStruct<T>(reader: ThriftBinaryReader, fields: Record<number, FieldSpec<T>>): Partial<T> {
  const into: Record<string, unknown> = {};
  for (let header = reader.fieldHeader(); header; header = reader.fieldHeader()) {
    const spec = fields[header.id];
    if (!spec || spec.type !== header.type) {
      reader.skip(header.type);
      continue;
    }
    try {
      into[spec.name] = spec.read(reader);
    } catch (err) {
      if (err instanceof ThriftReadError) err.path.unshift(spec.name);
      throw err;
    }
  }
  for (const [id, spec] of requiredFields(fields)) {
    if (into[spec.name] === undefined) {
      throw new ThriftReadError(
        `required field ${spec.name} (${id}: ${thriftTypeName(spec.type)}) is missing`,
      );
    }
  }
  return into as Partial<T>;
}

/** A field table's required fields, listed once per table (structs are read per tag, log and span). */
const REQUIRED_FIELDS = new WeakMap<object, [string, FieldSpec<unknown>][]>();
function requiredFields<T>(fields: Record<number, FieldSpec<T>>): [string, FieldSpec<T>][] {
  let required = REQUIRED_FIELDS.get(fields) as [string, FieldSpec<T>][] | undefined;
  if (!required) {
    required = Object.entries(fields).filter(([, spec]) => spec.required);
    REQUIRED_FIELDS.set(fields, required as [string, FieldSpec<unknown>][]);
  }
  return required;
}

function readList<T>(
  reader: ThriftBinaryReader,
  elementType: number,
  readElement: (reader: ThriftBinaryReader) => T,
): T[] {
  const header = reader.listHeader();
  if (header.elementType !== elementType) {
    throw new ThriftReadError(
      `a list of ${thriftTypeName(header.elementType)} where the IDL has a list of ${thriftTypeName(elementType)}`,
    );
  }
  const out: T[] = [];
  for (let i = 0; i < header.size; i++) {
    try {
      out.push(readElement(reader));
    } catch (err) {
      if (err instanceof ThriftReadError) err.path.unshift(`[${i}]`);
      throw err;
    }
  }
  return out;
}

const u64 = (value: bigint): bigint => BigInt.asUintN(64, value);
/** The Collector's `uint64(µs) * 1000`, wrapping as Go does. */
const microsToNanos = (micros: bigint): bigint => u64(u64(micros) * 1000n);
const readString = (r: ThriftBinaryReader) => r.string();
const readI32 = (r: ThriftBinaryReader) => r.i32();
const readI64 = (r: ThriftBinaryReader) => r.i64();

/** jaeger.thrift `TagType`; Apache Thrift names any other value `<UNSET>`. */
const TAG_TYPES = ['STRING', 'DOUBLE', 'BOOL', 'LONG', 'BINARY'];

interface RawTag {
  key: string;
  vType: number;
  vStr: string;
  vDouble: number;
  vBool: boolean;
  vLong: bigint;
  vBinary: Uint8Array;
}

const tagField = fieldsOf<RawTag>();
const TAG_FIELDS = {
  1: tagField('key', ThriftType.STRING, readString, REQUIRED),
  2: tagField('vType', ThriftType.I32, readI32, REQUIRED),
  3: tagField('vStr', ThriftType.STRING, readString),
  4: tagField('vDouble', ThriftType.DOUBLE, (r) => r.double()),
  5: tagField('vBool', ThriftType.BOOL, (r) => r.bool()),
  6: tagField('vLong', ThriftType.I64, readI64),
  7: tagField('vBinary', ThriftType.STRING, (r) => r.binary()),
};

function tagValue(tag: Partial<RawTag>): JaegerTagValue {
  switch (tag.vType) {
    case 0:
      return { type: 'string', value: tag.vStr ?? '' };
    case 1:
      return { type: 'double', value: tag.vDouble ?? 0 };
    case 2:
      return { type: 'bool', value: tag.vBool ?? false };
    case 3:
      return { type: 'long', value: tag.vLong ?? 0n };
    case 4:
      return { type: 'binary', value: tag.vBinary ?? new Uint8Array(0) };
    default:
      return { type: 'unknown', typeName: TAG_TYPES[tag.vType ?? -1] ?? '<UNSET>' };
  }
}

function readTag(reader: ThriftBinaryReader): JaegerTag {
  const tag = readStruct(reader, TAG_FIELDS);
  return { key: tag.key ?? '', value: tagValue(tag), rawString: tag.vStr ?? '' };
}

const readTags = (reader: ThriftBinaryReader) => readList(reader, ThriftType.STRUCT, readTag);

const logField = fieldsOf<{ timestamp: bigint; fields: JaegerTag[] }>();
const LOG_FIELDS = {
  1: logField('timestamp', ThriftType.I64, readI64, REQUIRED),
  2: logField('fields', ThriftType.LIST, readTags, REQUIRED),
};

function readLog(reader: ThriftBinaryReader): JaegerLog {
  const log = readStruct(reader, LOG_FIELDS);
  return { timeUnixNano: microsToNanos(log.timestamp ?? 0n), fields: log.fields ?? [] };
}

const refField = fieldsOf<{ refType: number; traceIdLow: bigint; traceIdHigh: bigint; spanId: bigint }>();
const REF_FIELDS = {
  1: refField('refType', ThriftType.I32, readI32, REQUIRED),
  2: refField('traceIdLow', ThriftType.I64, readI64, REQUIRED),
  3: refField('traceIdHigh', ThriftType.I64, readI64, REQUIRED),
  4: refField('spanId', ThriftType.I64, readI64, REQUIRED),
};

function readRef(reader: ThriftBinaryReader): JaegerSpanRef {
  const ref = readStruct(reader, REF_FIELDS);
  return {
    refType: ref.refType ?? 0,
    traceIdHigh: u64(ref.traceIdHigh ?? 0n),
    traceIdLow: u64(ref.traceIdLow ?? 0n),
    spanId: u64(ref.spanId ?? 0n),
  };
}

interface RawSpan {
  traceIdLow: bigint;
  traceIdHigh: bigint;
  spanId: bigint;
  parentSpanId: bigint;
  operationName: string;
  references: JaegerSpanRef[];
  flags: number;
  startTime: bigint;
  duration: bigint;
  tags: JaegerTag[];
  logs: JaegerLog[];
}

const spanField = fieldsOf<RawSpan>();
const SPAN_FIELDS = {
  1: spanField('traceIdLow', ThriftType.I64, readI64, REQUIRED),
  2: spanField('traceIdHigh', ThriftType.I64, readI64, REQUIRED),
  3: spanField('spanId', ThriftType.I64, readI64, REQUIRED),
  4: spanField('parentSpanId', ThriftType.I64, readI64, REQUIRED),
  5: spanField('operationName', ThriftType.STRING, readString, REQUIRED),
  6: spanField('references', ThriftType.LIST, (r) => readList(r, ThriftType.STRUCT, readRef)),
  7: spanField('flags', ThriftType.I32, readI32, REQUIRED),
  8: spanField('startTime', ThriftType.I64, readI64, REQUIRED),
  9: spanField('duration', ThriftType.I64, readI64, REQUIRED),
  10: spanField('tags', ThriftType.LIST, readTags),
  11: spanField('logs', ThriftType.LIST, (r) => readList(r, ThriftType.STRUCT, readLog)),
};

function readSpan(reader: ThriftBinaryReader): JaegerSpan {
  const raw = readStruct(reader, SPAN_FIELDS);
  const startTime = raw.startTime ?? 0n;
  const duration = raw.duration ?? 0n;
  const span: JaegerSpan = {
    traceIdHigh: u64(raw.traceIdHigh ?? 0n),
    traceIdLow: u64(raw.traceIdLow ?? 0n),
    spanId: u64(raw.spanId ?? 0n),
    parentSpanId: u64(raw.parentSpanId ?? 0n),
    operationName: raw.operationName ?? '',
    references: raw.references ?? [],
    startTimeUnixNano: microsToNanos(startTime),
    endTimeUnixNano: microsToNanos(startTime + duration),
    tags: raw.tags ?? [],
    logs: raw.logs ?? [],
    blank: false,
  };
  // The Collector drops a span equal to a zero-valued one (absent optional lists included).
  span.blank =
    span.traceIdHigh === 0n &&
    span.traceIdLow === 0n &&
    span.spanId === 0n &&
    span.parentSpanId === 0n &&
    span.operationName === '' &&
    raw.flags === 0 &&
    startTime === 0n &&
    duration === 0n &&
    raw.references === undefined &&
    raw.tags === undefined &&
    raw.logs === undefined;
  return span;
}

const processField = fieldsOf<JaegerProcess>();
const PROCESS_FIELDS = {
  1: processField('serviceName', ThriftType.STRING, readString, REQUIRED),
  2: processField('tags', ThriftType.LIST, readTags),
};

function readProcess(reader: ThriftBinaryReader): JaegerProcess {
  const process = readStruct(reader, PROCESS_FIELDS);
  return { serviceName: process.serviceName ?? '', tags: process.tags };
}

const batchField = fieldsOf<JaegerBatch>();
const BATCH_FIELDS = {
  1: batchField('process', ThriftType.STRUCT, readProcess, REQUIRED),
  2: batchField('spans', ThriftType.LIST, (r) => readList(r, ThriftType.STRUCT, readSpan), REQUIRED),
};

function readBatch(reader: ThriftBinaryReader): JaegerBatch {
  const batch = readStruct(reader, BATCH_FIELDS);
  return { process: batch.process, spans: batch.spans ?? [] };
}
