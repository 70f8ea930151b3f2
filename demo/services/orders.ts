import { metrics, trace } from '@opentelemetry/api';
import { log } from '../telemetry/log';
import { publish } from '../telemetry/queue';
import { call, fail, HttpError, ok, startService } from './kit';

/**
 * orders: places an order. Reserve the stock (inventory), charge the card (payments), and on a
 * failed payment give the stock back; once paid, publish `order.placed` to the queue, where
 * shipping picks it up. Also `GET /orders/:id` (recent orders, in memory) for the frontend's
 * dispatch page.
 */

interface OrderLine {
  product_id: string;
  quantity: number;
  price_cents: number;
}

interface Order {
  order_id: string;
  customer: string;
  items: OrderLine[];
  total_cents: number;
  charge_id: string;
  zone: string;
}

const KEPT_ORDERS = 5_000;
const orders = new Map<string, Order>();
const placed = metrics
  .getMeter('orders')
  .createCounter('app.orders.placed', { description: 'Orders paid for' });
/** Unique across demo runs that keep their data (the reservations table is keyed by order ID). */
const runPrefix = (Date.now() % 1_679_616).toString(36);
let sequence = 0;

async function placeOrder(customer: string, items: OrderLine[], zone: string): Promise<Order> {
  const orderId = `o-${runPrefix}${++sequence}`;
  const total = items.reduce((sum, line) => sum + line.quantity * line.price_cents, 0);
  trace.getActiveSpan()?.setAttributes({
    'order.id': orderId,
    'customer.id': customer,
    'app.order.lines': items.length,
    'app.order.total_cents': total,
  });

  const reserved = await call('inventory', '/reservations', {
    body: { order_id: orderId, items: items.map(({ product_id, quantity }) => ({ product_id, quantity })) },
  });
  if (reserved.status !== 201) {
    log.warn('order rejected', {
      'order.id': orderId,
      'customer.id': customer,
      reason: String(reserved.body.code),
    });
    fail('inventory', reserved);
  }

  const paid = await call<{ charge_id: string; error?: string }>('payments', '/payments', {
    body: { order_id: orderId, customer, amount_cents: total },
  });
  if (paid.status !== 201) {
    await call('inventory', `/reservations/${orderId}/release`, { method: 'POST' });
    log.warn('order not paid, stock released', { 'order.id': orderId, status: paid.status });
    fail('payments', paid);
  }

  const order = {
    order_id: orderId,
    customer,
    items,
    total_cents: total,
    charge_id: paid.body.charge_id,
    zone,
  };
  await publish('order.placed', order);
  orders.set(orderId, order);
  if (orders.size > KEPT_ORDERS) orders.delete(orders.keys().next().value!);
  placed.add(1, { zone });
  log.info('order placed', { 'order.id': orderId, 'customer.id': customer, total_cents: total });
  return order;
}

startService('orders', {
  routes: [
    {
      method: 'POST',
      path: '/orders',
      handle: async ({ body }) => {
        const { customer, items, zone } = body as { customer: string; items: OrderLine[]; zone: string };
        if (!customer || !Array.isArray(items) || items.length === 0) {
          throw new HttpError(400, 'an order needs a customer and items', 'bad_request');
        }
        return ok(await placeOrder(customer, items, zone ?? 'eu-west'), 201);
      },
    },
    {
      method: 'GET',
      path: '/orders/:id',
      handle: async ({ params }) => {
        trace.getActiveSpan()?.setAttribute('order.id', params.id);
        const order = orders.get(params.id);
        if (!order) throw new HttpError(404, `no order ${params.id}`, 'not_found');
        return ok(order);
      },
    },
  ],
});
