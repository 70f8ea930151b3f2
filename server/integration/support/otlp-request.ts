import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs';

/**
 * A small OTLP `ExportTraceServiceRequest` encoder written straight from the field numbers of
 * opentelemetry/proto/trace/v1/trace.proto, independent of Loupe's own codecs, so tests can
 * build requests a collector would send, including malformed ones (missing or zero-length IDs).
 */

export type AttributeValue = string | number | boolean | string[] | number[];

export interface SpanSpec {
  /** `undefined` leaves the field out of the message; an empty array sends a zero-length field. */
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name: string;
  /** OTLP numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind?: number;
  startNs: bigint;
  endNs: bigint;
  attributes?: Record<string, AttributeValue>;
  /** OTLP numbering: 1 ok, 2 error. */
  statusCode?: number;
  statusMessage?: string;
}

export interface ResourceSpec {
  service: string;
  attributes?: Record<string, AttributeValue>;
  scope?: { name: string; version?: string };
  spans: SpanSpec[];
}

const LEN = 2;
const VARINT = 0;
const I64 = 1;

function tag(writer: protobuf.Writer, field: number, wire: number): protobuf.Writer {
  return writer.uint32((field << 3) | wire);
}

function writeFixed64(writer: protobuf.Writer, field: number, value: bigint): void {
  tag(writer, field, I64)
    .fixed32(Number(value & 0xffffffffn))
    .fixed32(Number((value >> 32n) & 0xffffffffn));
}

function writeAnyValue(writer: protobuf.Writer, value: AttributeValue | number): void {
  if (typeof value === 'string') tag(writer, 1, LEN).string(value);
  else if (typeof value === 'boolean') tag(writer, 2, VARINT).bool(value);
  else if (typeof value === 'number') {
    if (Number.isInteger(value)) tag(writer, 3, VARINT).int64(value);
    else tag(writer, 4, I64).double(value);
  } else {
    tag(writer, 5, LEN).fork();
    for (const item of value) {
      tag(writer, 1, LEN).fork();
      writeAnyValue(writer, item);
      writer.ldelim();
    }
    writer.ldelim();
  }
}

function writeAttributes(
  writer: protobuf.Writer,
  field: number,
  attributes: Record<string, AttributeValue> = {},
) {
  for (const [key, value] of Object.entries(attributes)) {
    tag(writer, field, LEN).fork();
    tag(writer, 1, LEN).string(key);
    tag(writer, 2, LEN).fork();
    writeAnyValue(writer, value);
    writer.ldelim();
    writer.ldelim();
  }
}

function writeSpan(writer: protobuf.Writer, span: SpanSpec): void {
  if (span.traceId !== undefined) tag(writer, 1, LEN).bytes(span.traceId);
  if (span.spanId !== undefined) tag(writer, 2, LEN).bytes(span.spanId);
  if (span.parentSpanId !== undefined) tag(writer, 4, LEN).bytes(span.parentSpanId);
  tag(writer, 5, LEN).string(span.name);
  if (span.kind) tag(writer, 6, VARINT).int32(span.kind);
  writeFixed64(writer, 7, span.startNs);
  writeFixed64(writer, 8, span.endNs);
  writeAttributes(writer, 9, span.attributes);
  if (span.statusCode || span.statusMessage) {
    tag(writer, 15, LEN).fork();
    if (span.statusMessage) tag(writer, 2, LEN).string(span.statusMessage);
    if (span.statusCode) tag(writer, 3, VARINT).int32(span.statusCode);
    writer.ldelim();
  }
}

/** Encodes an `ExportTraceServiceRequest` (wire-identical to `TracesData`). */
export function encodeTraceRequest(resources: ResourceSpec[]): Buffer {
  const writer = protobuf.Writer.create();
  for (const resource of resources) {
    tag(writer, 1, LEN).fork(); // resource_spans
    tag(writer, 1, LEN).fork(); // resource
    writeAttributes(writer, 1, { 'service.name': resource.service, ...resource.attributes });
    writer.ldelim();
    tag(writer, 2, LEN).fork(); // scope_spans
    const scope = resource.scope ?? { name: 'loupe-integration-test' };
    tag(writer, 1, LEN).fork();
    tag(writer, 1, LEN).string(scope.name);
    if (scope.version) tag(writer, 2, LEN).string(scope.version);
    writer.ldelim();
    for (const span of resource.spans) {
      tag(writer, 2, LEN).fork();
      writeSpan(writer, span);
      writer.ldelim();
    }
    writer.ldelim();
    writer.ldelim();
  }
  return Buffer.from(writer.finish());
}

export function newTraceId(): Buffer {
  return randomBytes(16);
}

export function newSpanId(): Buffer {
  return randomBytes(8);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Nanoseconds since the epoch for a `Date.now()`-style millisecond time. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms)) * 1_000_000n;
}

/** A plain span of `traceId` starting at `startMs` and lasting `durationMs`. */
export function simpleSpan(
  traceId: Uint8Array,
  name: string,
  startMs: number,
  extra: Partial<SpanSpec> & { durationMs?: number } = {},
): SpanSpec & { spanId: Uint8Array } {
  const { durationMs = 5, ...rest } = extra;
  return {
    traceId,
    spanId: newSpanId(),
    name,
    kind: 1,
    startNs: msToNs(startMs),
    endNs: msToNs(startMs + durationMs),
    ...rest,
  } as SpanSpec & { spanId: Uint8Array };
}
