import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createQueryClient } from '../src/api/query-client';
import { AppProviders } from '../src/app/AppProviders';
import { createMemoryHistory, type RouterHistory } from '../src/router/history';

/** Renders the whole app at `path`, as a user arriving there; retries are off so errors show at once. */
export function renderApp(path: string) {
  const history = createMemoryHistory(path);
  const client = createQueryClient({ retry: false });
  const user = userEvent.setup();
  const view = render(<AppProviders client={client} history={history} />);
  return { ...view, router: history, client, user };
}

/** The current URL of the memory history, as path plus query. */
export function currentUrl(history: RouterHistory): string {
  return `${history.location.pathname}${history.location.search}`;
}
