import { EMPTY_FILTER, type SpanFilterInput } from '../trace/model/filter';
import { DEFAULT_TIME_RANGE, type TimeRange } from './time-range';

/**
 * The URL is the one source of truth for anything shareable. Global parameters (tenant, time
 * range) follow the user from page to page; trace parameters belong to the trace view.
 */
export const GLOBAL_PARAMS = ['tenant', 'from', 'to'] as const;

const FILTER_PARAMS = {
  service: 'service',
  text: 'op',
  attributes: 'attr',
  minDuration: 'minDur',
  errorsOnly: 'errors',
} as const;

export function readTimeRange(params: URLSearchParams): TimeRange {
  return {
    from: params.get('from') || DEFAULT_TIME_RANGE.from,
    to: params.get('to') || DEFAULT_TIME_RANGE.to,
  };
}

export function readTenant(params: URLSearchParams): string {
  return params.get('tenant') ?? '';
}

export function readFilter(params: URLSearchParams): SpanFilterInput {
  return {
    service: params.get(FILTER_PARAMS.service) ?? '',
    text: params.get(FILTER_PARAMS.text) ?? '',
    attributes: params.get(FILTER_PARAMS.attributes) ?? '',
    minDuration: params.get(FILTER_PARAMS.minDuration) ?? '',
    errorsOnly: params.get(FILTER_PARAMS.errorsOnly) === '1',
  };
}

/** A copy of `params` with the filter written in (empty fields are removed). */
export function writeFilter(params: URLSearchParams, filter: SpanFilterInput): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const field of Object.keys(FILTER_PARAMS) as (keyof SpanFilterInput)[]) {
    const value = filter[field];
    const name = FILTER_PARAMS[field];
    if (value === '' || value === false || value === EMPTY_FILTER[field]) next.delete(name);
    else next.set(name, value === true ? '1' : String(value));
  }
  return next;
}

/** A copy of `params` with `name` set, or removed when the value is empty. */
export function withParam(params: URLSearchParams, name: string, value: string | null): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null || value === '') next.delete(name);
  else next.set(name, value);
  return next;
}

/** Only the global parameters of `params`. */
export function globalParams(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams();
  for (const name of GLOBAL_PARAMS) {
    const value = params.get(name);
    if (value) next.set(name, value);
  }
  return next;
}

/**
 * Link to a trace, keeping the global parameters of the current URL.
 * @example traceHref('abc', new URLSearchParams('tenant=t1&op=x'), { span: '01' }) === '/trace/abc?tenant=t1&span=01'
 */
export function traceHref(
  traceId: string,
  current: URLSearchParams,
  extra: { span?: string; source?: 'file' } = {},
): string {
  const params = globalParams(current);
  if (extra.source) params.set('ds', extra.source);
  if (extra.span) params.set('span', extra.span);
  const query = params.toString();
  return `/trace/${encodeURIComponent(traceId)}${query ? `?${query}` : ''}`;
}

/**
 * Link to the Search page with the global parameters kept (a search's own link is `searchHref`
 * in search/search-url.ts, which the app's first chunk does not load).
 */
export function searchPageHref(current: URLSearchParams): string {
  const query = globalParams(current).toString();
  return query ? `/search?${query}` : '/search';
}

/** Link to the landing page with the global parameters kept. */
export function homeHref(current: URLSearchParams): string {
  const query = globalParams(current).toString();
  return query ? `/?${query}` : '/';
}
