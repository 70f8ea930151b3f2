// The entry chunk is kept small: it starts the trace worker and hands it the prefetched trace
// (boot.ts), then loads React and the app as a separate chunk. Decoding a big trace thus overlaps
// the download and evaluation of the app's code instead of waiting for it.
import './boot';
import './styles/tokens.css';
import './styles/app.css';
import './styles/trace.css';

void import('./app/start').then(({ startApp }) => startApp());
