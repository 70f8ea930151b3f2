import type { OtlpSignal } from './otlp-json';
import { ProtoWriter } from './proto-writer';

/**
 * OTLP `partial_success`: how many items were refused and why. Each signal counts its own
 * items (spans, log records, data points); a count not for the response's signal is ignored.
 */
export interface PartialSuccess {
  rejectedSpans?: number;
  rejectedLogRecords?: number;
  rejectedDataPoints?: number;
  errorMessage?: string;
}

const REJECTED_FIELD: Record<OtlpSignal, keyof PartialSuccess> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};

function rejectedCount(signal: OtlpSignal, partial: PartialSuccess): number {
  const n = partial[REJECTED_FIELD[signal]];
  return typeof n === 'number' && n > 0 ? Math.floor(n) : 0;
}

/**
 * Export<Signal>ServiceResponse as protobuf. `partial_success` is written only when it says
 * something (the spec makes an empty one equivalent to full success).
 */
export function encodeExportResponseProtobuf(signal: OtlpSignal, partial?: PartialSuccess): Buffer {
  const w = new ProtoWriter(64);
  const rejected = partial ? rejectedCount(signal, partial) : 0;
  const message = partial?.errorMessage ?? '';
  if (rejected > 0 || message !== '') {
    w.openMessage(1); // partial_success
    if (rejected > 0) w.varintField(1, rejected); // rejected_<items>, int64
    if (message !== '') w.stringField(2, message); // error_message
    w.closeMessage();
  }
  return w.finish();
}

/** The same response in OTLP/JSON: lowerCamelCase, the int64 count as a decimal string. */
export function encodeExportResponseJson(signal: OtlpSignal, partial?: PartialSuccess): string {
  const rejected = partial ? rejectedCount(signal, partial) : 0;
  const message = partial?.errorMessage ?? '';
  if (rejected === 0 && message === '') return '{}';
  const body: Record<string, string> = {};
  if (rejected > 0) body[REJECTED_FIELD[signal]] = String(rejected);
  if (message !== '') body.errorMessage = message;
  return JSON.stringify({ partialSuccess: body });
}

/**
 * google.rpc.Status as protobuf: the body of an OTLP/HTTP error response, and gRPC's
 * `grpc-status-details-bin`. With `retryAfterSeconds` it carries a `google.rpc.RetryInfo`
 * detail, which the OpenTelemetry Collector requires before it retries `RESOURCE_EXHAUSTED`.
 */
export function encodeStatusProtobuf(code: number, message: string, retryAfterSeconds?: number): Buffer {
  const w = new ProtoWriter(96 + message.length * 3);
  if (code !== 0) w.tag(1, 0).int32(code);
  if (message !== '') w.stringField(2, message);
  if (retryAfterSeconds !== undefined) {
    w.openMessage(3); // details: google.protobuf.Any
    w.stringField(1, 'type.googleapis.com/google.rpc.RetryInfo'); // type_url
    w.openMessage(2); // value: RetryInfo
    w.openMessage(1); // retry_delay: google.protobuf.Duration
    w.varintField(1, Math.floor(retryAfterSeconds)); // seconds
    const nanos = Math.round((retryAfterSeconds % 1) * 1e9);
    if (nanos > 0) w.varintField(2, nanos);
    w.closeMessage().closeMessage().closeMessage();
  }
  return w.finish();
}

/** google.rpc.Status as JSON (int32 code as a number). */
export function encodeStatusJson(code: number, message: string): string {
  const body: { code?: number; message?: string } = {};
  if (code !== 0) body.code = code;
  if (message !== '') body.message = message;
  return JSON.stringify(body);
}

/** The `partial_success` to answer for `rejected` items of `signal`, or none when all were taken. */
export function partialSuccessFor(
  signal: OtlpSignal,
  rejected: number,
  message?: string,
): PartialSuccess | undefined {
  if (rejected <= 0) return undefined;
  return { [REJECTED_FIELD[signal]]: rejected, errorMessage: message ?? '' };
}
