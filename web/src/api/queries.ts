import { keepPreviousData, type QueryClient, useQuery } from '@tanstack/react-query';
import type { CompiledFilter } from '../trace/model/filter';
import { getTraceWorker } from '../trace/worker/trace-worker';
import type { ApiError } from './client';
import { fetchClientConfig, fetchTrace, type LoadedTrace } from './client';
import { type DataSource, traceQueryKey, traceWorkerKey } from './keys';

export type { DataSource } from './keys';
export { traceQueryKey } from './keys';

export function useClientConfig() {
  return useQuery({
    queryKey: ['loupe-config'],
    queryFn: ({ signal }) => fetchClientConfig(signal),
  });
}

/**
 * The trace shown by a pane: one request per (source, tenant, ID), cached for the session.
 * File traces are put in the cache by `storeFileTrace` and are never fetched.
 */
export function useTrace(traceId: string, tenant: string, dataSource: DataSource) {
  const queryKey = traceQueryKey(dataSource, dataSource === 'file' ? '' : tenant, traceId);
  return useQuery<LoadedTrace | null, ApiError>({
    queryKey,
    queryFn: ({ signal }) =>
      fetchTrace(traceId, { tenant: tenant || undefined, signal, workerKey: traceWorkerKey(queryKey) }),
    enabled: dataSource === 'loupe',
  });
}

/** Makes a trace read from a file available under its ID without any request. */
export function storeFileTrace(client: QueryClient, trace: LoadedTrace): void {
  const key = traceQueryKey('file', '', trace.layout.traceId);
  const previous = client.getQueryData<LoadedTrace | null>(key);
  if (previous && previous.workerKey !== trace.workerKey) getTraceWorker().drop(previous.workerKey);
  client.setQueryData(key, trace);
}

/** A span's full details (attributes, events, links), from the trace worker. */
export function useSpanDetails(trace: LoadedTrace, index: number) {
  return useQuery({
    queryKey: ['span', trace.workerKey, index],
    queryFn: () => getTraceWorker().span(trace.workerKey, index),
  });
}

/** Spans matching a compiled filter (null: no filter), computed in the trace worker. */
export function useSpanMatches(trace: LoadedTrace, filter: CompiledFilter | null) {
  return useQuery({
    queryKey: ['matches', trace.workerKey, filter],
    queryFn: () => getTraceWorker().match(trace.workerKey, filter!),
    enabled: filter !== null,
    placeholderData: keepPreviousData,
  });
}
