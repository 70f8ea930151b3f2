import { screen, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { CHECKOUT_TRACE_ID, configWithDerivedFields, mswServer } from '../../../test/msw';
import { currentUrl, renderApp } from '../../../test/render-app';
import { readPanes } from '../../explore/explore-url';

afterEach(() => mswServer.events.removeAllListeners());

async function openRecentLogs(path = '/') {
  const app = renderApp(path);
  const panel = await screen.findByRole('region', { name: 'Recent logs' });
  const list = await within(panel).findByRole('list', { name: 'Log lines' });
  return { ...app, panel, list };
}

describe('recent logs on the landing page', () => {
  it('asks Loki for the newest lines of every service over the global range', async () => {
    const asked: URLSearchParams[] = [];
    mswServer.events.on('request:start', ({ request }) => {
      if (request.url.includes('/loki/api/v1/query_range')) asked.push(new URL(request.url).searchParams);
    });
    await openRecentLogs('/?from=1715679000000&to=1715679600000');
    expect(asked).toHaveLength(1);
    expect(asked[0].get('query')).toBe('{service_name=~".+"}');
    expect(asked[0].get('limit')).toBe('20');
    expect(asked[0].get('direction')).toBe('backward');
    expect(asked[0].get('start')).toBe('1715679000000000000');
    expect(asked[0].get('end')).toBe('1715679600000000000');
  });

  it('shows only the error lines on request, kept in the URL and carried to Explore', async () => {
    const asked: string[] = [];
    mswServer.events.on('request:start', ({ request }) => {
      if (request.url.includes('/loki/api/v1/query_range'))
        asked.push(new URL(request.url).searchParams.get('query') ?? '');
    });
    const { panel, user, router } = await openRecentLogs('/?from=now-6h&to=now');
    await user.click(within(panel).getByRole('radio', { name: 'Errors' }));
    await within(panel).findByRole('list', { name: 'Log lines' });
    expect(asked.at(-1)).toBe('{service_name=~".+"} | detected_level=~"error|critical|fatal"');
    expect(currentUrl(router)).toBe('/?from=now-6h&to=now&logs=errors');
    const explore = within(panel).getByRole('link', { name: 'Open in Explore' });
    expect(readPanes(new URL(explore.getAttribute('href') ?? '', 'http://x').searchParams)[0]).toMatchObject({
      type: 'logs',
      query: '{service_name=~".+"} | detected_level=~"error|critical|fatal"',
    });
    await user.click(within(panel).getByRole('radio', { name: 'All' }));
    expect(currentUrl(router)).toBe('/?from=now-6h&to=now');
    expect(within(panel).getByRole('radio', { name: 'All' })).toBeChecked();
  });

  it('shows the lines newest first, with their service, and marks the error line', async () => {
    const { panel, list } = await openRecentLogs();
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('card declined (insufficient funds)');
    expect(items[0]).toHaveTextContent('payment');
    expect(items[1]).toHaveTextContent('order placed');
    expect(items[1]).toHaveTextContent('checkout');
    expect(within(panel).getByText('1 error')).toBeInTheDocument();
    expect(items[0].querySelector('.log-row')).toHaveClass('log-level--error');
    expect(items[1].querySelector('.log-row')).toHaveClass('log-level--info');
  });

  it('opens the waterfall from an OTLP record’s trace link', async () => {
    const { list, user, router } = await openRecentLogs('/?from=now-6h&to=now');
    const record = within(list).getAllByRole('listitem')[0];
    const link = within(record).getByRole('link', { name: 'Trace' });
    expect(link).toHaveAttribute('href', `/trace/${CHECKOUT_TRACE_ID}?from=now-6h&to=now`);
    await user.click(link);
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}?from=now-6h&to=now`);
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
  });

  it('links a trace ID a derived field finds in the line to the trace page', async () => {
    mswServer.use(configWithDerivedFields());
    const { list, user, router } = await openRecentLogs();
    const line = within(list).getAllByRole('listitem')[1];
    const link = await within(line).findByRole('link', { name: CHECKOUT_TRACE_ID });
    expect(link).toHaveAttribute('href', `/trace/${CHECKOUT_TRACE_ID}`);
    // The OTLP record's link takes the field's name, as in Explore.
    expect(
      within(within(list).getAllByRole('listitem')[0]).getByRole('link', { name: 'TraceID' }),
    ).toBeVisible();
    await user.click(link);
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
  });

  it('opens the same query in Explore’s logs pane', async () => {
    const { panel, user, router } = await openRecentLogs('/?from=now-6h&to=now');
    await user.click(within(panel).getByRole('link', { name: 'Open in Explore' }));
    const url = currentUrl(router);
    expect(url.startsWith('/explore?')).toBe(true);
    const params = new URLSearchParams(url.slice(url.indexOf('?') + 1));
    expect(readPanes(params)).toEqual([{ type: 'logs', query: '{service_name=~".+"}' }]);
    expect(params.get('from')).toBe('now-6h');
    const pane = await screen.findByRole('region', { name: 'Logs pane' });
    expect(await within(pane).findByRole('list', { name: 'Log lines' })).toHaveTextContent('order placed');
  });

  it('says when there are no lines, and when Loki cannot answer', async () => {
    mswServer.use(
      http.get('*/loki/api/v1/query_range', () =>
        HttpResponse.json({ status: 'success', data: { resultType: 'streams', result: [] } }),
      ),
    );
    const { unmount } = renderApp('/');
    const panel = await screen.findByRole('region', { name: 'Recent logs' });
    expect(await within(panel).findByText('No logs in this time range.')).toBeInTheDocument();
    unmount();

    mswServer.use(
      http.get(
        '*/loki/api/v1/query_range',
        () => new HttpResponse('the logs store is closed', { status: 503 }),
      ),
    );
    renderApp('/');
    const failed = await screen.findByRole('region', { name: 'Recent logs' });
    expect(await within(failed).findByText(/^Unavailable: .*the logs store is closed/)).toBeInTheDocument();
  });
});
