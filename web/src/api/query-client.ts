import { QueryClient } from '@tanstack/react-query';
import { getTraceWorker } from '../trace/worker/trace-worker';
import { ApiError } from './client';

/**
 * Server data lives here. Traces are immutable, so they never go stale; only network errors and
 * 5xx are retried (twice, quickly) before the error state with its Retry button shows.
 */
export function createQueryClient(options: { retry?: boolean } = {}): QueryClient {
  const client = new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: Number.POSITIVE_INFINITY,
        gcTime: 10 * 60_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) =>
          options.retry !== false && error instanceof ApiError && error.retryable && failures < 2,
        retryDelay: (attempt) => 250 * 2 ** attempt,
      },
    },
  });
  // A trace dropped from the cache is dropped by the trace worker too.
  client.getQueryCache().subscribe((event) => {
    const data = event.type === 'removed' ? event.query.state.data : undefined;
    if (event.query.queryKey[0] === 'trace' && data && typeof data === 'object' && 'workerKey' in data) {
      getTraceWorker().drop(String(data.workerKey));
    }
  });
  return client;
}
