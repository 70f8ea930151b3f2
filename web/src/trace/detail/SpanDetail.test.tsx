import { screen, within } from '@testing-library/react';
import { checkoutSpanIds, LINKED_SPAN_ID, LINKED_TRACE_ID } from '../../../../fixtures/ui/checkout-trace';
import { CHECKOUT_TRACE_ID } from '../../../test/msw';
import { currentUrl, renderApp } from '../../../test/render-app';

const ids = checkoutSpanIds(CHECKOUT_TRACE_ID);

async function openSpan(spanId: string, name: string) {
  const app = renderApp(`/trace/${CHECKOUT_TRACE_ID}?span=${spanId}`);
  const panel = await screen.findByRole('complementary', { name });
  // The name shows at once; the rest comes from the trace worker.
  await within(panel).findByRole('table', { name: 'Span attributes' });
  return { ...app, panel };
}
const field = (panel: HTMLElement, term: string) =>
  within(panel).getByText(term, { selector: 'dt' }).nextElementSibling;

describe('span detail', () => {
  it('opens on a click and shows the span’s facts', async () => {
    const app = renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    await app.user.click(await screen.findByRole('treeitem', { name: /PaymentService\/Charge/ }));
    const panel = screen.getByRole('complementary', { name: 'PaymentService/Charge' });
    await within(panel).findByRole('table', { name: 'Span attributes' });
    expect(field(panel, 'Service')).toHaveTextContent('payment');
    expect(field(panel, 'Kind')).toHaveTextContent('server');
    expect(field(panel, 'Status')).toHaveTextContent('Error — card declined');
    expect(field(panel, 'Start')).toHaveTextContent('+35ms');
    expect(field(panel, 'Duration')).toHaveTextContent('45ms');
    expect(field(panel, 'Span ID')).toHaveTextContent(ids.charge);
    expect(field(panel, 'Parent ID')).toHaveTextContent(ids.placeOrder);
    expect(within(panel).getByRole('button', { name: 'Copy span ID' })).toBeInTheDocument();
    const attributes = within(panel).getByRole('table', { name: 'Span attributes' });
    expect(within(attributes).getByRole('rowheader', { name: 'app.payment.currency' })).toBeInTheDocument();
    expect(within(attributes).getByRole('cell', { name: 'EUR' })).toBeInTheDocument();
    const resource = within(panel).getByRole('table', { name: 'Resource attributes' });
    expect(within(resource).getByRole('cell', { name: 'staging' })).toBeInTheDocument();
    expect(currentUrl(app.router)).toContain(`span=${ids.charge}`);
  });

  it('formats exceptions with their stack trace', async () => {
    const { panel } = await openSpan(ids.charge, 'PaymentService/Charge');
    expect(within(panel).getByText('PaymentDeclinedError')).toBeInTheDocument();
    expect(within(panel).getByLabelText('Stack trace')).toHaveTextContent(
      'at charge (/srv/payment/src/charge.ts:42:11)',
    );
  });

  it('truncates long values until asked for more', async () => {
    const { panel, user } = await openSpan(ids.quote, 'ShippingService/Quote');
    const cell = within(panel).getByRole('rowheader', { name: 'db.statement' })
      .nextElementSibling as HTMLElement;
    expect(cell.textContent!.length).toBeLessThan(600);
    await user.click(within(cell).getByRole('button', { name: /Show more/ }));
    expect(cell).toHaveTextContent('FROM shipping_rates WHERE region = $1');
    expect(within(cell).getByRole('button', { name: 'Show less' })).toHaveAttribute('aria-expanded', 'true');
  });

  it('opens a linked trace and goes to the parent span', async () => {
    const { panel, user, router } = await openSpan(ids.quote, 'ShippingService/Quote');
    await user.click(within(panel).getByRole('button', { name: ids.placeOrder }));
    expect(screen.getByRole('complementary', { name: 'CheckoutService/PlaceOrder' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /Next error/ }));
    await user.click(screen.getByRole('treeitem', { name: /Quote/ }));
    await user.click(await screen.findByRole('link', { name: /Open linked trace/ }));
    expect(currentUrl(router)).toBe(`/trace/${LINKED_TRACE_ID}?span=${LINKED_SPAN_ID}`);
  });

  it('closes and forgets the selection', async () => {
    const { panel, user, router } = await openSpan(ids.root, 'GET /checkout');
    expect(field(panel, 'Parent ID')).toHaveTextContent('none (root span)');
    await user.click(within(panel).getByRole('button', { name: 'Close span details' }));
    expect(screen.queryByRole('complementary')).not.toBeInTheDocument();
    expect(currentUrl(router)).not.toContain('span=');
  });
});
