import { screen, within } from '@testing-library/react';
import { mswServer } from '../../../test/msw';
import { renderApp } from '../../../test/render-app';
import { searchAnswer } from '../../../test/search-handlers';
import { serveSpanMetrics } from '../../../test/span-metrics-handlers';

describe('first steps on the landing page', () => {
  it('points at the three ways to a trace, each a jump to its panel', async () => {
    mswServer.use(searchAnswer());
    serveSpanMetrics();
    const { user } = renderApp('/');
    const strip = await screen.findByRole('region', { name: 'First steps' });
    await screen.findByRole('region', { name: 'Services' });
    const errors = within(strip).getByRole('link', { name: 'Open an error trace from the list' });
    const logs = within(strip).getByRole('link', { name: "Follow a log line's trace link" });
    const dots = within(strip).getByRole('link', { name: 'Click a dot on a latency chart' });
    expect(errors).toHaveAttribute('href', '#landing-traces');
    expect(logs).toHaveAttribute('href', '#landing-logs');
    expect(dots).toHaveAttribute('href', '#landing-red');

    // Each target holds its panel, and a click moves focus there (the page scrolls with it).
    const traces = document.getElementById('landing-traces');
    expect(await within(traces!).findByRole('list', { name: 'Most recent errors' })).toBeInTheDocument();
    expect(
      within(document.getElementById('landing-logs')!).getByRole('region', { name: 'Recent logs' }),
    ).toBeVisible();
    expect(
      within(document.getElementById('landing-red')!).getByRole('article', { name: 'Duration' }),
    ).toBeInTheDocument();
    await user.click(logs);
    expect(document.activeElement).toHaveAttribute('id', 'landing-logs');
    await user.click(errors);
    expect(document.activeElement).toBe(traces);
  });

  it('says the latency charts come with span metrics when there are none yet', async () => {
    mswServer.use(searchAnswer());
    renderApp('/');
    const strip = await screen.findByRole('region', { name: 'First steps' });
    expect(
      within(strip).queryByRole('link', { name: 'Click a dot on a latency chart' }),
    ).not.toBeInTheDocument();
    expect(strip).toHaveTextContent(
      'Click a dot on a latency chart the charts appear once span metrics arrive',
    );
  });

  it('stays dismissed, across visits', async () => {
    mswServer.use(searchAnswer());
    const { user, unmount } = renderApp('/');
    const strip = await screen.findByRole('region', { name: 'First steps' });
    await user.click(within(strip).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('region', { name: 'First steps' })).not.toBeInTheDocument();
    // The trace-ID box and the panels stay.
    expect(screen.getByRole('textbox', { name: 'Trace ID' })).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Most recent errors' })).toBeInTheDocument();
    unmount();

    renderApp('/');
    await screen.findByRole('list', { name: 'Most recent errors' });
    expect(screen.queryByRole('region', { name: 'First steps' })).not.toBeInTheDocument();
  });

  it('says how to send data when there is none, and the three paths once there is', async () => {
    // The default handlers: no traces in any range.
    const { user, unmount } = renderApp('/');
    const strip = await screen.findByRole('region', { name: 'First steps' });
    expect(strip).toHaveTextContent('gRPC on port 4317, HTTP on port 4318');
    expect(strip).toHaveTextContent('Stop this Loupe and run npm run demo');
    expect(within(strip).queryByRole('link')).not.toBeInTheDocument();
    await user.click(within(strip).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByRole('region', { name: 'First steps' })).not.toBeInTheDocument();
    unmount();

    // Dismissing the hint does not hide the paths that replace it once data has arrived.
    mswServer.use(searchAnswer());
    renderApp('/');
    const paths = await screen.findByRole('region', { name: 'First steps' });
    expect(
      within(paths).getByRole('link', { name: 'Open an error trace from the list' }),
    ).toBeInTheDocument();
  });
});
