import { useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import type { TimeRange } from '../state/time-range';
import {
  fetchTagNames,
  fetchTagValues,
  searchTraces,
  type TagScope,
  type TagValue,
  type TempoSearchResponse,
} from './search-api';
import { searchWindow } from './search-url';

export interface TraceSearchInput {
  query: string;
  limit: number;
  range: TimeRange;
  tenant: string;
}

/**
 * The traces a query finds; nothing is asked while the query is empty. Not retried: a timeout
 * retried would triple the wait, and the error states carry their own Retry button.
 */
export function useTraceSearch({ query, limit, range, tenant }: TraceSearchInput) {
  return useQuery<TempoSearchResponse, ApiError>({
    queryKey: ['search', tenant, query, range.from, range.to, limit],
    queryFn: ({ signal }) =>
      searchTraces({ query, limit, ...searchWindow(range), tenant: tenant || undefined, signal }),
    enabled: query.trim() !== '',
    // New traces keep arriving: a search shown again (back, a return to the page) asks again.
    staleTime: 0,
    gcTime: 60_000,
    retry: false,
  });
}

/** Attribute names of one scope for completion, asked when the editor first needs them. */
export function useTagNames(scope: TagScope | undefined, range: TimeRange, tenant: string) {
  return useQuery<string[], ApiError>({
    queryKey: ['search-tags', tenant, scope],
    queryFn: ({ signal }) =>
      fetchTagNames(scope!, { ...searchWindow(range), tenant: tenant || undefined, signal }),
    enabled: scope !== undefined,
    staleTime: 60_000,
    retry: false,
  });
}

/** Values of one attribute or intrinsic (`resource.service.name`, `name`). */
export function useTagValues(tag: string | undefined, range: TimeRange, tenant: string) {
  return useQuery<TagValue[], ApiError>({
    queryKey: ['search-tag-values', tenant, tag],
    queryFn: ({ signal }) =>
      fetchTagValues(tag!, { ...searchWindow(range), tenant: tenant || undefined, signal }),
    enabled: Boolean(tag),
    staleTime: 60_000,
    retry: false,
  });
}
