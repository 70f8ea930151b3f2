import { screen, waitFor, within } from '@testing-library/react';
import { mswServer } from '../../test/msw';
import { currentUrl, renderApp } from '../../test/render-app';
import { searchAnswer, tagHandlers } from '../../test/search-handlers';

const options = () =>
  within(screen.getByRole('listbox', { name: 'Completions' }))
    .getAllByRole('option')
    .map((option) => option.firstElementChild?.textContent);

/** The search page with an empty editor, the tags APIs answering from the fixtures. */
async function openEditor() {
  const asked: URL[] = [];
  mswServer.events.on('request:start', ({ request }) => {
    const url = new URL(request.url);
    if (url.pathname.startsWith('/api/v2/search/tag')) asked.push(url);
  });
  mswServer.use(searchAnswer(), ...tagHandlers);
  const app = renderApp('/search');
  const editor = await screen.findByRole('combobox', { name: 'TraceQL query' });
  await app.user.click(editor);
  return { ...app, editor, asked };
}

afterEach(() => mswServer.events.removeAllListeners());

describe('TraceQL editor completion', () => {
  it('offers scopes and intrinsics at the start of a condition, narrowed by typing', async () => {
    const { editor, user } = await openEditor();
    await user.type(editor, '{{ ');
    expect(editor).toHaveAttribute('aria-expanded', 'true');
    expect(options().slice(0, 7)).toEqual(['span.', 'resource.', '.', 'event.', 'link.', 'name', 'status']);
    await user.type(editor, 'st');
    expect(options()).toEqual(['status', 'statusMessage']);
  });

  it('offers the keys of a scope from the tags API and inserts the chosen one', async () => {
    const { editor, user, asked } = await openEditor();
    await user.type(editor, '{{ resource.');
    await waitFor(() =>
      expect(options()).toEqual(['resource.deployment.environment', 'resource.service.name']),
    );
    expect(asked[0].searchParams.get('scope')).toBe('resource');
    expect(asked[0].searchParams.get('start')).toMatch(/^\d{10}$/);
    await user.keyboard('{ArrowDown}{Enter}');
    expect(editor).toHaveValue('{ resource.service.name ');
    // Next come the operators.
    expect(options()).toEqual(['=', '!=', '>', '>=', '<', '<=', '=~', '!~']);
  });

  it('offers keys of both scopes after a bare dot', async () => {
    const { editor, user } = await openEditor();
    await user.type(editor, '{{ .http');
    await waitFor(() => expect(options()).toEqual(['.http.method', '.http.status_code']));
  });

  it('offers an attribute’s values after an operator, strings quoted, numbers bare', async () => {
    const { editor, user, asked } = await openEditor();
    await user.type(editor, '{{ resource.service.name = ');
    await waitFor(() => expect(options()).toEqual(['cart', 'checkout', 'frontend', 'payment', 'redis']));
    expect(asked.at(-1)?.pathname).toBe('/api/v2/search/tag/resource.service.name/values');
    await user.type(editor, 'fr');
    expect(options()).toEqual(['frontend']);
    await user.keyboard('{Tab}');
    expect(editor).toHaveValue('{ resource.service.name = "frontend" ');
    expect(options()).toEqual(['&&', '||', '}']);
    await user.keyboard('{Enter}');
    await user.type(editor, 'span.http.status_code = ');
    await waitFor(() => expect(options()).toEqual(['200', '500']));
    await user.keyboard('{ArrowDown}{Enter}');
    expect(editor).toHaveValue('{ resource.service.name = "frontend" && span.http.status_code = 500 ');
  });

  it('offers error/ok/unset for status and the kinds for kind, without asking the server', async () => {
    const { editor, user, asked } = await openEditor();
    await user.type(editor, '{{ status = ');
    expect(options()).toEqual(['error', 'ok', 'unset']);
    await user.keyboard('{Enter}');
    expect(editor).toHaveValue('{ status = error ');
    await user.type(editor, '&& kind = ');
    expect(options()).toEqual(['server', 'client', 'producer', 'consumer', 'internal', 'unspecified']);
    expect(asked.filter((url) => url.pathname.includes('/tag/'))).toHaveLength(0);
  });

  it('closes on Escape, and Enter then runs the query; Ctrl+Enter runs with the list open', async () => {
    const { editor, user, router } = await openEditor();
    await user.type(editor, '{{ status = ');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox')).not.toBeInTheDocument();
    expect(editor).toHaveAttribute('aria-expanded', 'false');
    await user.type(editor, 'error }');
    await user.keyboard('{Enter}');
    expect(new URLSearchParams(router.location.search).get('q')).toBe('{ status = error }');

    await user.clear(editor);
    await user.type(editor, '{{ ');
    expect(screen.getByRole('listbox')).toBeInTheDocument();
    await user.keyboard('{Control>}{Enter}{/Control}');
    expect(currentUrl(router)).toBe('/search?q=%7B');
  });
});
