import { lazy, Suspense } from 'react';
import { LandingPage } from '../components/LandingPage';
import { NotFoundPage } from '../components/NotFoundPage';
import type { AppRoute } from '../router/router';
import { TracePage } from '../trace/components/TracePage';

// Explore (logs, metrics, split panes) is its own chunk: the trace page's first paint does not wait for it.
const ExplorePage = lazy(() => import('../explore/ExplorePage').then((m) => ({ default: m.ExplorePage })));
const SearchPage = lazy(() => import('../search/SearchPage').then((m) => ({ default: m.SearchPage })));

function PageLoading() {
  return (
    <div className="loading-state" role="status">
      <span className="spinner" aria-hidden="true" />
      Loading…
    </div>
  );
}

/** Every page of the SPA (inside `Layout`); the server answers these paths with index.html. */
export const routes: AppRoute[] = [
  { path: '/', element: <LandingPage /> },
  { path: '/trace/:traceId', element: <TracePage /> },
  {
    path: '/explore',
    element: (
      <Suspense fallback={<PageLoading />}>
        <ExplorePage />
      </Suspense>
    ),
  },
  {
    path: '/search',
    element: (
      <Suspense fallback={<PageLoading />}>
        <SearchPage />
      </Suspense>
    ),
  },
  { path: '*', element: <NotFoundPage /> },
];
