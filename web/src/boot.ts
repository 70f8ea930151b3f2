/**
 * Imported first by main.tsx, so it runs before React and the rest of the bundle are evaluated:
 * starts the trace worker and hands it the trace index.html prefetched.
 */
import { startPrefetchedTraceLoad } from './api/client';
import { getTraceWorker } from './trace-worker/trace-worker';

getTraceWorker();
startPrefetchedTraceLoad();
