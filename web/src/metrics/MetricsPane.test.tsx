import { QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  fakePrometheus,
  METRICS_RANGE_PARAMS,
  METRICS_T0_MS,
  metricsConfigHandler,
  minuteSeries,
} from '../../test/metrics-handlers';
import { CHECKOUT_TRACE_ID, mswServer } from '../../test/msw';
import { createQueryClient } from '../api/query-client';
import type { MetricsPaneState, PaneState } from '../explore/explore-url';
import { MemoryRouter } from '../router/router';
import { MetricsPane } from './MetricsPane';
import type { ExemplarSeries } from './prometheus-api';

/** Generous waits: these tests share two cores with other suites. */
const SLOW = { timeout: 5000 };

const LATENCY = 'histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket[1m])))';
const RATE = 'sum by (service) (rate(traces_spanmetrics_calls_total[1m]))';

const latencyExemplars: ExemplarSeries[] = [
  {
    seriesLabels: { __name__: 'traces_spanmetrics_latency_bucket', service: 'checkout', le: '0.5' },
    exemplars: [
      {
        labels: { traceID: CHECKOUT_TRACE_ID, spanID: '00f067aa0ba902b7' },
        value: '0.31',
        timestamp: METRICS_T0_MS / 1000 + 600.5,
      },
      { labels: { unrelated: 'x' }, value: '0.12', timestamp: METRICS_T0_MS / 1000 + 1200 },
    ],
  },
];

function renderPane(state: Omit<MetricsPaneState, 'type'>, search = METRICS_RANGE_PARAMS) {
  const onChange = vi.fn<(next: MetricsPaneState) => void>();
  const onOpenPane = vi.fn<(pane: PaneState) => void>();
  const user = userEvent.setup();
  const client = createQueryClient({ retry: false });
  const view = render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[`/explore?${search}`]}>
        <MetricsPane state={{ type: 'metrics', ...state }} onChange={onChange} onOpenPane={onOpenPane} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
  return { ...view, onChange, onOpenPane, user };
}

const linePaths = (container: HTMLElement) => container.querySelectorAll('.metrics-lines path');

describe('metrics pane', () => {
  it('draws one line per series with a legend, and exemplar dots that open their trace', async () => {
    const prometheus = fakePrometheus({
      series: {
        [LATENCY]: [
          minuteSeries({ service: 'checkout' }, (i) => 0.1 + i / 1000),
          minuteSeries({ service: 'frontend' }, () => 0.2),
        ],
      },
      exemplars: { [LATENCY]: latencyExemplars },
    });
    mswServer.use(metricsConfigHandler(), ...prometheus.handlers);
    const { container, onOpenPane, user } = renderPane({ queries: [LATENCY] });

    const dot = await screen.findByRole('button', { name: /^Exemplar 310 ms, trace 4bf92f35/ }, SLOW);
    expect(linePaths(container)).toHaveLength(2);
    const legend = screen.getByRole('list', { name: 'Series' });
    expect(
      within(legend)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['{service="checkout"}', '{service="frontend"}']);
    expect(screen.getAllByRole('button', { name: /^Exemplar/ })).toHaveLength(2);

    await user.hover(dot);
    const tooltip = screen.getByRole('tooltip');
    expect(tooltip).toHaveTextContent(CHECKOUT_TRACE_ID);
    expect(tooltip).toHaveTextContent('Exemplar 310 ms');

    await user.click(dot);
    expect(onOpenPane).toHaveBeenCalledWith({
      type: 'trace',
      traceId: CHECKOUT_TRACE_ID,
      spanId: '00f067aa0ba902b7',
    });

    // A dot without a trace label opens nothing.
    onOpenPane.mockClear();
    await user.click(screen.getByRole('button', { name: 'Exemplar 120 ms' }));
    expect(onOpenPane).not.toHaveBeenCalled();
  });

  it('shows every series value at the hovered time, and opens a focused dot with the keyboard', async () => {
    const prometheus = fakePrometheus({
      series: {
        [LATENCY]: [
          minuteSeries({ service: 'checkout' }, () => 0.15),
          minuteSeries({ service: 'frontend' }, () => 0.2),
        ],
      },
      exemplars: { [LATENCY]: latencyExemplars },
    });
    mswServer.use(metricsConfigHandler(), ...prometheus.handlers);
    const { container, onOpenPane, user } = renderPane({ queries: [LATENCY] });
    const dot = await screen.findByRole('button', { name: /^Exemplar 310 ms/ }, SLOW);

    const plot = container.querySelector('.metrics-chart__plot') as HTMLElement;
    fireEvent.mouseMove(plot, { clientX: 500, clientY: 100 });
    const values = screen.getByRole('status');
    expect(values).toHaveTextContent('{service="frontend"}200 ms');
    expect(values).toHaveTextContent('{service="checkout"}150 ms');
    fireEvent.mouseLeave(plot);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();

    // Tab from the top of the pane to the dot: it is reachable by keyboard.
    for (let presses = 0; presses < 20 && document.activeElement !== dot; presses++) await user.tab();
    expect(dot).toHaveFocus();
    expect(screen.getByRole('tooltip')).toHaveTextContent('spanID00f067aa0ba902b7');
    await user.keyboard('{Enter}');
    expect(onOpenPane).toHaveBeenCalledWith({
      type: 'trace',
      traceId: CHECKOUT_TRACE_ID,
      spanId: '00f067aa0ba902b7',
    });
  });

  it('isolates a series when its legend entry is clicked, and shows all again on a second click', async () => {
    const prometheus = fakePrometheus({
      series: { [RATE]: ['a', 'b', 'c'].map((service, n) => minuteSeries({ service }, () => n + 1)) },
    });
    mswServer.use(metricsConfigHandler(), ...prometheus.handlers);
    const { container, user } = renderPane({ queries: [RATE] });
    const entry = await screen.findByRole('button', { name: '{service="b"}' }, SLOW);
    expect(linePaths(container)).toHaveLength(3);
    await user.click(entry);
    expect(entry).toHaveAttribute('aria-pressed', 'true');
    expect([...linePaths(container)].map((p) => p.getAttribute('data-series'))).toEqual(['{service="b"}']);
    await user.click(entry);
    expect(linePaths(container)).toHaveLength(3);
  });

  it("shows the data source's parse error under the query box", async () => {
    const prometheus = fakePrometheus({});
    mswServer.use(metricsConfigHandler(), ...prometheus.handlers);
    renderPane({ queries: ['sum(((x'] });
    expect(await screen.findByRole('alert', {}, SLOW)).toHaveTextContent('1:4: parse error: unexpected "("');
    expect(screen.getByRole('combobox', { name: 'PromQL query 1' })).toHaveValue('sum(((x');
  });

  it('says "No data" when the query matches nothing', async () => {
    mswServer.use(metricsConfigHandler(), ...fakePrometheus({}).handlers);
    renderPane({ queries: ['nothing_here'] });
    expect(await screen.findByText('No data', {}, SLOW)).toBeInTheDocument();
  });

  it('runs the typed query on Enter and suggests metric names', async () => {
    const prometheus = fakePrometheus({ names: ['traces_spanmetrics_calls_total'] });
    mswServer.use(metricsConfigHandler(), ...prometheus.handlers);
    const { container, onChange, user } = renderPane({ queries: [] });
    const box = screen.getByRole('combobox', { name: 'PromQL query 1' });
    await user.type(box, 'up{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ type: 'metrics', queries: ['up'], datasource: undefined });
    await vi.waitFor(
      () =>
        expect(
          container.querySelector('datalist option[value="traces_spanmetrics_calls_total"]'),
        ).not.toBeNull(),
      SLOW,
    );
    expect(container.querySelector('datalist option[value="service"]')).not.toBeNull();
  });

  it('queries the chosen data source with the tenant, and records the choice in the pane state', async () => {
    const external = fakePrometheus({
      base: '/loupe/proxy/prometheus',
      series: { up: [minuteSeries({ job: 'x' }, () => 1)] },
    });
    const own = fakePrometheus({});
    mswServer.use(
      metricsConfigHandler({
        datasources: [
          { uid: 'loupe', name: 'Loupe', url: '/prometheus' },
          { uid: 'prometheus', name: 'Prometheus', url: '/loupe/proxy/prometheus' },
        ],
      }),
      ...external.handlers,
      ...own.handlers,
    );
    const { container, onChange, user } = renderPane(
      { queries: ['up'], datasource: 'prometheus' },
      `${METRICS_RANGE_PARAMS}&tenant=team-a`,
    );
    await vi.waitFor(() => expect(linePaths(container)).toHaveLength(1), SLOW);
    expect(external.asked.find((a) => a.path === 'query_range')).toEqual({
      path: 'query_range',
      query: 'up',
      tenant: 'team-a',
    });
    expect(own.asked.filter((a) => a.path === 'query_range')).toEqual([]);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Data source' }), 'Loupe');
    expect(onChange).toHaveBeenLastCalledWith({ type: 'metrics', queries: ['up'], datasource: undefined });
  });

  it('opens a URL destination in a new tab for an OpenTelemetry trace_id label', async () => {
    const prometheus = fakePrometheus({
      series: { up: [minuteSeries({}, () => 1)] },
      exemplars: {
        up: [
          {
            seriesLabels: {},
            exemplars: [{ labels: { trace_id: 'abc123' }, value: '1', timestamp: METRICS_T0_MS / 1000 + 60 }],
          },
        ],
      },
    });
    mswServer.use(
      metricsConfigHandler({
        exemplarTraceIdDestinations: [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's URL placeholder
          { name: 'trace_id', url: 'https://vendor.example/t/${__value.raw}', urlDisplayLabel: 'Vendor' },
        ],
      }),
      ...prometheus.handlers,
    );
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    const { onOpenPane, user } = renderPane({ queries: ['up'] });
    await user.click(await screen.findByRole('button', { name: 'Exemplar 1, Vendor' }, SLOW));
    expect(open).toHaveBeenCalledWith('https://vendor.example/t/abc123', '_blank', 'noopener,noreferrer');
    expect(onOpenPane).not.toHaveBeenCalled();
    open.mockRestore();
  });

  it('draws 1,000 series of 240 points as one path each', async () => {
    const many = Array.from({ length: 1000 }, (_, n) => ({
      metric: { pod: `pod-${n}` },
      values: Array.from(
        { length: 240 },
        (_, i) => [METRICS_T0_MS / 1000 + i * 15, String(n + i)] as [number, string],
      ),
    }));
    mswServer.use(metricsConfigHandler(), ...fakePrometheus({ series: { big: many } }).handlers);
    const { container } = renderPane({ queries: ['big'] });
    await vi.waitFor(() => expect(linePaths(container)).toHaveLength(1000), { timeout: 10_000 });
    expect(screen.getByText('and 900 more series')).toBeInTheDocument();
  });
});
