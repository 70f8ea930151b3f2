import { screen, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { metricsConfigHandler } from '../../../test/metrics-handlers';
import { CHECKOUT_TRACE_ID, mswServer } from '../../../test/msw';
import { currentUrl, renderApp } from '../../../test/render-app';
import { searchAnswer } from '../../../test/search-handlers';
import { serveSpanMetrics } from '../../../test/span-metrics-handlers';

const failing = (path: string, message: string) =>
  http.get(path, () => new HttpResponse(message, { status: 500 }));

describe('the landing page', () => {
  it('shows every way to a trace when all the APIs answer', async () => {
    mswServer.use(searchAnswer());
    serveSpanMetrics();
    renderApp('/');

    expect(screen.getByRole('region', { name: 'Open a trace' })).toBeInTheDocument();
    const box = screen.getByRole('textbox', { name: 'Trace ID' });
    expect(await screen.findByRole('region', { name: 'First steps' })).toBeInTheDocument();
    // The box comes before every panel, in reading and tab order.
    for (const name of ['First steps', 'Recent traces', 'Recent logs', 'Services']) {
      const region = await screen.findByRole('region', { name });
      expect(box.compareDocumentPosition(region) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    }

    const traces = screen.getByRole('region', { name: 'Recent traces' });
    expect(await within(traces).findByRole('list', { name: 'Most recent errors' })).toBeInTheDocument();
    const logs = screen.getByRole('region', { name: 'Recent logs' });
    expect(await within(logs).findByRole('link', { name: 'Trace' })).toBeInTheDocument();

    const red = screen.getByRole('region', { name: 'Services' });
    expect(await within(red).findByRole('figure', { name: 'Service graph' })).toBeInTheDocument();
    const duration = within(red).getByRole('article', { name: 'Duration' });
    expect(
      await within(duration).findByRole('button', { name: /^Exemplar 300 ms, trace 4bf92f35/ }),
    ).toBeInTheDocument();
  });

  it('keeps the trace-ID box and the other panels when Loki and Prometheus fail', async () => {
    mswServer.use(
      searchAnswer(),
      metricsConfigHandler(),
      failing('*/loki/api/v1/query_range', 'logs are down'),
      failing('*/prometheus/api/v1/query_range', 'metrics are down'),
      failing('*/prometheus/api/v1/query_exemplars', 'metrics are down'),
    );
    const { user, router } = renderApp('/?from=now-6h&to=now');

    const logs = await screen.findByRole('region', { name: 'Recent logs' });
    expect(await within(logs).findByText(/^Unavailable: .*logs are down/)).toBeInTheDocument();
    expect(await screen.findByRole('list', { name: 'Most recent errors' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'First steps' })).toBeInTheDocument();
    // Without span metrics there is no RED view, and nothing says more than that.
    expect(screen.queryByRole('region', { name: 'Services' })).not.toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Trace ID' }), `${CHECKOUT_TRACE_ID}{Enter}`);
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}?from=now-6h&to=now`);
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
  });

  it('opens a trace from the box while the panels are still loading', async () => {
    // Every panel's answer is held back: only the trace itself answers.
    const held = new Promise<never>(() => {});
    mswServer.use(
      http.get('*/api/search', () => held),
      http.get('*/loki/api/v1/query_range', () => held),
      http.get('*/prometheus/api/v1/query_range', () => held),
    );
    const { user, router } = renderApp('/');
    const box = screen.getByRole('textbox', { name: 'Trace ID' });
    await user.type(box, CHECKOUT_TRACE_ID);
    expect(box).toHaveValue(CHECKOUT_TRACE_ID);
    expect(await screen.findByRole('region', { name: 'Recent logs' })).toHaveTextContent('Loading…');
    expect(box).toHaveValue(CHECKOUT_TRACE_ID);
    await user.keyboard('{Enter}');
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
  });
});
