import { type Params, param } from '../../http-util/form-params';
import { LogsRequestError } from '../errors';
import { parseLogQLDuration } from '../logql/duration';
import type { Direction, TimeRange } from '../query/select-logs';
import { parseNanos, type Timestamp } from '../timestamp';

/** Loki's defaults: queries look back one hour, label and series lookups six. */
export const DEFAULT_QUERY_RANGE_MS = 3600_000;
export const DEFAULT_LABELS_RANGE_MS = 6 * 3600_000;
export const DEFAULT_LIMIT = 100;
/** Loki's `max_entries_limit_per_query`. */
export const MAX_LIMIT = 5000;

/**
 * A time the way Loki reads one: a decimal with a `.` is unix seconds, an integer of up to 10
 * digits is unix seconds, a longer one unix nanoseconds, anything else RFC3339.
 */
export function parseTime(value: string, name: string): Timestamp {
  const text = value.trim();
  if (/^\d+\.\d*$/.test(text)) {
    const [whole, fraction] = text.split('.');
    const nanos = Number(`${fraction}000000000`.slice(0, 9));
    return { ms: Number(whole) * 1000 + Math.floor(nanos / 1e6), ns: nanos % 1e6 };
  }
  if (/^\d+$/.test(text)) {
    if (text.length <= 10) return { ms: Number(text) * 1000, ns: 0 };
    const t = parseNanos(text);
    if (t) return t;
  }
  const rfc = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (rfc) {
    const ms = Date.parse(`${rfc[1]}${rfc[3].toUpperCase()}`);
    if (!Number.isNaN(ms)) {
      const nanos = Number(`${rfc[2] ?? ''}000000000`.slice(0, 9));
      return { ms: ms + Math.floor(nanos / 1e6), ns: nanos % 1e6 };
    }
  }
  throw new LogsRequestError(
    `invalid ${name} "${value}": expected unix nanoseconds, unix seconds or an RFC3339 time`,
  );
}

function duration(value: string, name: string): number {
  const text = value.trim();
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseLogQLDuration(text);
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
    throw new LogsRequestError(
      `invalid ${name} "${value}": expected a duration such as 5m or 1h, or seconds`,
    );
  }
  return ms;
}

/** `start`/`end`/`since`, by default the last hour; the end must not be before the start. */
export function parseRange(
  params: Params,
  nowMs = Date.now(),
  defaultRangeMs = DEFAULT_QUERY_RANGE_MS,
): TimeRange {
  const endText = param(params, 'end');
  const end = endText ? parseTime(endText, 'end') : { ms: nowMs, ns: 0 };
  const startText = param(params, 'start');
  const sinceText = param(params, 'since');
  let start: Timestamp;
  if (startText) start = parseTime(startText, 'start');
  else start = { ms: end.ms - (sinceText ? duration(sinceText, 'since') : defaultRangeMs), ns: end.ns };
  if (end.ms < start.ms || (end.ms === start.ms && end.ns < start.ns)) {
    throw new LogsRequestError('end timestamp must not be before or equal to start time');
  }
  return { startMs: start.ms, startNs: start.ns, endMs: end.ms, endNs: end.ns };
}

export function parseLimit(params: Params): number {
  const text = param(params, 'limit');
  if (text === undefined || text === '') return DEFAULT_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit <= 0) {
    throw new LogsRequestError(`invalid limit "${text}": expected a whole number above zero`);
  }
  if (limit > MAX_LIMIT) {
    throw new LogsRequestError(
      `max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${MAX_LIMIT})`,
    );
  }
  return limit;
}

export function parseDirection(params: Params): Direction {
  const text = param(params, 'direction');
  if (text === undefined || text === '') return 'backward';
  const lower = text.toLowerCase();
  if (lower === 'forward' || lower === 'backward') return lower;
  throw new LogsRequestError(`invalid direction "${text}": expected forward or backward`);
}

/** The step of a metric range query; Loki's default aims at about 250 points (at least 1 s). */
export function parseStep(params: Params, range: TimeRange): number {
  const text = param(params, 'step');
  if (text === undefined || text === '') {
    return Math.max(1000, Math.floor((range.endMs - range.startMs) / 250 / 1000) * 1000);
  }
  const ms = duration(text, 'step');
  if (ms <= 0)
    throw new LogsRequestError(
      'zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  if ((range.endMs - range.startMs) / ms > 11_000) {
    throw new LogsRequestError(
      'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
  }
  return ms;
}

export function requireQuery(params: Params): string {
  const query = param(params, 'query');
  if (query === undefined || query.trim() === '') throw new LogsRequestError('query parameter is required');
  return query;
}
