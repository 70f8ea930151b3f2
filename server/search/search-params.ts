import { ErrorCode } from '../errors/error-codes';
import { parseTimeRange } from '../http-util/time-range';

export class SearchParamError extends Error {
  readonly code = ErrorCode.SEARCH_REQUEST;
  readonly statusCode = 400;
}

export interface SearchParams {
  /** The TraceQL to run: `q`, or the legacy `tags`/`minDuration`/`maxDuration` written as TraceQL. */
  traceql: string;
  limit: number;
  spss: number;
  startMs?: number;
  endMs?: number;
}

export interface RawSearchQuery {
  q?: string;
  tags?: string;
  minDuration?: string;
  maxDuration?: string;
  limit?: string;
  spss?: string;
  start?: string;
  end?: string;
}

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/;

/** A Go duration as Tempo's legacy search takes it (`100ms`, `1.5s`), checked and passed to TraceQL as written. */
function duration(name: string, value: string): string {
  const text = value.trim();
  if (!DURATION.test(text))
    throw new SearchParamError(`invalid ${name} "${value}": expected a duration such as 100ms or 1.5s`);
  return text.replace('µs', 'us');
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new SearchParamError(`invalid ${name} "${value}": expected a positive integer`);
  return n;
}

/**
 * Tempo's legacy `tags` (logfmt: `service.name=frontend http.status_code=500 "key with space"="v"`)
 * as TraceQL conditions on unscoped attributes; a number-like value also matches the number.
 */
export function legacyTagsToTraceQL(tags: string): string[] {
  const conditions: string[] = [];
  const pattern = /\s*(?:"((?:[^"\\]|\\.)*)"|([^\s=]+))=(?:"((?:[^"\\]|\\.)*)"|(\S*))/y;
  let at = 0;
  const text = tags.trim();
  while (at < text.length) {
    pattern.lastIndex = at;
    const m = pattern.exec(text);
    if (!m) throw new SearchParamError(`invalid tags "${tags}": expected logfmt key=value pairs`);
    at = pattern.lastIndex;
    const key = m[1] ?? m[2];
    const value = m[3] ?? m[4];
    const field =
      key === 'name' || key === 'status'
        ? key
        : /^[\w.\-/]+$/.test(key)
          ? `.${key}`
          : `."${key.replaceAll('"', '\\"')}"`;
    if (key === 'status') {
      conditions.push(`status = ${value}`);
      continue;
    }
    const quoted = JSON.stringify(value);
    conditions.push(
      /^-?\d+(\.\d+)?$/.test(value)
        ? `(${field} = ${quoted} || ${field} = ${value})`
        : `${field} = ${quoted}`,
    );
    while (at < text.length && text[at] === ' ') at++;
  }
  return conditions;
}

export function parseSearchParams(
  query: RawSearchQuery,
  defaults: { limit: number; maxLimit: number; spss: number },
): SearchParams {
  const limit = Math.min(positiveInt('limit', query.limit, defaults.limit), defaults.maxLimit);
  const spss = positiveInt('spss', query.spss, defaults.spss);
  const { startMs, endMs } = parseTimeRange(query);
  let traceql = query.q?.trim() ?? '';
  if (traceql === '') {
    const conditions = query.tags ? legacyTagsToTraceQL(query.tags) : [];
    // Tempo's legacy duration filters apply to the whole trace.
    if (query.minDuration) conditions.push(`traceDuration >= ${duration('minDuration', query.minDuration)}`);
    if (query.maxDuration) conditions.push(`traceDuration <= ${duration('maxDuration', query.maxDuration)}`);
    traceql = `{ ${conditions.join(' && ')} }`;
  }
  return { traceql, limit, spss, startMs, endMs };
}
