import { trace } from '@opentelemetry/api';
import { between, chance, pick, sleep } from '../random';
import { log } from '../telemetry/log';
import { HttpError, ok, startService } from './kit';

/**
 * payment-gateway: the stand-in for a card processor's API, the one dependency the shop does not
 * run. Usually 40-140 ms; now and then (4%) 1.2-2.6 s; 3% of calls answer 503; and every 30-50 s
 * an "incident" of 5 s answers 503 to most calls, which is when the payments service's retries
 * run out. 6% of charges are declined (402), whatever the retries.
 */

const DECLINE_CODES = ['insufficient_funds', 'card_expired', 'do_not_honor'] as const;

let incidentUntil = 0;

function scheduleIncident(): void {
  setTimeout(
    () => {
      incidentUntil = Date.now() + 5_000;
      log.warn('incident: acquirer timeouts, answering 503', { duration_s: 5 });
      scheduleIncident();
    },
    between(30_000, 50_000),
  ).unref();
}
scheduleIncident();

startService('payment-gateway', {
  routes: [
    {
      method: 'POST',
      path: '/v1/charges',
      handle: async ({ body }) => {
        const charge = body as { amount_cents: number; customer: string; idempotency_key: string };
        const span = trace.getActiveSpan();
        span?.setAttributes({
          'customer.id': charge.customer,
          'app.payment.amount_cents': charge.amount_cents,
        });
        const inIncident = Date.now() < incidentUntil;
        if (chance(inIncident ? 0.85 : 0.03)) {
          await sleep(between(20, 60));
          throw new HttpError(503, 'acquirer unavailable, try again', 'unavailable');
        }
        await sleep(chance(0.04) ? between(1_200, 2_600) : between(40, 140));
        if (chance(0.06)) {
          const declineCode = pick(DECLINE_CODES);
          span?.setAttribute('app.payment.decline_code', declineCode);
          throw new HttpError(402, `card declined: ${declineCode}`, 'card_declined');
        }
        const chargeId = `ch_${Math.random().toString(36).slice(2, 12)}`;
        span?.setAttribute('app.payment.charge_id', chargeId);
        return ok({ id: chargeId, status: 'succeeded' });
      },
    },
  ],
});
