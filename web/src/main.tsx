// The entry chunk is kept small: it starts the trace worker and hands it the prefetched trace
// (boot.ts), then loads React and the app as a separate chunk. Decoding a big trace thus overlaps
// the download and evaluation of the app's code instead of waiting for it.
import './boot';
// Every stylesheet is imported here, not by components: the build makes one file of them anyway
// (cssCodeSplit: false), and the server imports components to render trace pages ahead of the app.
import './styles/tokens.css';
import './styles/app.css';
import './styles/trace.css';
import './explore/span-signal-links.css';
import './explore/explore-nav.css';
import './styles/explore.css';
import './styles/logs.css';
import './styles/metrics.css';
import './styles/search.css';
import './styles/recent-traces.css';
import './styles/landing.css';

// index.html loads this script `async`: on a trace page the server may still be rendering the page
// (server/http/trace-page.ts) while the app's code loads, so the app waits for the document, not
// the other way round.
const parsed = new Promise<void>((resolve) => {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => resolve());
  else resolve();
});
void Promise.all([import('./app/start'), parsed]).then(([{ startApp }]) => startApp());
