import type { QueryClient } from '@tanstack/react-query';
import { createRoot, type HydrationOptions, hydrateRoot, type Root } from 'react-dom/client';
import { takeBootTraceLoad } from '../api/client';
import { createQueryClient } from '../api/query-client';
import { createBrowserHistory, type RouterHistory } from '../router/history';
import { AppProviders } from './AppProviders';

/** Renders the app into #root. Loaded by main.tsx after the trace worker has been started. */
export async function startApp(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  const client = createQueryClient();
  const history = createBrowserHistory();
  if (!root.hasAttribute('data-prerendered')) {
    createRoot(root).render(<AppProviders client={client} history={history} />);
    return;
  }
  // The server rendered this trace page (server/http/trace-page.ts) from the same bytes the trace
  // worker is decoding. Its first paint goes first; then, once the worker has the trace, the app
  // adopts the page.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  const boot = await takeBootTraceLoad();
  if (boot) client.setQueryData(boot.queryKey, boot.trace);
  hydrateApp(root, client, history, {
    // A page that does not match (say, the trace grew in between): React renders it anew.
    onRecoverableError: (error) => console.info('Loupe: the page was rendered anew:', error),
  });
}

/**
 * Adopts a page the server rendered as the app's own first render (hydration): no DOM is rebuilt.
 * The page is inert until then, and live from the commit on. `client` must already hold what the
 * page shows.
 */
export function hydrateApp(
  root: HTMLElement,
  client: QueryClient,
  history: RouterHistory,
  options: HydrationOptions = {},
): Root {
  const live = () => {
    root.removeAttribute('inert');
    root.removeAttribute('data-prerendered');
  };
  return hydrateRoot(root, <AppProviders client={client} history={history} onCommitted={live} />, options);
}
