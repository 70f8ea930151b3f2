import { screen, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { CHECKOUT_TRACE_ID, mswServer } from '../../test/msw';
import { currentUrl, renderApp } from '../../test/render-app';
import { SEARCH_ANSWER } from '../../test/search-handlers';

afterEach(() => mswServer.events.removeAllListeners());

/** `/api/search` answering every trace for `{}` and only the failed checkout trace for errors. */
function serveRecent(asked: URLSearchParams[]) {
  mswServer.use(
    http.get('*/api/search', ({ request }) => {
      const params = new URL(request.url).searchParams;
      asked.push(params);
      const errorsOnly = params.get('q') === '{ status = error }';
      return HttpResponse.json({
        traces: errorsOnly
          ? SEARCH_ANSWER.traces.filter((t) => t.traceID === CHECKOUT_TRACE_ID)
          : SEARCH_ANSWER.traces,
      });
    }),
  );
}

describe('landing page recent traces', () => {
  it('lists the newest traces and the newest failed ones, ten of each', async () => {
    const asked: URLSearchParams[] = [];
    serveRecent(asked);
    renderApp('/');
    const recent = await screen.findByRole('list', { name: 'Most recent traces' });
    expect(within(recent).getAllByRole('listitem')).toHaveLength(3);
    expect(within(recent).getAllByRole('link')[1]).toHaveTextContent(
      /^frontend: GET \/checkouterror120ms · .+ ago$/,
    );
    const errors = screen.getByRole('list', { name: 'Most recent errors' });
    expect(within(errors).getAllByRole('link')).toHaveLength(1);
    expect(asked.map((p) => [p.get('q'), p.get('limit')]).sort()).toEqual([
      ['{ status = error }', '10'],
      ['{}', '10'],
    ]);
  });

  it('opens a trace from the list, keeping the global parameters', async () => {
    serveRecent([]);
    const { user, router } = renderApp('/?from=now-6h&to=now');
    const errors = await screen.findByRole('list', { name: 'Most recent errors' });
    await user.click(within(errors).getByRole('link', { name: /frontend: GET \/checkout/ }));
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}?from=now-6h&to=now`);
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
  });

  it('links each list to the same search on the Search page', async () => {
    serveRecent([]);
    renderApp('/');
    await screen.findByRole('list', { name: 'Most recent errors' });
    const links = screen.getAllByRole('link', { name: 'Search all' });
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      '/search?q=%7B%7D',
      '/search?q=%7B+status+%3D+error+%7D',
    ]);
  });

  it('explains how to send traces when there are none', async () => {
    renderApp('/');
    const empty = await screen.findByRole('region', { name: 'No traces yet' });
    expect(empty).toHaveTextContent('Nothing arrived in the last 1 hour');
    expect(empty).toHaveTextContent('OTLP/gRPC on port 4317');
    expect(empty).toHaveTextContent('OTLP/HTTP on port 4318');
    // The trace-ID box stays the first thing on the page.
    expect(screen.getByRole('textbox', { name: 'Trace ID' })).toBeInTheDocument();
  });
});
