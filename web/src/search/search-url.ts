import { resolveTimeExpr, type TimeRange } from '../state/time-range';
import { globalParams } from '../state/url-state';

/**
 * A search is a link: `/search?q=<TraceQL>&limit=<n>` plus the global `from`/`to`/`tenant`
 * (Explore's search pane keeps the same two as `search=` and `searchLimit=`, see explore-url.ts).
 */
export interface SearchState {
  query: string;
  limit: number;
}

/** The limit selector's choices (Grafana offers 20 by default; 1000 is what the table is sized for). */
export const SEARCH_LIMITS = [20, 50, 100, 500, 1000] as const;
export const DEFAULT_SEARCH_LIMIT = 20;

/** A limit from the URL: a positive integer, capped at the largest choice; the default otherwise. */
export function parseLimit(text: string | null): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) return DEFAULT_SEARCH_LIMIT;
  return Math.min(n, SEARCH_LIMITS[SEARCH_LIMITS.length - 1]);
}

export function readSearchParams(params: URLSearchParams): SearchState {
  return { query: params.get('q') ?? '', limit: parseLimit(params.get('limit')) };
}

/** A copy of `params` holding `state`; the default limit and an empty query are left out. */
export function writeSearchParams(params: URLSearchParams, state: SearchState): URLSearchParams {
  const next = new URLSearchParams(params);
  if (state.query) next.set('q', state.query);
  else next.delete('q');
  if (state.limit !== DEFAULT_SEARCH_LIMIT) next.set('limit', String(state.limit));
  else next.delete('limit');
  return next;
}

/**
 * Link to the Search page for `state`, keeping the global parameters of `current`.
 * @example searchHref({ query: '{}', limit: 20 }, new URLSearchParams('from=now-6h&op=x')) === '/search?from=now-6h&q=%7B%7D'
 */
export function searchHref(state: SearchState | undefined, current: URLSearchParams): string {
  const params = state ? writeSearchParams(globalParams(current), state) : globalParams(current);
  const query = params.toString();
  return query ? `/search?${query}` : '/search';
}

/**
 * The range in unix seconds, resolved when the search runs (a relative range moves forward on
 * every run). The end is rounded up so traces of the current second are included.
 */
export function searchWindow(range: TimeRange, nowMs = Date.now()): { startSec: number; endSec: number } {
  const endMs = resolveTimeExpr(range.to, nowMs) ?? nowMs;
  const startMs = resolveTimeExpr(range.from, nowMs) ?? endMs - 3600_000;
  return { startSec: Math.floor(startMs / 1000), endSec: Math.ceil(endMs / 1000) };
}
