import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { checkDecodeBudget } from '../../otlp/decode-budget';
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

const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

export interface JaegerProtoTypes {
  PostSpansRequest: protobuf.Type;
  /** What the decode budget counts as items. */
  spans: ReadonlySet<protobuf.Type>;
}

let types: JaegerProtoTypes | undefined;

/** `jaeger.api_v2` from the trimmed protos beside this file, loaded on first use. */
export function jaegerProtoTypes(): JaegerProtoTypes {
  if (types) return types;
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTO_DIR, target));
  root.loadSync('collector.proto');
  root.resolveAll();
  types = {
    PostSpansRequest: root.lookupType('jaeger.api_v2.PostSpansRequest'),
    spans: new Set([root.lookupType('jaeger.api_v2.Span')]),
  };
  return types;
}

/** The decoded messages as protobufjs gives them (absent fields read their defaults from the prototype). */
type Long = { toString(): string };
type Int64 = number | Long;
interface ProtoTimestamp {
  seconds: Int64;
  nanos: number;
}
interface ProtoKeyValue {
  key: string;
  vType: number;
  vStr: string;
  vBool: boolean;
  vInt64: Int64;
  vFloat64: number;
  vBinary: Uint8Array;
}
interface ProtoProcess {
  serviceName: string;
  tags: ProtoKeyValue[];
}
interface ProtoSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  operationName: string;
  references: { traceId: Uint8Array; spanId: Uint8Array; refType: number }[];
  flags: number;
  startTime: ProtoTimestamp | null;
  duration: ProtoTimestamp | null;
  tags: ProtoKeyValue[];
  logs: { timestamp: ProtoTimestamp | null; fields: ProtoKeyValue[] }[];
  process: ProtoProcess | null;
  processId: string;
  warnings: string[];
}
interface ProtoBatch {
  spans: ProtoSpan[];
  process: ProtoProcess | null;
}

/** Where in the request a check failed, for the error message. */
class InvalidField extends Error {}

const int64 = (value: Int64): bigint =>
  typeof value === 'number' ? BigInt(value) : BigInt(value.toString());
const present = (message: object, field: string): boolean => Object.hasOwn(message, field);

/** google.protobuf.Timestamp's valid range (0001-01-01 to 9999-12-31), which Go's decoder enforces. */
const MIN_SECONDS = -62135596800n;
const MAX_SECONDS = 253402300800n;
const NANOS_PER_SECOND = 1_000_000_000n;
const INT64_MAX = 2n ** 63n - 1n;

/** A Timestamp as nanoseconds since the epoch (as uint64); an absent one is 0. */
function timestampNanos(ts: ProtoTimestamp | null, field: string): bigint {
  if (!ts) return 0n;
  const seconds = int64(ts.seconds);
  if (seconds < MIN_SECONDS || seconds >= MAX_SECONDS || ts.nanos < 0 || ts.nanos >= 1e9) {
    throw new InvalidField(`${field}: timestamp ${seconds}s ${ts.nanos}ns is outside 0001-01-01..9999-12-31`);
  }
  return BigInt.asUintN(64, seconds * NANOS_PER_SECOND + BigInt(ts.nanos));
}

/** A Duration in nanoseconds; it must fit Go's `time.Duration` (±292 years). */
function durationNanos(duration: ProtoTimestamp | null, field: string): bigint {
  if (!duration) return 0n;
  const seconds = int64(duration.seconds);
  const nanos = BigInt(duration.nanos);
  const total = seconds * NANOS_PER_SECOND + nanos;
  const signsAgree = (seconds >= 0n && nanos >= 0n) || (seconds <= 0n && nanos <= 0n);
  if (
    !signsAgree ||
    nanos >= NANOS_PER_SECOND ||
    -nanos >= NANOS_PER_SECOND ||
    total > INT64_MAX ||
    -total > INT64_MAX
  ) {
    throw new InvalidField(`${field}: duration ${seconds}s ${nanos}ns is not a valid duration`);
  }
  return total;
}

/** Jaeger's TraceID: 16 bytes (high, low) or 8 (low only); absent is zero. */
function traceId(message: { traceId: Uint8Array }, field: string): { high: bigint; low: bigint } {
  if (!present(message, 'traceId')) return { high: 0n, low: 0n };
  const bytes = Buffer.from(message.traceId);
  if (bytes.length === 16) return { high: bytes.readBigUInt64BE(0), low: bytes.readBigUInt64BE(8) };
  if (bytes.length === 8) return { high: 0n, low: bytes.readBigUInt64BE(0) };
  throw new InvalidField(`${field}.trace_id: ${bytes.length} bytes; a trace ID is 16 bytes (or 8)`);
}

/** Jaeger's SpanID: exactly 8 bytes; absent is zero. */
function spanId(message: { spanId: Uint8Array }, field: string): bigint {
  if (!present(message, 'spanId')) return 0n;
  const bytes = Buffer.from(message.spanId);
  if (bytes.length === 8) return bytes.readBigUInt64BE(0);
  throw new InvalidField(`${field}.span_id: ${bytes.length} bytes; a span ID is 8 bytes`);
}

function tagValue(kv: ProtoKeyValue): JaegerTagValue {
  switch (kv.vType) {
    case 0:
      return { type: 'string', value: kv.vStr };
    case 1:
      return { type: 'bool', value: kv.vBool };
    case 2:
      return { type: 'long', value: int64(kv.vInt64) };
    case 3:
      return { type: 'double', value: kv.vFloat64 };
    case 4:
      return { type: 'binary', value: kv.vBinary };
    default:
      // Go names an unknown protobuf enum value by its number.
      return { type: 'unknown', typeName: String(kv.vType) };
  }
}

const tags = (kvs: ProtoKeyValue[]): JaegerTag[] =>
  kvs.map((kv) => ({ key: kv.key, value: tagValue(kv), rawString: kv.vStr }));

function toProcess(process: ProtoProcess | null): JaegerProcess | undefined {
  if (!process) return undefined;
  // A repeated field is never on the wire empty: no tags is Go's nil slice.
  return { serviceName: process.serviceName, tags: process.tags.length > 0 ? tags(process.tags) : undefined };
}

function toSpan(span: ProtoSpan, at: string): JaegerSpan {
  const id = traceId(span, at);
  const start = timestampNanos(span.startTime, `${at}.start_time`);
  const references: JaegerSpanRef[] = span.references.map((ref, i) => {
    const refId = traceId(ref, `${at}.references[${i}]`);
    return {
      refType: ref.refType,
      traceIdHigh: refId.high,
      traceIdLow: refId.low,
      spanId: spanId(ref, `${at}.references[${i}]`),
    };
  });
  const logs: JaegerLog[] = span.logs.map((log, i) => ({
    timeUnixNano: timestampNanos(log.timestamp, `${at}.logs[${i}].timestamp`),
    fields: tags(log.fields),
  }));
  const jaegerSpan: JaegerSpan = {
    traceIdHigh: id.high,
    traceIdLow: id.low,
    spanId: spanId(span, at),
    parentSpanId: 0n,
    operationName: span.operationName,
    references,
    startTimeUnixNano: start,
    endTimeUnixNano: BigInt.asUintN(64, start + durationNanos(span.duration, `${at}.duration`)),
    tags: tags(span.tags),
    logs,
    process: toProcess(span.process),
    blank: false,
  };
  // The Collector drops a span equal to a zero-valued one.
  jaegerSpan.blank =
    id.high === 0n &&
    id.low === 0n &&
    jaegerSpan.spanId === 0n &&
    span.operationName === '' &&
    span.references.length === 0 &&
    span.flags === 0 &&
    !span.startTime &&
    !span.duration &&
    span.tags.length === 0 &&
    span.logs.length === 0 &&
    !span.process &&
    span.processId === '' &&
    span.warnings.length === 0;
  return jaegerSpan;
}

/**
 * Decodes a `jaeger.api_v2.PostSpansRequest`, checking what Jaeger's Go model checks on
 * decoding (ID lengths, Timestamp and Duration ranges). Throws `JaegerDecodeError`.
 */
export function decodePostSpansRequest(body: Uint8Array): JaegerBatch {
  const { PostSpansRequest, spans } = jaegerProtoTypes();
  let batch: ProtoBatch | null;
  try {
    // protobufjs makes objects of every message: a body of millions of empty spans is refused first.
    checkDecodeBudget(PostSpansRequest, body, { items: spans, itemName: 'spans' });
    batch = (PostSpansRequest.decode(body) as unknown as { batch: ProtoBatch | null }).batch;
  } catch (err) {
    throw new JaegerDecodeError(`malformed PostSpansRequest: ${(err as Error).message}`);
  }
  if (!batch) return { process: undefined, spans: [] };
  try {
    return {
      process: toProcess(batch.process),
      spans: batch.spans.map((span, i) => toSpan(span, `batch.spans[${i}]`)),
    };
  } catch (err) {
    if (err instanceof InvalidField) throw new JaegerDecodeError(`invalid PostSpansRequest: ${err.message}`);
    throw err;
  }
}
