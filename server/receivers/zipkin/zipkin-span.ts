import { OtlpDecodeError } from '../../otlp/errors';

/**
 * One Zipkin v2 span as both decoders (JSON, protobuf) hand it to the translator: the fields of
 * zipkin-go's `SpanModel`, which the OpenTelemetry Collector's Zipkin receiver decodes into.
 */
export interface ZipkinSpan {
  /** 32 lowercase hex digits (a 64-bit trace ID is left-padded with zeros). */
  traceId: string;
  /** 16 lowercase hex digits, never all zeros. */
  id: string;
  /** 16 lowercase hex digits; undefined on a root span. */
  parentId?: string;
  name: string;
  /** As sent: `CLIENT`, `SERVER`, `PRODUCER`, `CONSUMER`; anything else counts as absent. */
  kind: string;
  /**
   * Epoch microseconds of the start. Undefined when a JSON span has none (absent or 0): the
   * Collector then starts the span at the epoch and marks it (`otel.zipkin.absentField.startTime`).
   * A protobuf span always has one (0 when unset), as zipkin-go decodes it.
   */
  timestampUs?: bigint;
  durationUs: bigint;
  localEndpoint?: ZipkinEndpoint;
  remoteEndpoint?: ZipkinEndpoint;
  annotations: ZipkinAnnotation[];
  /** In the order sent. */
  tags: Map<string, string>;
  /** Decoded, but (as in the Collector) not carried into OTLP. */
  debug: boolean;
  shared: boolean;
}

export interface ZipkinEndpoint {
  serviceName: string;
  /** The address as Go's `net.IP.String()` prints it. */
  ipv4?: string;
  ipv6?: string;
  /** 0 = unknown. */
  port: number;
}

export interface ZipkinAnnotation {
  timestampUs: bigint;
  value: string;
}

/**
 * A body that is not well-formed Zipkin v2 (JSON or protobuf), or a span the translator cannot
 * convert. Answered 400 (not retried), with the message naming the span and field to fix. It
 * carries the OTLP decode code so the receivers' one classifier answers it like a bad OTLP body.
 */
export class ZipkinDecodeError extends OtlpDecodeError {
  override readonly name = 'ZipkinDecodeError';
}
