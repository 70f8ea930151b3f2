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

const start = () => void import('./app/start').then(({ startApp }) => startApp());
// A page the server rendered is painted first: evaluating the app's code would hold that frame back.
if (document.getElementById('root')?.hasAttribute('data-prerendered'))
  requestAnimationFrame(() => setTimeout(start));
else start();
