import { screen, waitFor } from '@testing-library/react';
import { CHECKOUT_TRACE_ID } from '../../../test/msw';
import { currentUrl, renderApp } from '../../../test/render-app';

async function openCheckout(query = '') {
  const app = renderApp(`/trace/${CHECKOUT_TRACE_ID}${query}`);
  await screen.findByRole('tree', { name: 'Spans' });
  return app;
}
const rows = () => screen.getAllByRole('treeitem');
const matchStatus = () => screen.getByRole('form', { name: 'Filter spans' }).querySelector('[role="status"]');

describe('span filter', () => {
  it('counts matches of an operation search and keeps the filter in the URL', async () => {
    const { user, router } = await openCheckout();
    await user.type(screen.getByRole('searchbox', { name: 'Operation' }), 'service/');
    expect(await screen.findByText('4 of 9 spans match')).toBeInTheDocument();
    expect(rows()).toHaveLength(9);
    expect(currentUrl(router)).toContain('op=service%2F');
  });

  it('hides non-matches on request', async () => {
    const { user } = await openCheckout();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Service' }), 'payment');
    expect(await screen.findByText('2 of 9 spans match')).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Show only matches' }));
    expect(rows().map((r) => r.getAttribute('aria-label')?.split(',')[0])).toEqual([
      'payment PaymentService/Charge',
      'payment POST api.stripe.com',
    ]);
  });

  it('finds errors, attributes and slow spans', async () => {
    const { user } = await openCheckout();
    await user.click(screen.getByRole('checkbox', { name: 'Errors only' }));
    expect(await screen.findByText('1 span matches')).toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Errors only' }));
    await user.type(screen.getByRole('textbox', { name: 'Attributes' }), 'http.response.status_code=402');
    expect(await screen.findByText('1 span matches')).toBeInTheDocument();
    await user.clear(screen.getByRole('textbox', { name: 'Attributes' }));
    await user.type(screen.getByRole('textbox', { name: 'Min duration' }), '30ms');
    expect(await screen.findByText('4 of 9 spans match')).toBeInTheDocument();
  });

  it('says when a field cannot be read', async () => {
    const { user } = await openCheckout();
    await user.type(screen.getByRole('textbox', { name: 'Min duration' }), 'slow');
    expect(await screen.findByRole('alert')).toHaveTextContent('Use a duration such as 250ms');
    expect(screen.getByRole('textbox', { name: 'Min duration' })).toBeInvalid();
    expect(matchStatus()).toBeNull();
  });

  it('restores the filter from a shared URL and clears it', async () => {
    const { user, router } = await openCheckout('?op=GetCart&only=1');
    expect(screen.getByRole('searchbox', { name: 'Operation' })).toHaveValue('GetCart');
    await waitFor(() => expect(rows()).toHaveLength(1));
    await user.click(screen.getByRole('button', { name: 'Clear filter' }));
    expect(screen.getByRole('searchbox', { name: 'Operation' })).toHaveValue('');
    expect(currentUrl(router)).not.toContain('op=');
  });

  it('steps through matches', async () => {
    const { user } = await openCheckout('?service=frontend');
    await user.click(await screen.findByRole('button', { name: 'Next match' }));
    await user.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByRole('complementary', { name: 'POST /api/cart' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Previous match' }));
    expect(screen.getByRole('complementary', { name: 'GET /checkout' })).toBeInTheDocument();
  });
});
