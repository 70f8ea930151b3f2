/**
 * index.html starts fetching the trace of a `/trace/<id>` URL before the bundle loads, so the
 * server works while the app boots. The first request for that same trace adopts the response.
 */
interface TracePrefetch {
  id: string;
  tenant: string;
  response: Promise<Response>;
}

declare global {
  interface Window {
    __loupeTracePrefetch?: TracePrefetch;
  }
}

/** The prefetched response for this trace and tenant, once; undefined otherwise. */
export function takePrefetchedTrace(traceId: string, tenant: string): Promise<Response> | undefined {
  if (typeof window === 'undefined') return undefined;
  const prefetch = window.__loupeTracePrefetch;
  if (!prefetch || prefetch.id !== traceId || prefetch.tenant !== tenant) return undefined;
  window.__loupeTracePrefetch = undefined;
  return prefetch.response;
}
