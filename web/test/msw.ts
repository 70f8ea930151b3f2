import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { buildCheckoutTrace } from '../../fixtures/ui/checkout-trace';
import { toTempoResponse } from '../../fixtures/ui/otlp-json';

/** The trace every component test can open; its spans start at a fixed time. */
export const CHECKOUT_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const CHECKOUT_START_MS = Date.UTC(2024, 4, 14, 9, 30, 0);
export const checkoutResponse = () =>
  toTempoResponse(buildCheckoutTrace(CHECKOUT_TRACE_ID, CHECKOUT_START_MS));

export const configHandler = (multitenancyEnabled = false) =>
  http.get('*/loupe/config', () => HttpResponse.json({ version: 'test', multitenancyEnabled }));

/** Tempo's behaviour: the checkout trace by its ID, `{"trace": {}}` for any other valid ID. */
export const traceHandler = http.get('*/api/v2/traces/:id', ({ params }) => {
  const id = String(params.id).toLowerCase().padStart(32, '0');
  if (id === CHECKOUT_TRACE_ID) return HttpResponse.json(checkoutResponse());
  return HttpResponse.json({ trace: {} });
});

export const mswServer = setupServer(configHandler(), traceHandler);
