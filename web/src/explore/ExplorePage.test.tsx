import { screen, within } from '@testing-library/react';
import { checkoutSpanIds } from '../../../fixtures/ui/checkout-trace';
import { CHECKOUT_START_MS, CHECKOUT_TRACE_ID } from '../../test/msw';
import { currentUrl, renderApp } from '../../test/render-app';
import { readPanes } from './explore-url';
import { redQueries } from './signal-links';

const ids = checkoutSpanIds(CHECKOUT_TRACE_ID);
const paramsOf = (url: string) => new URLSearchParams(url.slice(url.indexOf('?') + 1));

describe('Explore', () => {
  it('opens a bare /explore as a logs pane, splits, and closes either pane', async () => {
    const { user, router } = renderApp('/explore');
    const logs = await screen.findByRole('region', { name: 'Logs pane' });
    expect(within(logs).getByRole('heading', { name: 'Logs' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Close/ })).not.toBeInTheDocument();

    await user.click(within(logs).getByRole('button', { name: 'Split' }));
    await user.click(screen.getByRole('menuitem', { name: 'Trace' }));
    const trace = screen.getByRole('region', { name: 'Trace pane' });
    await user.type(within(trace).getByRole('textbox', { name: 'Trace ID' }), `${CHECKOUT_TRACE_ID}{Enter}`);
    expect(await within(trace).findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
    expect(readPanes(paramsOf(currentUrl(router))).map((p) => p.type)).toEqual(['logs', 'trace']);

    await user.click(screen.getByRole('button', { name: 'Close Logs pane' }));
    expect(screen.queryByRole('region', { name: 'Logs pane' })).not.toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Trace pane' })).toBeInTheDocument();
    expect(readPanes(paramsOf(currentUrl(router)))).toEqual([{ type: 'trace', traceId: CHECKOUT_TRACE_ID }]);
  });

  it('is reached from the top bar, keeping the time range', async () => {
    const { user, router } = renderApp('/?from=now-6h&to=now');
    await user.click(await screen.findByRole('link', { name: 'Explore logs' }));
    expect(await screen.findByRole('region', { name: 'Logs pane' })).toBeInTheDocument();
    expect(currentUrl(router)).toBe('/explore?from=now-6h&to=now&left=logs&logs=');
    expect(screen.getByRole('link', { name: 'Explore logs' })).toHaveAttribute('aria-current', 'page');
  });

  it('restores a shared split view from its URL, span selection included', async () => {
    renderApp(
      `/explore?left=logs&logs=${encodeURIComponent('{service_name="payment"}')}&right=trace&traceId=${CHECKOUT_TRACE_ID}&span=${ids.charge}`,
    );
    const trace = await screen.findByRole('region', { name: 'Trace pane' });
    expect(
      await within(trace).findByRole('complementary', { name: 'PaymentService/Charge' }),
    ).toBeInTheDocument();
    const logs = screen.getByRole('region', { name: 'Logs pane' });
    expect(await within(logs).findByText('card declined (insufficient funds)')).toBeInTheDocument();
  });

  it('from a span on the trace page, opens that span’s logs beside the trace', async () => {
    const { user, router } = renderApp(`/trace/${CHECKOUT_TRACE_ID}?span=${ids.charge}`);
    const detail = await screen.findByRole('complementary', { name: 'PaymentService/Charge' });
    await user.click(await within(detail).findByRole('link', { name: 'Logs for this span' }));

    const params = paramsOf(currentUrl(router));
    expect(currentUrl(router).startsWith('/explore?')).toBe(true);
    expect(readPanes(params)).toEqual([
      { type: 'trace', traceId: CHECKOUT_TRACE_ID, spanId: ids.charge },
      { type: 'logs', query: `{service_name="payment"} | span_id="${ids.charge}"` },
    ]);
    // The charge span runs 35–80 ms into the trace; one second either side.
    expect(params.get('from')).toBe(String(CHECKOUT_START_MS + 35 - 1000));
    expect(params.get('to')).toBe(String(CHECKOUT_START_MS + 80 + 1000));
    const logs = await screen.findByRole('region', { name: 'Logs pane' });
    expect(await within(logs).findByText('card declined (insufficient funds)')).toBeInTheDocument();
    // The trace stays open on the left with the span selected.
    const trace = screen.getByRole('region', { name: 'Trace pane' });
    expect(
      await within(trace).findByRole('complementary', { name: 'PaymentService/Charge' }),
    ).toBeInTheDocument();
  });

  it('offers the trace’s logs and the operation’s metrics from a span', async () => {
    const { user, router } = renderApp(`/trace/${CHECKOUT_TRACE_ID}?span=${ids.charge}`);
    const detail = await screen.findByRole('complementary', { name: 'PaymentService/Charge' });
    const traceLogs = await within(detail).findByRole('link', { name: 'Logs for this trace' });
    expect(readPanes(paramsOf(traceLogs.getAttribute('href')!))[1]).toEqual({
      type: 'logs',
      query: `{service_name="payment"} | trace_id="${CHECKOUT_TRACE_ID}"`,
    });
    await user.click(within(detail).getByRole('link', { name: 'Metrics for this service/operation' }));
    expect(readPanes(paramsOf(currentUrl(router)))[1]).toEqual({
      type: 'metrics',
      queries: redQueries('payment', 'PaymentService/Charge'),
    });
    expect(await screen.findByRole('region', { name: 'Metrics pane' })).toBeInTheDocument();
  });
});
