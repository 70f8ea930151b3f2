import { ErrorCode } from '../errors/error-codes';

/**
 * A body that is not a well-formed OTLP (or Tempo) message. Receivers answer it with
 * 400 / INVALID_ARGUMENT; it never means the server is at fault.
 */
export class OtlpDecodeError extends Error {
  readonly code = ErrorCode.OTLP_DECODE;
  readonly statusCode = 400;
  override readonly name: string = 'OtlpDecodeError';
}
