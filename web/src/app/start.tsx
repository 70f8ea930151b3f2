import { useLayoutEffect } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { takeBootTraceLoad } from '../api/client';
import { createQueryClient } from '../api/query-client';
import { createBrowserHistory } from '../router/history';
import { AppProviders } from './AppProviders';

/** Renders the app into #root. Loaded by main.tsx after the trace worker has been started. */
export async function startApp(): Promise<void> {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  const client = createQueryClient();
  const app = <AppProviders client={client} history={createBrowserHistory()} />;
  if (!root.hasAttribute('data-prerendered')) {
    createRoot(root).render(app);
    return;
  }
  // The server rendered this trace page (server/http/trace-page.ts) from the same bytes the trace
  // worker is decoding. Once the worker has the trace, the app adopts the page's markup as its
  // own first render (hydration), so nothing is rebuilt; until then the page stays inert.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  const boot = await takeBootTraceLoad();
  if (boot) client.setQueryData(boot.queryKey, boot.trace);
  const live = () => {
    root.removeAttribute('inert');
    root.removeAttribute('data-prerendered');
  };
  hydrateRoot(
    root,
    <>
      {app}
      <WhenCommitted then={live} />
    </>,
    {
      // A page that does not match (the trace changed in between): React renders it anew.
      onRecoverableError: (error) => console.info('Loupe: the page was rendered anew:', error),
    },
  );
}

function WhenCommitted({ then }: { then: () => void }) {
  useLayoutEffect(then, [then]);
  return null;
}
