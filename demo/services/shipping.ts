import { SpanKind, trace } from '@opentelemetry/api';
import { CARRIERS } from '../catalog';
import { between, chance, pick, sleep } from '../random';
import { log } from '../telemetry/log';
import { consume } from '../telemetry/queue';
import { HttpError, ok, startService } from './kit';

/**
 * shipping: consumes `order.placed` from the queue (a CONSUMER span in the order's trace, after
 * the checkout has answered) and creates the shipment; 2% of addresses fail validation (an
 * ERROR log line, the span failed). Also quotes a carrier's price (`GET /quote`): the frontend's
 * dispatch page asks all six at once; `postal` is flaky (503) and `freight` slow now and then.
 */

interface PlacedOrder {
  order_id: string;
  customer: string;
  items: { product_id: string; quantity: number }[];
  zone: string;
}

const tracer = trace.getTracer('shipping');

function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL }, async (span) => {
    try {
      return await work();
    } finally {
      span.end();
    }
  });
}

async function createShipment(order: PlacedOrder): Promise<void> {
  trace.getActiveSpan()?.setAttributes({ 'order.id': order.order_id, 'customer.id': order.customer });
  await sleep(between(5, 30));
  if (chance(0.02)) {
    log.error(
      'shipment failed',
      { 'order.id': order.order_id, 'customer.id': order.customer },
      new Error(`address validation failed: no such postcode for ${order.customer}`),
    );
    return;
  }
  const carrier = await step('choose carrier', async () => {
    await sleep(between(3, 15));
    return pick(CARRIERS.filter((c) => c !== 'postal'));
  });
  const parcels = Math.max(1, Math.ceil(order.items.reduce((n, i) => n + i.quantity, 0) / 4));
  await step('print labels', async () => {
    trace.getActiveSpan()?.setAttribute('app.shipment.parcels', parcels);
    await sleep(between(10, 25) * parcels);
  });
  const shipment = `s-${order.order_id.slice(2)}`;
  log.info('shipment created', { 'order.id': order.order_id, shipment, carrier, parcels });
}

const consumer = consume<PlacedOrder>('order.placed', 'shipping', createShipment);

startService('shipping', {
  routes: [
    {
      method: 'GET',
      path: '/quote',
      handle: async ({ query }) => {
        const carrier = query.get('carrier') ?? 'dhl';
        const zone = query.get('zone') ?? 'eu-west';
        trace.getActiveSpan()?.setAttributes({ 'app.carrier': carrier, 'app.zone': zone });
        if (carrier === 'postal' && chance(0.12)) {
          await sleep(between(30, 80));
          throw new HttpError(503, 'postal rate service unavailable', 'unavailable');
        }
        await sleep(carrier === 'freight' && chance(0.1) ? between(900, 1_800) : between(20, 150));
        return ok({ carrier, zone, price_cents: between(399, 2_499), days: between(1, 6) });
      },
    },
  ],
  onStop: () => consumer.stop(),
});
