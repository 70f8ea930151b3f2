// The entry chunk is kept small: it starts the trace worker and hands it the prefetched trace
// (boot.ts), then runs the app, a separate chunk that index.html preloads. Decoding a big trace
// thus overlaps the evaluation of the app's code instead of waiting for it.
import { prefetchHandedOver } from './boot';
import './styles/tokens.css';
import './styles/app.css';
import './styles/trace.css';

/**
 * The app's code runs once the prefetched trace's bytes are with the worker, waiting at most
 * this long for them: evaluating it is one long task, and bytes arriving during it would wait
 * here, while the worker, which does the slow part, sat idle. index.html's skeleton shows meanwhile.
 */
const APP_WAITS_FOR_TRACE_MS = 400;

void Promise.race([prefetchHandedOver, new Promise((resolve) => setTimeout(resolve, APP_WAITS_FOR_TRACE_MS))])
  .then(() => import('./app/start'))
  .then(({ startApp }) => startApp());
