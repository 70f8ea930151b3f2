import { metrics, SpanKind, trace } from '@opentelemetry/api';
import { between, sleep } from '../random';
import { log } from '../telemetry/log';
import { call, HttpError, ok, startService } from './kit';

/**
 * payments: charges a card through the payment gateway, retrying what is worth retrying (a 503
 * or no answer: up to 3 attempts, 100 ms then 200 ms apart, with the same idempotency key) and
 * not what is not (a decline). Each attempt is its own `fetch` client span under `charge card`,
 * each retry a WARN line and a `retry` event. Also counts charges by outcome and retries as
 * OTLP metrics (`app_payment_charges_total`, `app_payment_gateway_retries_total` in Loupe).
 */

const MAX_ATTEMPTS = 3;

const tracer = trace.getTracer('payments');
const meter = metrics.getMeter('payments');
const charges = meter.createCounter('app.payment.charges', { description: 'Card charges by outcome' });
const retries = meter.createCounter('app.payment.gateway.retries', {
  description: 'Gateway calls repeated after a 503 or a timeout',
});

interface ChargeRequest {
  order_id: string;
  customer: string;
  amount_cents: number;
}

async function chargeCard(request: ChargeRequest): Promise<{ id: string; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    let status: number;
    let body: { id?: string; error?: string; code?: string } = {};
    try {
      ({ status, body } = await call('payment-gateway', '/v1/charges', {
        body: {
          amount_cents: request.amount_cents,
          customer: request.customer,
          idempotency_key: request.order_id,
        },
        headers: { 'idempotency-key': request.order_id },
        timeoutMs: 4_000,
      }));
    } catch (err) {
      status = 504;
      body = { error: (err as Error).message };
    }
    trace.getActiveSpan()?.setAttribute('app.payment.attempts', attempt);
    if (status === 200) return { id: body.id!, attempts: attempt };
    if (status === 402) {
      charges.add(1, { outcome: 'declined' });
      log.error('payment declined', {
        'order.id': request.order_id,
        'customer.id': request.customer,
        reason: body.code,
      });
      throw new HttpError(402, body.error ?? 'card declined', 'card_declined');
    }
    if (attempt === MAX_ATTEMPTS) {
      charges.add(1, { outcome: 'gateway_unavailable' });
      log.error(`payment gateway unavailable after ${MAX_ATTEMPTS} attempts`, {
        'order.id': request.order_id,
        last_status: status,
      });
      throw new HttpError(502, 'payment gateway unavailable', 'gateway_unavailable');
    }
    const backoffMs = 100 * 2 ** (attempt - 1) + between(0, 30);
    retries.add(1, { status });
    trace
      .getActiveSpan()
      ?.addEvent('retry', { attempt, 'http.response.status_code': status, backoff_ms: backoffMs });
    log.warn('payment gateway failed, retrying', {
      'order.id': request.order_id,
      attempt,
      status,
      backoff_ms: backoffMs,
    });
    await sleep(backoffMs);
  }
}

startService('payments', {
  routes: [
    {
      method: 'POST',
      path: '/payments',
      handle: async ({ body }) => {
        const request = body as ChargeRequest;
        trace
          .getActiveSpan()
          ?.setAttributes({ 'order.id': request.order_id, 'customer.id': request.customer });
        const charge = await tracer.startActiveSpan(
          'charge card',
          {
            kind: SpanKind.INTERNAL,
            attributes: { 'order.id': request.order_id, 'app.payment.amount_cents': request.amount_cents },
          },
          async (span) => {
            try {
              return await chargeCard(request);
            } finally {
              span.end();
            }
          },
        );
        charges.add(1, { outcome: 'succeeded' });
        log.info('payment captured', {
          'order.id': request.order_id,
          charge: charge.id,
          attempts: charge.attempts,
        });
        return ok({ charge_id: charge.id, attempts: charge.attempts }, 201);
      },
    },
  ],
});
