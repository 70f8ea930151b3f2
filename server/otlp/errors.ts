/**
 * A body that is not a well-formed OTLP (or Tempo) message. Receivers answer it with
 * 400 / INVALID_ARGUMENT; it never means the server is at fault.
 */
export class OtlpDecodeError extends Error {
  readonly code = 'LOUPE_ERR_OTLP_DECODE';
  readonly statusCode = 400;
  override readonly name = 'OtlpDecodeError';
}
