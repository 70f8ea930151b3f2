import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter } from 'react-router';
import { createQueryClient } from '../src/api/query-client';
import { AppProviders } from '../src/app/AppProviders';
import { routes } from '../src/app/routes';

/** Renders the whole app at `path`, as a user arriving there; retries are off so errors show at once. */
export function renderApp(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  const client = createQueryClient({ retry: false });
  const user = userEvent.setup();
  const view = render(<AppProviders client={client} router={router} />);
  return { ...view, router, client, user };
}

/** The current URL of the memory router, as path plus query. */
export function currentUrl(router: ReturnType<typeof createMemoryRouter>): string {
  return `${router.state.location.pathname}${router.state.location.search}`;
}
