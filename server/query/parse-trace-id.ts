import { ErrorCode } from '../errors/error-codes';

/** A trace ID that is not 1–32 hex characters. */
export class TraceIdError extends Error {
  readonly code = ErrorCode.TRACE_ID;
  readonly statusCode = 400;
}

const HEX = /^[0-9a-fA-F]{1,32}$/;

/**
 * Parses a trace ID as Tempo does: hex, case-insensitive, up to 32 characters; shorter IDs are
 * left-padded with zeros (`1234` is `000…1234`).
 */
export function parseTraceId(raw: string): { traceId: Buffer; key: string } {
  if (!HEX.test(raw)) {
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
    throw new TraceIdError(`invalid trace ID "${shown}": expected 1 to 32 hexadecimal characters`);
  }
  const key = traceIdKey(raw);
  return { traceId: Buffer.from(key, 'hex'), key };
}

/** A hex trace ID as Loupe keys traces: lowercase, left-padded to 32 characters (not validated). */
export function traceIdKey(hex: string): string {
  return hex.toLowerCase().padStart(32, '0');
}
