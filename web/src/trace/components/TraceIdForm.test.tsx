import { screen } from '@testing-library/react';
import { CHECKOUT_TRACE_ID, mswServer } from '../../../test/msw';
import { currentUrl, renderApp } from '../../../test/render-app';

/** Requests to the trace API; the landing page's recent-traces searches are not about the ID. */
function recordApiRequests() {
  const requests: string[] = [];
  mswServer.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/api/') && !url.pathname.startsWith('/api/search'))
      requests.push(url.pathname);
  });
  return requests;
}

describe('opening a trace by ID', () => {
  afterEach(() => mswServer.events.removeAllListeners());

  it('explains an invalid ID inline and sends no request', async () => {
    const requests = recordApiRequests();
    const { user } = renderApp('/');
    const box = screen.getByRole('textbox', { name: 'Trace ID' });
    await user.type(box, 'not-hex{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('only 0–9 and a–f');
    expect(box).toBeInvalid();
    await user.clear(box);
    await user.type(box, `${'a'.repeat(33)}{Enter}`);
    expect(screen.getByRole('alert')).toHaveTextContent('this one has 33');
    expect(requests).toEqual([]);
  });

  it('accepts a pasted ID with quotes and spaces, and makes exactly one request for it', async () => {
    const requests = recordApiRequests();
    const { user, router } = renderApp('/?from=now-6h&to=now');
    await user.click(screen.getByRole('textbox', { name: 'Trace ID' }));
    await user.paste(`  "${CHECKOUT_TRACE_ID.toUpperCase()}" `);
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}?from=now-6h&to=now`);
    expect(requests).toEqual([`/api/v2/traces/${CHECKOUT_TRACE_ID}`]);
  });

  it('works from the top bar on any page', async () => {
    const { user } = renderApp('/trace/deadbeef');
    await screen.findByRole('heading', { name: 'Trace not found' });
    const [topBarBox] = screen.getAllByRole('textbox', { name: 'Trace ID' });
    await user.type(topBarBox, `${CHECKOUT_TRACE_ID}{Enter}`);
    expect(await screen.findByRole('heading', { name: 'frontend: GET /checkout' })).toBeInTheDocument();
  });
});
