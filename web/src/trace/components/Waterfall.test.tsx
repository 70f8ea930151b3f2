import { act, screen, within } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { checkoutSpanIds } from '../../../../fixtures/ui/checkout-trace';
import { CHECKOUT_TRACE_ID, mswServer } from '../../../test/msw';
import { currentUrl, renderApp } from '../../../test/render-app';

const ids = checkoutSpanIds(CHECKOUT_TRACE_ID);
const rowNames = () =>
  screen.getAllByRole('treeitem').map((row) => row.getAttribute('aria-label')?.split(',')[0]);

async function openCheckout(query = '') {
  const app = renderApp(`/trace/${CHECKOUT_TRACE_ID}${query}`);
  await screen.findByRole('tree', { name: 'Spans' });
  return app;
}

describe('waterfall', () => {
  it('lists spans in tree order with service and operation', async () => {
    await openCheckout();
    expect(rowNames()).toEqual([
      'frontend GET /checkout',
      'frontend POST /api/cart',
      'cart CartService/GetCart',
      'redis HGETALL',
      'checkout CheckoutService/PlaceOrder',
      'payment PaymentService/Charge',
      'payment POST api.stripe.com',
      'checkout ShippingService/Quote',
      'frontend render confirmation',
    ]);
    const root = screen.getByRole('treeitem', { name: /^frontend GET \/checkout/ });
    expect(root).toHaveAttribute('aria-level', '1');
    expect(within(root).getByText('120ms')).toBeInTheDocument();
  });

  it('marks the failed span and the ancestors of it', async () => {
    await openCheckout();
    expect(
      screen.getByRole('treeitem', { name: /^payment PaymentService\/Charge, 45ms, error/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('treeitem', { name: /^checkout CheckoutService\/PlaceOrder.*a descendant failed/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('treeitem', { name: /^frontend GET \/checkout.*a descendant failed/ }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('treeitem', { name: /^cart CartService\/GetCart/ }).getAttribute('aria-label'),
    ).not.toMatch(/error|failed/);
  });

  it('collapses and expands a span, and everything at once', async () => {
    const { user } = await openCheckout();
    const placeOrder = screen.getByRole('treeitem', { name: /PlaceOrder/ });
    await user.click(within(placeOrder).getByRole('button', { name: 'Collapse' }));
    expect(placeOrder).toHaveAttribute('aria-expanded', 'false');
    expect(rowNames()).toHaveLength(6);
    expect(screen.queryByRole('treeitem', { name: /Charge/ })).not.toBeInTheDocument();
    await user.click(within(placeOrder).getByRole('button', { name: 'Expand' }));
    expect(rowNames()).toHaveLength(9);
    await user.click(screen.getByRole('button', { name: 'Collapse all' }));
    expect(rowNames()).toEqual(['frontend GET /checkout']);
    await user.click(screen.getByRole('button', { name: 'Expand all' }));
    expect(rowNames()).toHaveLength(9);
  });

  it('moves with the arrow keys, collapses with ←, expands with → and opens details with Enter', async () => {
    const { user } = await openCheckout();
    const tree = screen.getByRole('tree', { name: 'Spans' });
    act(() => tree.focus());
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(tree).toHaveAttribute(
      'aria-activedescendant',
      screen.getByRole('treeitem', { name: /GetCart/ }).id,
    );
    await user.keyboard('{ArrowLeft}');
    expect(screen.getByRole('treeitem', { name: /GetCart/ })).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('treeitem', { name: /HGETALL/ })).not.toBeInTheDocument();
    await user.keyboard('{ArrowRight}{ArrowDown}{Enter}');
    const detail = screen.getByRole('complementary', { name: 'HGETALL' });
    await within(detail).findByRole('table', { name: 'Span attributes' });
    expect(within(detail).getByText('Service', { selector: 'dt' }).nextElementSibling).toHaveTextContent(
      'redis',
    );
  });

  it('jumps between errors', async () => {
    const { user, router } = await openCheckout();
    await user.click(screen.getByRole('button', { name: /Next error/ }));
    expect(screen.getByRole('complementary', { name: 'PaymentService/Charge' })).toBeInTheDocument();
    expect(screen.getByRole('treeitem', { name: /Charge/ })).toHaveAttribute('aria-selected', 'true');
    expect(currentUrl(router)).toContain(`span=${ids.charge}`);
  });

  it('follows a deep link to a span: selected, scrolled to and detailed', async () => {
    await openCheckout(`?span=${ids.redis}`);
    expect(screen.getByRole('complementary', { name: 'HGETALL' })).toBeInTheDocument();
    expect(screen.getByRole('treeitem', { name: /HGETALL/ })).toHaveAttribute('aria-selected', 'true');
  });

  it('shows a child that starts before its parent as is, with a skew badge', async () => {
    const ns = (ms: number) => `${1_700_000_000_000 + ms}000000`;
    mswServer.use(
      http.get('*/api/v2/traces/:id', () =>
        HttpResponse.json({
          trace: {
            resourceSpans: [
              {
                resource: { attributes: [{ key: 'service.name', value: { stringValue: 'web' } }] },
                scopeSpans: [
                  {
                    spans: [
                      {
                        spanId: 'AAAAAAAAAAE=',
                        name: 'parent',
                        startTimeUnixNano: ns(10),
                        endTimeUnixNano: ns(50),
                      },
                      {
                        spanId: 'AAAAAAAAAAI=',
                        parentSpanId: 'AAAAAAAAAAE=',
                        name: 'early child',
                        startTimeUnixNano: ns(0),
                        endTimeUnixNano: ns(20),
                      },
                    ],
                  },
                ],
              },
            ],
          },
        }),
      ),
    );
    renderApp('/trace/abc');
    const child = await screen.findByRole('treeitem', { name: /early child/ });
    expect(within(child).getByText('skew')).toBeInTheDocument();
    expect(screen.getByText('Clock skew', { selector: 'dt' }).nextElementSibling).toHaveTextContent('1 span');
  });
});
