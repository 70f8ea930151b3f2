import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useLayoutEffect } from 'react';
import type { RouterHistory } from '../router/history';
import { RouterProvider } from '../router/router';
import { Layout } from './Layout';
import { routes } from './routes';

interface AppProvidersProps {
  client: QueryClient;
  history: RouterHistory;
  /** Called once the app's first render is on the page (never on the server). */
  onCommitted?: () => void;
}

/** Server-data cache and router around the whole app; tests pass a memory history. */
export function AppProviders({ client, history, onCommitted }: AppProvidersProps) {
  useLayoutEffect(() => onCommitted?.(), [onCommitted]);
  return (
    <QueryClientProvider client={client}>
      <RouterProvider history={history} routes={routes} layout={Layout} />
    </QueryClientProvider>
  );
}
