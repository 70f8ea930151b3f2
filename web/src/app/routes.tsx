import type { RouteObject } from 'react-router';
import { LandingPage } from '../components/LandingPage';
import { NotFoundPage } from '../components/NotFoundPage';
import { TracePage } from '../components/trace/TracePage';
import { Layout } from './Layout';

/** Every page of the SPA; the server answers these paths with index.html. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <LandingPage /> },
      { path: 'trace/:traceId', element: <TracePage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
