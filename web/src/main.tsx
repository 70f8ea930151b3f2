import { createRoot } from 'react-dom/client';
import { createBrowserRouter } from 'react-router';
import { createQueryClient } from './api/query-client';
import { AppProviders } from './app/AppProviders';
import { routes } from './app/routes';
import { getTraceWorker } from './trace-worker/trace-worker';
import './styles/tokens.css';
import './styles/app.css';
import './styles/trace.css';

// Boot the trace worker now, so it is ready by the time the trace's bytes arrive.
getTraceWorker();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(<AppProviders client={createQueryClient()} router={createBrowserRouter(routes)} />);
