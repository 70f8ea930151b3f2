/**
 * index.html starts fetching the trace of a `/trace/<id>` URL before the bundle loads, so the
 * server works while the app boots. At boot the app hands that response to the trace worker
 * (`startPrefetchedTraceLoad`), and the page's query for that trace adopts the load.
 */
export interface TracePrefetch {
  id: string;
  tenant: string;
  response: Promise<Response>;
  /** The trace worker, started by index.html in production builds (see vite.config.ts). */
  worker?: Worker;
  /** Set when that worker's script failed to load, before the app could listen. */
  workerFailed?: boolean;
}

declare global {
  interface Window {
    __loupeTracePrefetch?: TracePrefetch;
  }
}

/** The prefetch, whatever its trace, once. */
export function takeAnyPrefetch(): TracePrefetch | undefined {
  if (typeof window === 'undefined') return undefined;
  const prefetch = window.__loupeTracePrefetch;
  window.__loupeTracePrefetch = undefined;
  return prefetch;
}
