// First: starts the trace worker and the prefetched trace's decoding before React loads.
import './boot';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { createQueryClient } from './api/query-client';
import { AppProviders } from './app/AppProviders';
import { routes } from './app/routes';
import './styles/tokens.css';
import './styles/app.css';
import './styles/trace.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(<AppProviders client={createQueryClient()} router={createBrowserRouter(routes)} />);
