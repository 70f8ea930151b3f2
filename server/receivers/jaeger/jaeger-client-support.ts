import { createRequire } from 'node:module';

/**
 * Typed handles on the `jaeger-client` package (3.19.0, a dev dependency, CommonJS without type
 * declarations) for tests: its Tracer and HTTP sender, and the `thriftrw` codec it encodes
 * batches with, built from its own bundled `jaeger-idl/thrift/jaeger.thrift`. Only what the
 * tests use is typed.
 */

const require = createRequire(import.meta.url);

/** A thriftrw struct class: `new Batch({...})`, encoded with `Batch.rw.toBuffer`. */
export interface ThriftStruct {
  new (fields: Record<string, unknown>): object;
  rw: { toBuffer(value: object): { err: Error | null; value: Buffer } };
}

export interface JaegerThrift {
  Batch: ThriftStruct;
  Process: ThriftStruct;
  Span: ThriftStruct;
  Tag: ThriftStruct;
  Log: ThriftStruct;
  SpanRef: ThriftStruct;
  TagType: { STRING: number; DOUBLE: number; BOOL: number; LONG: number; BINARY: number };
  SpanRefType: { CHILD_OF: number; FOLLOWS_FROM: number };
}

/** jaeger-client's own thriftrw instance of `jaeger.thrift`. */
export function jaegerThrift(): JaegerThrift {
  return require('jaeger-client/dist/src/thrift.js').default._thrift as JaegerThrift;
}

/** An i64 as thriftrw takes it: 8 big-endian bytes. */
export function i64(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(BigInt.asIntN(64, value));
  return out;
}

/** Encodes a `Batch` (plain objects for nested structs, i64 fields as `i64(...)`) in Thrift binary. */
export function encodeThriftBatch(batch: Record<string, unknown>): Buffer {
  const thrift = jaegerThrift();
  const result = thrift.Batch.rw.toBuffer(new thrift.Batch(batch));
  if (result.err) throw result.err;
  return result.value;
}

export interface JaegerSpanContext {
  traceId: Buffer;
  spanId: Buffer;
}

export interface JaegerSpan {
  context(): JaegerSpanContext;
  setTag(key: string, value: unknown): JaegerSpan;
  log(fields: Record<string, unknown>, timestampMs?: number): JaegerSpan;
  finish(finishTimeMs?: number): void;
}

export interface JaegerReference {
  type(): string;
}

export interface JaegerTracer {
  startSpan(
    name: string,
    options?: {
      childOf?: JaegerSpanContext;
      references?: JaegerReference[];
      tags?: Record<string, unknown>;
      startTime?: number;
    },
  ): JaegerSpan;
  close(callback?: () => void): void;
}

/** Where jaeger-client reports a failed send (`error sending spans over HTTP: ... HTTP 400`). */
export interface JaegerClientLogger {
  info(message: string): void;
  error(message: string): void;
}

export interface JaegerReporter {
  close(callback?: () => void): void;
}

interface JaegerClientModule {
  Tracer: new (
    serviceName: string,
    reporter: JaegerReporter,
    sampler: object,
    options?: { tags?: Record<string, unknown>; traceId128bit?: boolean },
  ) => JaegerTracer;
  RemoteReporter: new (
    sender: object,
    options?: { bufferFlushInterval?: number; logger?: JaegerClientLogger },
  ) => JaegerReporter;
  ConstSampler: new (decision: boolean) => object;
  opentracing: {
    followsFrom(context: JaegerSpanContext): JaegerReference;
    childOf(context: JaegerSpanContext): JaegerReference;
  };
}

export function jaegerClient(): JaegerClientModule {
  return require('jaeger-client') as JaegerClientModule;
}

/** jaeger-client's `HTTPSender`: POSTs Thrift batches to a Collector's `/api/traces`. */
export function httpSender(options: {
  endpoint: string;
  username?: string;
  password?: string;
  logger?: JaegerClientLogger;
}): object {
  const HTTPSender = require('jaeger-client/dist/src/reporters/http_sender.js').default as new (
    o: object,
  ) => object;
  return new HTTPSender(options);
}
