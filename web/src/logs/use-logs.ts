import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ApiError } from '../api/client';
import { resolveTimeExpr, type TimeRange } from '../state/time-range';
import type { Direction } from './log-rows';
import { fetchLabelNames, fetchLabelValues, fetchLogs, type LogsResult } from './loki-client';

/** How often "Live" asks again. */
export const LIVE_REFRESH_MS = 5000;

/**
 * The range in epoch milliseconds, resolved when a request is made: a relative range (`now-1h`)
 * moves forward on every refresh.
 */
export function resolveRange(range: TimeRange, nowMs = Date.now()): { startMs: number; endMs: number } {
  const endMs = resolveTimeExpr(range.to, nowMs) ?? nowMs;
  const startMs = resolveTimeExpr(range.from, nowMs) ?? endMs - 3600_000;
  return { startMs, endMs };
}

export interface LogsQueryInput {
  query: string;
  range: TimeRange;
  tenant: string;
  limit: number;
  direction: Direction;
  live: boolean;
}

/** The lines of a query; nothing is asked while the query is empty. */
export function useLogs(input: LogsQueryInput) {
  const { query, range, tenant, limit, direction, live } = input;
  return useQuery<LogsResult, ApiError>({
    queryKey: ['logs', tenant, query, range.from, range.to, limit, direction],
    queryFn: ({ signal }) =>
      fetchLogs({ query, ...resolveRange(range), limit, direction, tenant: tenant || undefined, signal }),
    enabled: query.trim() !== '',
    // Logs keep arriving: what was fetched is only fresh until asked again.
    staleTime: 0,
    refetchInterval: live ? LIVE_REFRESH_MS : false,
    // While another query, range or option loads, the last lines stay (marked as loading).
    placeholderData: keepPreviousData,
  });
}

/** Label names for suggestions: asked once while the pane is open. */
export function useLabelNames(range: TimeRange, tenant: string, enabled: boolean) {
  return useQuery<string[], ApiError>({
    queryKey: ['logs-labels', tenant],
    queryFn: ({ signal }) => fetchLabelNames({ ...resolveRange(range), tenant: tenant || undefined, signal }),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    // Dropped once no pane shows it: the next pane opened asks again (new labels may exist).
    gcTime: 0,
    retry: false,
  });
}

/** Values of one label, asked when the cursor first reaches a value of that label. */
export function useLabelValues(name: string | undefined, range: TimeRange, tenant: string) {
  return useQuery<string[], ApiError>({
    queryKey: ['logs-label-values', tenant, name],
    queryFn: ({ signal }) =>
      fetchLabelValues(name!, { ...resolveRange(range), tenant: tenant || undefined, signal }),
    enabled: Boolean(name),
    staleTime: 60_000,
    retry: false,
  });
}
