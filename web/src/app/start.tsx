import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { takeBootTraceLoad } from '../api/client';
import { createQueryClient } from '../api/query-client';
import { createBrowserHistory } from '../router/history';
import { AppProviders } from './AppProviders';

/** Renders the app into #root. Loaded by main.tsx after the trace worker has been started. */
export async function startApp(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  const client = createQueryClient();
  // The server rendered this trace page (server/http/trace-page.ts): it stays on screen, inert,
  // until the app can replace it with the same trace, in one commit, rather than with a spinner.
  const prerendered = root.hasAttribute('data-prerendered');
  if (prerendered) {
    const boot = await takeBootTraceLoad();
    if (boot) client.setQueryData(boot.queryKey, boot.trace);
  }
  const app = createRoot(root);
  flushSync(() => app.render(<AppProviders client={client} history={createBrowserHistory()} />));
  if (prerendered) {
    root.removeAttribute('inert');
    root.removeAttribute('data-prerendered');
  }
}
