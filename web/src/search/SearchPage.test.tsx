import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { delay, HttpResponse, http } from 'msw';
import { CHECKOUT_TRACE_ID, mswServer } from '../../test/msw';
import { currentUrl, renderApp } from '../../test/render-app';
import {
  ROOTLESS_TRACE_ID,
  SEARCH_ANSWER,
  SLOW_TRACE_ID,
  searchAnswer,
  searchFailure,
  tagHandlers,
  traceSummary,
} from '../../test/search-handlers';

const searchUrl = (query: string, extra = '') => `/search?q=${encodeURIComponent(query)}${extra}`;
const paramsOf = (url: string) => new URLSearchParams(url.slice(url.indexOf('?') + 1));

/** Every `/api/search` request the app makes during the test. */
function recordSearches(): URL[] {
  const asked: URL[] = [];
  mswServer.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    if (url.pathname === '/api/search') asked.push(url);
  });
  return asked;
}

async function openSearch(query = '{}', extra = '') {
  mswServer.use(searchAnswer(), ...tagHandlers);
  const app = renderApp(searchUrl(query, extra));
  const table = await screen.findByRole('table', { name: 'Traces found' });
  return { ...app, table };
}

const bodyRows = (table: HTMLElement) => within(table).getAllByRole('row').slice(1);
const traceIdsIn = (table: HTMLElement) =>
  bodyRows(table).map((row) => within(row).getByRole('link').getAttribute('aria-label'));

afterEach(() => mswServer.events.removeAllListeners());

describe('search page', () => {
  it('runs the query in the URL over the global range, with the limit and the tenant', async () => {
    const asked = recordSearches();
    const requests: Request[] = [];
    mswServer.events.on('request:start', ({ request }) => {
      if (request.url.includes('/api/search?')) requests.push(request);
    });
    const { table } = await openSearch(
      '{ status = error }',
      '&limit=50&from=1715679000000&to=1715679600000&tenant=team-a',
    );
    expect(asked[0].searchParams.get('q')).toBe('{ status = error }');
    expect(asked[0].searchParams.get('limit')).toBe('50');
    expect(asked[0].searchParams.get('spss')).toBe('3');
    expect(asked[0].searchParams.get('start')).toBe('1715679000');
    expect(asked[0].searchParams.get('end')).toBe('1715679600');
    expect(requests[0].headers.get('x-scope-orgid')).toBe('team-a');
    // The page restores what the URL says: the editor's text and the limit.
    expect(screen.getByRole('combobox', { name: 'TraceQL query' })).toHaveValue('{ status = error }');
    expect(screen.getByRole('combobox', { name: 'Limit' })).toHaveValue('50');
    expect(bodyRows(table)).toHaveLength(3);
  });

  it('shows each trace’s ID, root, duration, spans, matches, services and errors', async () => {
    const { table } = await openSearch();
    const checkout = bodyRows(table)[1];
    expect(within(checkout).getByRole('link', { name: `Trace ${CHECKOUT_TRACE_ID}` })).toHaveTextContent(
      CHECKOUT_TRACE_ID.slice(0, 8),
    );
    const cells = within(checkout)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    expect(cells.slice(1, 7)).toEqual([
      'frontend: GET /checkout',
      expect.stringMatching(/ago$/),
      '120ms',
      '9',
      '3',
      '1 error',
    ]);
    expect(cells[7]).toContain('payment 1 error');
    expect(within(bodyRows(table)[0]).getAllByRole('cell')[1]).toHaveTextContent(
      'root span not yet received',
    );
    expect(screen.getByText('3 traces · 1,000 inspected · 2 of 7 blocks')).toBeInTheDocument();
  });

  it('sorts by a column header, one way then the other', async () => {
    const { table, user } = await openSearch();
    expect(traceIdsIn(table)).toEqual(
      [ROOTLESS_TRACE_ID, CHECKOUT_TRACE_ID, SLOW_TRACE_ID].map((id) => `Trace ${id}`),
    );
    const duration = within(table).getByRole('button', { name: 'Duration' });
    await user.click(duration);
    expect(within(table).getByRole('columnheader', { name: 'Duration' })).toHaveAttribute(
      'aria-sort',
      'descending',
    );
    expect(traceIdsIn(table)).toEqual(
      [SLOW_TRACE_ID, CHECKOUT_TRACE_ID, ROOTLESS_TRACE_ID].map((id) => `Trace ${id}`),
    );
    await user.click(duration);
    expect(traceIdsIn(table)).toEqual(
      [ROOTLESS_TRACE_ID, CHECKOUT_TRACE_ID, SLOW_TRACE_ID].map((id) => `Trace ${id}`),
    );
    await user.click(within(table).getByRole('button', { name: 'Spans' }));
    expect(traceIdsIn(table)[0]).toBe(`Trace ${SLOW_TRACE_ID}`);
  });

  it('writes a typed query and the limit into the URL, and a reload runs the same search', async () => {
    const asked = recordSearches();
    const { user, router, unmount } = await openSearch('{}', '&from=now-6h&to=now');
    const editor = screen.getByRole('combobox', { name: 'TraceQL query' });
    await user.clear(editor);
    await user.type(editor, '{{ name = "GET /checkout" }{Enter}');
    await waitFor(() => expect(paramsOf(currentUrl(router)).get('q')).toBe('{ name = "GET /checkout" }'));
    await user.selectOptions(screen.getByRole('combobox', { name: 'Limit' }), '100 traces');
    const url = currentUrl(router);
    expect(paramsOf(url).get('limit')).toBe('100');
    expect(paramsOf(url).get('from')).toBe('now-6h');
    await waitFor(() => expect(asked.at(-1)?.searchParams.get('limit')).toBe('100'));
    expect(asked.at(-1)?.searchParams.get('q')).toBe('{ name = "GET /checkout" }');

    unmount();
    const before = asked.length;
    renderApp(url);
    await screen.findByRole('table', { name: 'Traces found' });
    expect(screen.getByRole('combobox', { name: 'TraceQL query' })).toHaveValue('{ name = "GET /checkout" }');
    expect(screen.getByRole('combobox', { name: 'Limit' })).toHaveValue('100');
    expect(asked.length).toBe(before + 1);
    expect(asked.at(-1)?.searchParams.get('q')).toBe('{ name = "GET /checkout" }');
  });

  it('keeps only the rows in view in the DOM for a thousand results, and sorts all of them', async () => {
    const traces = Array.from({ length: 1000 }, (_, i) =>
      traceSummary({ traceID: i.toString(16).padStart(32, '0'), durationMs: (i * 7919) % 1000 }),
    );
    mswServer.use(searchAnswer({ traces }));
    const { user } = renderApp(searchUrl('{}', '&limit=1000'));
    const table = await screen.findByRole('table', { name: 'Traces found' });
    expect(table).toHaveAttribute('aria-rowcount', '1001');
    const shown = bodyRows(table).length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(60);
    await user.click(within(table).getByRole('button', { name: 'Duration' }));
    // The longest of all thousand is first, though it was far out of view.
    expect(within(bodyRows(table)[0]).getAllByRole('cell')[3]).toHaveTextContent('999ms');
    expect(bodyRows(table)[0]).toHaveAttribute('aria-rowindex', '2');
  });

  it('keeps a limit from a link that is not one of the choices', async () => {
    const asked = recordSearches();
    await openSearch('{}', '&limit=30');
    expect(screen.getByRole('combobox', { name: 'Limit' })).toHaveValue('30');
    expect(asked[0].searchParams.get('limit')).toBe('30');
  });

  it('opens a trace from its row', async () => {
    const { table, user, router } = await openSearch('{}', '&from=now-6h&to=now');
    await user.click(within(bodyRows(table)[1]).getAllByRole('cell')[3]);
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}?from=now-6h&to=now`);
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
  });

  it('draws a dot per trace, red for errors, showing the trace on hover and opening it on click', async () => {
    const { router } = await openSearch();
    const chart = screen.getByRole('img', { name: 'Duration over time of 3 traces, 1 with errors' });
    // Each dot is a subpath starting at its centre: two healthy, one failed.
    const centres = (selector: string) =>
      [...(chart.querySelector(selector)?.getAttribute('d') ?? '').matchAll(/M([\d.]+),([\d.]+)/g)].map(
        (m) => ({
          clientX: Number(m[1]),
          clientY: Number(m[2]),
        }),
      );
    expect(centres('path.scatter-dot:not(.scatter-dot--error)')).toHaveLength(2);
    expect(centres('path.scatter-dot--error')).toHaveLength(1);
    // The slow trace is the highest dot (the smallest y).
    const at = centres('path.scatter-dot:not(.scatter-dot--error)').sort((a, b) => a.clientY - b.clientY)[0];
    fireEvent.mouseMove(chart, at);
    expect(screen.getByRole('tooltip')).toHaveTextContent('frontend: GET /catalogue');
    expect(screen.getByRole('tooltip')).toHaveTextContent('2.5s, 24 spans');
    fireEvent.click(chart, at);
    expect(currentUrl(router)).toBe(`/trace/${SLOW_TRACE_ID}`);
  });
});

describe('search states', () => {
  it('says it is searching while the answer is on its way', async () => {
    mswServer.use(
      http.get('*/api/search', async () => {
        await delay(200);
        return HttpResponse.json(SEARCH_ANSWER);
      }),
    );
    renderApp(searchUrl('{}'));
    expect(await screen.findByText('Searching traces…')).toHaveAttribute('role', 'status');
    expect(await screen.findByRole('table', { name: 'Traces found' })).toBeInTheDocument();
    expect(screen.queryByText('Searching traces…')).not.toBeInTheDocument();
  });

  it('says when nothing matched, naming the range', async () => {
    mswServer.use(searchAnswer({ traces: [] }));
    renderApp(searchUrl('{ name = "nope" }', '&from=now-6h&to=now'));
    expect(
      await screen.findByRole('heading', { name: 'No traces match in the last 6 hours' }),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows the server’s message for a bad query under the editor, and recovers', async () => {
    const message = 'parse error at line 1, column 14: expected one of "=", "!=" but found "&&"';
    mswServer.use(searchFailure(400, message));
    const { user } = renderApp(searchUrl('{ span.foo && }'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The query is not valid TraceQL');
    expect(alert).toHaveTextContent(message);
    const editor = screen.getByRole('combobox', { name: 'TraceQL query' });
    expect(editor).toHaveAttribute('aria-invalid', 'true');
    expect(editor.getAttribute('aria-describedby')).toContain(alert.id);
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();

    mswServer.use(searchAnswer());
    await user.clear(editor);
    await user.type(editor, '{{}{Enter}');
    expect(await screen.findByRole('table', { name: 'Traces found' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows a timeout as its own state, with a retry', async () => {
    mswServer.use(searchFailure(504, 'context deadline exceeded: the search timed out'));
    const { user } = renderApp(searchUrl('{ .foo =~ ".*" }'));
    expect(await screen.findByRole('heading', { name: 'The search timed out' })).toBeInTheDocument();
    expect(screen.getByText('context deadline exceeded: the search timed out')).toBeInTheDocument();
    expect(screen.queryByText('The query is not valid TraceQL')).not.toBeInTheDocument();
    mswServer.use(searchAnswer());
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('table', { name: 'Traces found' })).toBeInTheDocument();
  });

  it('tells too many searches apart from other failures', async () => {
    mswServer.use(searchFailure(429, 'too many outstanding requests'));
    renderApp(searchUrl('{}'));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Too many searches are running; try again in a moment',
    );
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });

  it('warns that a partial answer may miss traces, and still shows what it found', async () => {
    mswServer.use(
      searchAnswer({ ...SEARCH_ANSWER, partial: true, partialReason: '3 blocks have no search data.' }),
    );
    renderApp(searchUrl('{}'));
    expect(await screen.findByText(/some data could not be searched/)).toHaveTextContent(
      'Partial results: some data could not be searched, so traces may be missing. 3 blocks have no search data.',
    );
    expect(screen.getByRole('table', { name: 'Traces found' })).toBeInTheDocument();
  });

  it('asks for nothing until there is a query', async () => {
    const asked = recordSearches();
    renderApp('/search');
    expect(await screen.findByText(/Write a TraceQL query/)).toBeInTheDocument();
    expect(asked).toHaveLength(0);
  });
});
