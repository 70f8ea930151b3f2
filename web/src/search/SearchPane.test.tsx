import { screen, within } from '@testing-library/react';
import { CHECKOUT_TRACE_ID, mswServer } from '../../test/msw';
import { currentUrl, renderApp } from '../../test/render-app';
import { searchAnswer, tagHandlers } from '../../test/search-handlers';
import { readPanes } from '../explore/explore-url';

const panesOf = (url: string) => readPanes(new URLSearchParams(url.slice(url.indexOf('?') + 1)));

describe('Explore search pane', () => {
  it('opens a found trace in the pane beside the search, which stays', async () => {
    mswServer.use(searchAnswer(), ...tagHandlers);
    const { user, router } = renderApp(
      `/explore?left=search&search=${encodeURIComponent('{}')}&searchLimit=50`,
    );
    const pane = await screen.findByRole('region', { name: 'Search pane' });
    const table = await within(pane).findByRole('table', { name: 'Traces found' });
    expect(within(pane).getByRole('combobox', { name: 'Limit' })).toHaveValue('50');
    const link = within(table).getByRole('link', { name: `Trace ${CHECKOUT_TRACE_ID}` });
    expect(link.getAttribute('href')).toContain(`right=trace&traceId=${CHECKOUT_TRACE_ID}`);

    await user.click(within(table).getAllByRole('row')[2].querySelectorAll('td')[1]);
    expect(panesOf(currentUrl(router))).toEqual([
      { type: 'search', query: '{}', limit: 50 },
      { type: 'trace', traceId: CHECKOUT_TRACE_ID },
    ]);
    const trace = screen.getByRole('region', { name: 'Trace pane' });
    expect(await within(trace).findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
    expect(
      within(screen.getByRole('region', { name: 'Search pane' })).getByRole('table'),
    ).toBeInTheDocument();
  });

  it('is offered by Split and writes its query into Explore’s URL', async () => {
    mswServer.use(searchAnswer(), ...tagHandlers);
    const { user, router } = renderApp('/explore');
    const logs = await screen.findByRole('region', { name: 'Logs pane' });
    await user.click(within(logs).getByRole('button', { name: 'Split' }));
    await user.click(screen.getByRole('menuitem', { name: 'Search' }));
    const pane = await screen.findByRole('region', { name: 'Search pane' });
    await user.type(
      within(pane).getByRole('combobox', { name: 'TraceQL query' }),
      '{{ status = error }{Enter}',
    );
    // The default limit stays out of the URL.
    expect(panesOf(currentUrl(router))[1]).toEqual({ type: 'search', query: '{ status = error }' });
    expect(currentUrl(router)).not.toContain('searchLimit');
    expect(await within(pane).findByRole('table', { name: 'Traces found' })).toBeInTheDocument();
  });
});
