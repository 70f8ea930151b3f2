import { screen, waitFor, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import jaegerTrace from '../../../../fixtures/ui/jaeger-trace.json';
import { CHECKOUT_TRACE_ID, checkoutResponse, configHandler, mswServer } from '../../../test/msw';
import { currentUrl, renderApp } from '../../../test/render-app';

const stat = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling;

describe('top bar', () => {
  afterEach(() => mswServer.events.removeAllListeners());

  it('keeps the global time range in the URL', async () => {
    const { user, router } = renderApp('/');
    await user.click(screen.getByRole('button', { name: /Time range: Last 1 hour/ }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Time range' })).getByRole('button', {
        name: 'Last 15 minutes',
      }),
    );
    expect(currentUrl(router)).toBe('/?from=now-15m&to=now');
    expect(screen.getByRole('button', { name: /Time range: Last 15 minutes/ })).toHaveFocus();
  });

  it('applies an absolute time range and refuses an inverted one', async () => {
    const { user, router } = renderApp('/');
    usePreferencesUtc();
    await user.click(screen.getByRole('button', { name: /Time range/ }));
    const dialog = screen.getByRole('dialog', { name: 'Time range' });
    const [from, to] = within(dialog).getAllByLabelText(/From|To/);
    await user.clear(from);
    await user.type(from, '2024-05-14T10:00:00');
    await user.clear(to);
    await user.type(to, '2024-05-14T09:00:00');
    await user.click(within(dialog).getByRole('button', { name: 'Apply time range' }));
    expect(within(dialog).getByRole('alert')).toHaveTextContent('The end must be after the start.');
    await user.clear(to);
    await user.type(to, '2024-05-14T11:00:00');
    await user.click(within(dialog).getByRole('button', { name: 'Apply time range' }));
    expect(currentUrl(router)).toBe(`/?from=${Date.UTC(2024, 4, 14, 10)}&to=${Date.UTC(2024, 4, 14, 11)}`);
  });

  it('has no tenant picker unless multi-tenancy is on', async () => {
    renderApp('/');
    await screen.findByRole('button', { name: 'Open file…' });
    await waitFor(() => expect(screen.queryByRole('combobox', { name: 'Tenant' })).not.toBeInTheDocument());
  });

  it('sends the chosen tenant as X-Scope-OrgID and keeps it in the URL', async () => {
    const tenants: (string | null)[] = [];
    mswServer.use(
      configHandler(true),
      http.get('*/api/v2/traces/:id', ({ request }) => {
        tenants.push(request.headers.get('x-scope-orgid'));
        return HttpResponse.json(checkoutResponse());
      }),
    );
    const { user, router } = renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    const picker = await screen.findByRole('combobox', { name: 'Tenant' });
    await screen.findByRole('tree');
    await user.type(picker, 'team-a{Enter}');
    await waitFor(() => expect(tenants).toEqual([null, 'team-a']));
    expect(currentUrl(router)).toBe(`/trace/${CHECKOUT_TRACE_ID}?tenant=team-a`);
    await user.clear(picker);
    await user.type(picker, '..{Enter}');
    expect(screen.getByRole('alert')).toHaveTextContent('cannot be "." or ".."');
  });

  it('switches between local time and UTC, and between themes', async () => {
    const { user } = renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    await screen.findByRole('tree');
    expect(stat('Started')).not.toHaveTextContent('UTC');
    await user.click(screen.getByRole('button', { name: 'UTC' }));
    expect(stat('Started')).toHaveTextContent('2024-05-14 09:30:00.000 UTC');
    expect(screen.getByRole('button', { name: 'UTC' })).toHaveAttribute('aria-pressed', 'true');
    expect(document.documentElement.dataset.theme).toBe('dark');
    await user.click(screen.getByRole('button', { name: 'Switch to light theme' }));
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(JSON.parse(localStorage.getItem('loupe.preferences')!).state).toMatchObject({
      theme: 'light',
      utc: true,
    });
  });

  it('opens a Jaeger JSON file without asking the server', async () => {
    const requests: string[] = [];
    mswServer.events.on('request:start', ({ request }) => requests.push(new URL(request.url).pathname));
    const { user, router } = renderApp('/');
    const text = JSON.stringify(jaegerTrace);
    await user.upload(
      screen.getByLabelText('Trace JSON file'),
      new File([text], 'ticket-123.json', { type: 'application/json' }),
    );
    expect(await screen.findByRole('heading', { name: 'frontend: HTTP GET /dispatch' })).toBeInTheDocument();
    expect(screen.getByText('from ticket-123.json')).toBeInTheDocument();
    expect(screen.getByRole('treeitem', { name: /redis FindDriverIDs.*error/ })).toBeInTheDocument();
    expect(currentUrl(router)).toBe('/trace/5b8efff798038103d269b633813fc60c?ds=file');
    // The landing page's recent-traces searches aside, nothing asks the server about this trace.
    expect(requests.filter((p) => p.startsWith('/api/') && !p.startsWith('/api/search'))).toEqual([]);
  });

  it('says why a file cannot be opened', async () => {
    const { user } = renderApp('/');
    await user.upload(screen.getByLabelText('Trace JSON file'), new File(['{"hello": 1}'], 'notes.json'));
    expect(await screen.findByRole('alert')).toHaveTextContent('notes.json: Unrecognised trace JSON');
  });
});

function usePreferencesUtc() {
  localStorage.setItem('loupe.preferences', JSON.stringify({ state: { utc: true }, version: 0 }));
}
