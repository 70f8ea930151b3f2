import { screen, within } from '@testing-library/react';
import { http } from 'msw';
import { fakePrometheus, metricsConfigHandler } from '../../test/metrics-handlers';
import { CHECKOUT_TRACE_ID, mswServer } from '../../test/msw';
import { currentUrl, renderApp } from '../../test/render-app';
import { recentSeries, serveSpanMetrics } from '../../test/span-metrics-handlers';
import { redQueries, SERVICE_GRAPH_QUERIES, SERVICES_QUERY } from './promql';

/** Generous waits: these tests share two cores with other suites. */
const SLOW = { timeout: 5000 };

const checkout = redQueries('checkout');

/** The landing page's span metrics, plus a failing checkout → payment call and checkout's own RED queries. */
function withSpanMetrics() {
  return serveSpanMetrics({
    latencyQuery: checkout.latency[1].query,
    series: {
      [SERVICE_GRAPH_QUERIES.requests]: [
        recentSeries({ client: 'frontend', server: 'checkout' }, 2),
        recentSeries({ client: 'checkout', server: 'payment' }, 1),
      ],
      [SERVICE_GRAPH_QUERIES.failed]: [recentSeries({ client: 'checkout', server: 'payment' }, 0.2)],
      [checkout.rate]: [recentSeries({ service: 'checkout' }, 2)],
    },
  });
}

describe('RED view on the landing page', () => {
  it('keeps what the user is typing in the trace-ID box when the RED view appears', async () => {
    withSpanMetrics();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Hold the metrics answers until the user has typed; then fall through to the fake Prometheus.
    mswServer.use(
      http.get('*/prometheus/api/v1/query_range', async () => {
        await gate;
      }),
    );
    const { user } = renderApp('/');
    await user.type(screen.getByRole('textbox', { name: 'Trace ID' }), '4bf92f35');
    release();
    await screen.findByRole('region', { name: 'Services' }, SLOW);
    expect(screen.getByRole('textbox', { name: 'Trace ID' })).toHaveValue('4bf92f35');
  });

  it('stays away until span metrics exist', async () => {
    const prometheus = fakePrometheus({});
    mswServer.use(metricsConfigHandler(), ...prometheus.handlers);
    renderApp('/');
    await vi.waitFor(() => expect(prometheus.asked.map((a) => a.query)).toContain(SERVICES_QUERY), SLOW);
    expect(screen.getByRole('heading', { name: 'Open a trace' })).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Services' })).not.toBeInTheDocument();
  });

  it('lists services, draws the service graph with error ratios, and filters by a clicked node', async () => {
    const prometheus = withSpanMetrics();
    const { router, user } = renderApp('/');
    const red = await screen.findByRole('region', { name: 'Services' }, SLOW);
    expect(within(red).getByRole('button', { name: 'All services' })).toHaveAttribute('aria-pressed', 'true');
    expect(within(red).getByRole('button', { name: 'frontend' })).toBeInTheDocument();

    const node = await within(red).findByRole('button', { name: /^checkout, 2 requests per second/ }, SLOW);
    expect(red.querySelector('[data-edge="checkout→payment"] .service-graph__edge')).toHaveAttribute(
      'data-level',
      'bad',
    );
    expect(within(red).getByText('1 req/s · 20 % errors')).toBeInTheDocument();
    expect(red.querySelector('[data-edge="frontend→checkout"] .service-graph__edge')).toHaveAttribute(
      'data-level',
      'ok',
    );

    const rateChart = within(red).getByRole('article', { name: 'Rate (spans/s)' });
    await vi.waitFor(() => expect(rateChart.querySelectorAll('.metrics-lines path')).toHaveLength(2), SLOW);

    node.focus();
    await user.keyboard('{Enter}');
    expect(currentUrl(router)).toBe('/?red=checkout');
    expect(node).toHaveAttribute('aria-pressed', 'true');
    await vi.waitFor(() => expect(rateChart.querySelectorAll('.metrics-lines path')).toHaveLength(1), SLOW);
    expect(prometheus.asked.map((a) => a.query)).toContain(checkout.errors);
    const explore =
      within(rateChart).getByRole('link', { name: 'Open in Explore' }).getAttribute('href') ?? '';
    const exploreUrl = new URL(explore, 'http://x');
    expect(exploreUrl.pathname).toBe('/explore');
    expect(exploreUrl.searchParams.getAll('metrics')).toEqual([checkout.rate]);
  });

  it('opens Explore on the metric and the trace when a latency exemplar is clicked', async () => {
    withSpanMetrics();
    const { router, user } = renderApp('/?red=checkout');
    const duration = await screen.findByRole('article', { name: 'Duration' }, SLOW);
    await user.click(
      await within(duration).findByRole('button', { name: /^Exemplar 300 ms, trace 4bf92f35/ }, SLOW),
    );
    const url = new URL(currentUrl(router), 'http://x');
    expect(url.pathname).toBe('/explore');
    expect(url.searchParams.get('left')).toBe('metrics');
    expect(url.searchParams.getAll('metrics')).toEqual(checkout.latency.map((l) => l.query));
    expect(url.searchParams.get('right')).toBe('trace');
    expect(url.searchParams.get('traceId')).toBe(CHECKOUT_TRACE_ID);
    expect(url.searchParams.get('span')).toBe('00f067aa0ba902b7');
  });
});
