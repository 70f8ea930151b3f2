import { trace } from '@opentelemetry/api';
import { CARRIERS } from '../catalog';
import { log } from '../telemetry/log';
import { call, fail, HttpError, ok, startService } from './kit';

/**
 * frontend: the shop's API, where every user request (the load loop's) starts its trace.
 * - `GET /products?category=`: the category page and the best sellers, fetched in parallel.
 * - `GET /products/:id`: one product.
 * - `POST /checkout`: prices the cart (inventory), then places the order (orders).
 * - `GET /dispatch?order=`: the order (orders), then a quote from each of six carriers in
 *   parallel (shipping), keeping the cheapest: a fan-out, and partial failures (postal).
 * - `POST /admin/reindex`: rebuilds the search index (inventory): a trace of 1,200+ spans.
 */

interface ProductRow {
  id: string;
  price_cents: number;
}

interface Quote {
  carrier: string;
  price_cents: number;
  days: number;
}

startService('frontend', {
  routes: [
    {
      method: 'GET',
      path: '/products',
      handle: async ({ query }) => {
        const category = query.get('category') ?? 'books';
        trace.getActiveSpan()?.setAttribute('app.category', category);
        const [page, bestSellers] = await Promise.all([
          call<ProductRow[]>('inventory', `/products?category=${encodeURIComponent(category)}`),
          call<unknown[]>('inventory', '/best-sellers'),
        ]);
        if (page.status !== 200) fail('inventory', page);
        return ok({
          category,
          products: page.body,
          best_sellers: bestSellers.status === 200 ? bestSellers.body : [],
        });
      },
    },
    {
      method: 'GET',
      path: '/products/:id',
      handle: async ({ params }) => {
        trace.getActiveSpan()?.setAttribute('app.product.id', params.id);
        const product = await call('inventory', `/products/${encodeURIComponent(params.id)}`);
        if (product.status !== 200) fail('inventory', product);
        return ok(product.body);
      },
    },
    {
      method: 'POST',
      path: '/checkout',
      handle: async ({ body }) => {
        const cart = body as {
          customer: string;
          zone: string;
          items: { product_id: string; quantity: number }[];
        };
        const span = trace.getActiveSpan();
        span?.setAttributes({ 'customer.id': cart.customer, 'app.cart.lines': cart.items.length });
        if (cart.items.length > 0) span?.setAttribute('app.product.id', cart.items[0].product_id);
        const ids = cart.items.map((i) => i.product_id).join(',');
        const priced = await call<ProductRow[]>('inventory', `/products?ids=${encodeURIComponent(ids)}`);
        if (priced.status !== 200) fail('inventory', priced);
        const prices = new Map(priced.body.map((p) => [p.id, p.price_cents]));
        const items = cart.items.map((item) => {
          const price = prices.get(item.product_id);
          if (price === undefined)
            throw new HttpError(400, `unknown product ${item.product_id}`, 'bad_request');
          return { ...item, price_cents: price };
        });
        const order = await call<{ order_id: string; total_cents: number }>('orders', '/orders', {
          body: { customer: cart.customer, zone: cart.zone, items },
        });
        if (order.status !== 201) fail('orders', order);
        span?.setAttribute('order.id', order.body.order_id);
        log.info('checkout complete', { 'order.id': order.body.order_id, 'customer.id': cart.customer });
        return ok(order.body, 201);
      },
    },
    {
      method: 'GET',
      path: '/dispatch',
      handle: async ({ query }) => {
        const orderId = query.get('order') ?? '';
        trace.getActiveSpan()?.setAttribute('order.id', orderId);
        const order = await call<{ zone: string; customer: string }>(
          'orders',
          `/orders/${encodeURIComponent(orderId)}`,
        );
        if (order.status !== 200) fail('orders', order);
        trace.getActiveSpan()?.setAttribute('customer.id', order.body.customer);
        const answers = await Promise.all(
          CARRIERS.map((carrier) =>
            call<Quote>('shipping', `/quote?carrier=${carrier}&zone=${order.body.zone}`).catch(
              () => undefined,
            ),
          ),
        );
        const quotes = answers.filter((a) => a?.status === 200).map((a) => a!.body);
        if (quotes.length < CARRIERS.length) {
          log.warn('some carriers did not quote', { 'order.id': orderId, quotes: quotes.length });
        }
        if (quotes.length === 0) throw new HttpError(502, 'no carrier quoted', 'no_quotes');
        const best = quotes.reduce((a, b) => (b.price_cents < a.price_cents ? b : a));
        return ok({ order_id: orderId, ...best, quotes: quotes.length });
      },
    },
    {
      method: 'POST',
      path: '/admin/reindex',
      handle: async () => {
        const rebuilt = await call<{ products: number }>('inventory', '/search-index/rebuild', {
          method: 'POST',
          timeoutMs: 30_000,
        });
        if (rebuilt.status !== 200) fail('inventory', rebuilt);
        log.info('search index rebuilt', { products: rebuilt.body.products });
        return ok(rebuilt.body);
      },
    },
  ],
});
