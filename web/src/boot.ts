/**
 * Imported first by main.tsx, so it runs before React and the rest of the bundle are evaluated:
 * starts the trace worker and hands it the trace index.html prefetched.
 */
import { startPrefetchedTraceLoad } from './api/client';

// Takes over the trace worker index.html started (or starts one) and hands it the prefetched trace.
startPrefetchedTraceLoad();
// index.html's skeleton is laid out only now: its first layout (fonts) would hold this script back.
document.documentElement.classList.add('booted');
