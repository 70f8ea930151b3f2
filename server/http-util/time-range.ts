import { ErrorCode } from '../errors/error-codes';

/** A `start`/`end` that is not unix seconds, or an `end` before `start`: 400. */
export class TimeRangeError extends Error {
  readonly code = ErrorCode.TIME_RANGE;
  readonly statusCode = 400;
}

/**
 * Tempo's `start`/`end` query parameters (unix seconds) as unix ms; absent or empty ones stay
 * undefined. Trace by ID and search both take them.
 */
export function parseTimeRange(query: { start?: string; end?: string }): {
  startMs?: number;
  endMs?: number;
} {
  const parse = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined || value === '') return undefined;
    const seconds = Number(value);
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new TimeRangeError(`invalid ${name} "${value}": expected unix seconds`);
    }
    return seconds * 1000;
  };
  const startMs = parse('start', query.start);
  const endMs = parse('end', query.end);
  if (startMs !== undefined && endMs !== undefined && endMs < startMs) {
    throw new TimeRangeError('invalid time range: end is before start');
  }
  return { startMs, endMs };
}
