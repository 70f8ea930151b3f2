import { type QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { RouterHistory } from '../router/history';
import { RouterProvider } from '../router/router';
import { Layout } from './Layout';
import { routes } from './routes';

/** Server-data cache and router around the whole app; tests pass a memory history. */
export function AppProviders({ client, history }: { client: QueryClient; history: RouterHistory }) {
  return (
    <QueryClientProvider client={client}>
      <RouterProvider history={history} routes={routes} layout={Layout} />
    </QueryClientProvider>
  );
}
