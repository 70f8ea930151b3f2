import { screen, waitFor, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { checkoutSpanIds } from '../../../fixtures/ui/checkout-trace';
import { CHECKOUT_TRACE_ID, configWithDerivedFields, mswServer } from '../../test/msw';
import { currentUrl, renderApp } from '../../test/render-app';
import { readPanes } from '../explore/explore-url';

const QUERY = '{service_name="checkout"}';
const logsUrl = (query = QUERY, extra = '') => `/explore?left=logs&logs=${encodeURIComponent(query)}${extra}`;
const panesOf = (url: string) => readPanes(new URLSearchParams(url.slice(url.indexOf('?') + 1)));

async function openLogs(query = QUERY, extra = '') {
  const app = renderApp(logsUrl(query, extra));
  const pane = await screen.findByRole('region', { name: 'Logs pane' });
  const list = await within(pane).findByRole('list', { name: 'Log lines' });
  return { ...app, pane, list };
}

describe('logs pane', () => {
  it('shows each line with its time, service and level', async () => {
    const { list } = await openLogs();
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    // Newest first: the payment record (60 ms) before the checkout line (40 ms).
    expect(items[0]).toHaveTextContent('card declined (insufficient funds)');
    expect(items[0]).toHaveTextContent('payment');
    expect(items[0]).toHaveTextContent('error');
    expect(items[0]).toHaveTextContent(/2024-05-14 \d\d:30:00\.060/);
    expect(items[1]).toHaveTextContent(`level=info msg="order placed" trace_id=${CHECKOUT_TRACE_ID}`);
    expect(items[1]).toHaveTextContent('info');
  });

  it('asks Loki for the query over the global range, with label kinds apart and the tenant', async () => {
    const requests: Request[] = [];
    mswServer.events.on('request:start', ({ request }) => {
      if (request.url.includes('/query_range')) requests.push(request);
    });
    await openLogs(QUERY, '&from=1715679000000&to=1715679600000&tenant=team-a');
    const url = new URL(requests[0].url);
    expect(url.searchParams.get('query')).toBe(QUERY);
    expect(url.searchParams.get('start')).toBe('1715679000000000000');
    expect(url.searchParams.get('end')).toBe('1715679600000000000');
    expect(url.searchParams.get('direction')).toBe('backward');
    expect(url.searchParams.get('limit')).toBe('1000');
    expect(requests[0].headers.get('x-loki-response-encoding-flags')).toBe('categorize-labels');
    expect(requests[0].headers.get('x-scope-orgid')).toBe('team-a');
    mswServer.events.removeAllListeners();
  });

  it('asks again with the chosen limit and order', async () => {
    const asked: URLSearchParams[] = [];
    mswServer.events.on('request:start', ({ request }) => {
      if (request.url.includes('/query_range')) asked.push(new URL(request.url).searchParams);
    });
    const { user } = await openLogs();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Limit' }), '100 lines');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Order' }), 'Oldest first');
    await waitFor(() => expect(asked.at(-1)?.get('direction')).toBe('forward'));
    expect(asked.at(-1)?.get('limit')).toBe('100');
    // Oldest first: the checkout line (40 ms) before the payment record (60 ms).
    await waitFor(() =>
      expect(
        within(screen.getByRole('list', { name: 'Log lines' })).getAllByRole('listitem')[0],
      ).toHaveTextContent('order placed'),
    );
    mswServer.events.removeAllListeners();
  });

  it('links the trace ID a derived field finds in the line, and opens the trace beside the logs', async () => {
    mswServer.use(configWithDerivedFields());
    const { list, user, router } = await openLogs();
    const link = await within(list).findByRole('link', { name: CHECKOUT_TRACE_ID });
    expect(link).toHaveAttribute('href', expect.stringContaining(`right=trace&traceId=${CHECKOUT_TRACE_ID}`));
    await user.click(link);
    expect(panesOf(currentUrl(router))).toEqual([
      { type: 'logs', query: QUERY },
      { type: 'trace', traceId: CHECKOUT_TRACE_ID },
    ]);
    const tracePane = screen.getByRole('region', { name: 'Trace pane' });
    expect(await within(tracePane).findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
    // The logs stay in view beside it.
    expect(screen.getByRole('region', { name: 'Logs pane' })).toHaveTextContent('order placed');
  });

  it('gives OTLP records a trace link without a regex, and details with a button', async () => {
    mswServer.use(configWithDerivedFields());
    const { list, user, router } = await openLogs();
    const record = within(list).getAllByRole('listitem')[0];
    expect(within(record).getByRole('link', { name: 'TraceID' })).toBeInTheDocument();
    await user.click(within(record).getByRole('button', { name: 'Show log details' }));
    const fields = within(record).getByRole('table', { name: 'Fields' });
    expect(within(fields).getByRole('rowheader', { name: 'TraceID' })).toBeInTheDocument();
    expect(fields).toHaveTextContent(CHECKOUT_TRACE_ID);
    const metadata = within(record).getByRole('table', { name: 'Structured metadata' });
    expect(metadata).toHaveTextContent(checkoutSpanIds(CHECKOUT_TRACE_ID).charge);
    expect(within(record).getByRole('table', { name: 'Labels' })).toHaveTextContent('payment');
    await user.click(within(fields).getByRole('link', { name: 'Open trace' }));
    expect(panesOf(currentUrl(router))[1]).toEqual({ type: 'trace', traceId: CHECKOUT_TRACE_ID });
  });

  it('opens an external derived field in a new tab', async () => {
    mswServer.use(
      configWithDerivedFields([
        {
          name: 'Order',
          matcherRegex: 'msg="(order \\w+)"',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana URL template
          url: 'https://orders.example/?q=${__value.raw}',
        },
      ]),
    );
    const { list } = await openLogs();
    const link = await within(list).findByRole('link', { name: 'order placed' });
    expect(link).toHaveAttribute('href', 'https://orders.example/?q=order placed');
    expect(link).toHaveAttribute('target', '_blank');
    expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  });

  it('shows Loki’s message under the query box when the query is refused, and stays usable', async () => {
    mswServer.use(
      http.get(
        '*/loki/api/v1/query_range',
        () =>
          new HttpResponse('parse error at line 1, col 12: syntax error: unexpected IDENTIFIER', {
            status: 400,
          }),
      ),
    );
    const app = renderApp(logsUrl('{service_name="checkout" oops'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'parse error at line 1, col 12: syntax error: unexpected IDENTIFIER',
    );
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    mswServer.resetHandlers();
    const box = screen.getByRole('combobox', { name: 'Log query' });
    await app.user.clear(box);
    await app.user.type(box, '{{service_name="checkout"}{Enter}');
    expect(await screen.findByRole('list', { name: 'Log lines' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(panesOf(currentUrl(app.router))[0]).toEqual({ type: 'logs', query: QUERY });
  });

  it('says when nothing matched in the time range', async () => {
    renderApp(logsUrl('{service_name="nobody"}'));
    expect(await screen.findByText('No logs in this time range.')).toBeInTheDocument();
  });

  it('suggests label names and values inside the selector', async () => {
    const app = renderApp('/explore?left=logs');
    const box = await screen.findByRole('combobox', { name: 'Log query' });
    await app.user.type(box, '{{ser');
    const names = await screen.findByRole('listbox', { name: 'Suggestions' });
    await app.user.click(within(names).getByRole('option', { name: 'service_name' }));
    expect(box).toHaveValue('{service_name="');
    const values = await screen.findByRole('listbox', { name: 'Suggestions' });
    await waitFor(() => expect(within(values).getByRole('option', { name: 'payment' })).toBeInTheDocument());
    await app.user.keyboard('pay{ArrowDown}{Enter}');
    expect(box).toHaveValue('{service_name="payment"');
    await app.user.keyboard('}{Enter}');
    expect(await screen.findByRole('list', { name: 'Log lines' })).toBeInTheDocument();
    expect(panesOf(currentUrl(app.router))[0]).toEqual({ type: 'logs', query: '{service_name="payment"}' });
  });

  it('runs the query on Enter even while suggestions are loading', async () => {
    mswServer.use(http.get('*/loki/api/v1/labels', () => new Promise<Response>(() => {})));
    const app = renderApp('/explore?left=logs');
    const box = await screen.findByRole('combobox', { name: 'Log query' });
    await app.user.type(box, '{{service_name="checkout"}{Enter}');
    expect(await screen.findByRole('list', { name: 'Log lines' })).toBeInTheDocument();
  });
});
