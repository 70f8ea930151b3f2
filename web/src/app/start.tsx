import { createRoot } from 'react-dom/client';
import { createQueryClient } from '../api/query-client';
import { createBrowserHistory } from '../router/history';
import { AppProviders } from './AppProviders';

/** Renders the app into #root. Loaded by main.tsx after the trace worker has been started. */
export function startApp(): void {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root element');
  createRoot(root).render(<AppProviders client={createQueryClient()} history={createBrowserHistory()} />);
}
