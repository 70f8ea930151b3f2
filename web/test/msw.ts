import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { buildCheckoutTrace, checkoutSpanIds } from '../../fixtures/ui/checkout-trace';
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

/** The provisioning snippet from Grafana's docs, as `/loupe/config` hands it to the UI. */
export const TRACE_ID_DERIVED_FIELD = {
  name: 'TraceID',
  matcherRegex: 'trace_id=(\\w+)',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana URL template, not a JS one
  url: '${__value.raw}',
  datasourceUid: 'tempo',
};

export const configWithDerivedFields = (derivedFields: unknown[] = [TRACE_ID_DERIVED_FIELD]) =>
  http.get('*/loupe/config', () =>
    HttpResponse.json({ version: 'test', multitenancyEnabled: false, logs: { derivedFields } }),
  );

const ns = (ms: number) => `${ms}000000`;

/**
 * Logs of the checkout trace as Loki answers with `categorize-labels`: a line pushed to Loki that
 * names the trace in its text, and an OTLP record carrying trace and span IDs as metadata.
 */
export function checkoutLogsResponse() {
  const ids = checkoutSpanIds(CHECKOUT_TRACE_ID);
  return {
    status: 'success',
    data: {
      resultType: 'streams',
      encodingFlags: ['categorize-labels'],
      result: [
        {
          stream: { service_name: 'checkout' },
          values: [
            [ns(CHECKOUT_START_MS + 40), `level=info msg="order placed" trace_id=${CHECKOUT_TRACE_ID}`, {}],
          ],
        },
        {
          stream: { service_name: 'payment' },
          values: [
            [
              ns(CHECKOUT_START_MS + 60),
              'card declined (insufficient funds)',
              {
                structuredMetadata: {
                  trace_id: CHECKOUT_TRACE_ID,
                  span_id: ids.charge,
                  severity_text: 'ERROR',
                  detected_level: 'error',
                },
              },
            ],
          ],
        },
      ],
    },
  };
}

export const LOG_LABELS: Record<string, string[]> = {
  service_name: ['cart', 'checkout', 'frontend', 'payment'],
  detected_level: ['error', 'info'],
};

/** Loki's query API over the checkout logs; an empty query result for any other service. */
export const lokiHandlers = [
  http.get('*/loki/api/v1/query_range', ({ request }) => {
    const query = new URL(request.url).searchParams.get('query') ?? '';
    if (/checkout|payment|=~/.test(query)) return HttpResponse.json(checkoutLogsResponse());
    return HttpResponse.json({ status: 'success', data: { resultType: 'streams', result: [] } });
  }),
  http.get('*/loki/api/v1/labels', () =>
    HttpResponse.json({ status: 'success', data: Object.keys(LOG_LABELS) }),
  ),
  http.get('*/loki/api/v1/label/:name/values', ({ params }) =>
    HttpResponse.json({ status: 'success', data: LOG_LABELS[String(params.name)] ?? [] }),
  ),
];

/** Loupe before any span metrics exist: every range query matches nothing. */
export const noMetricsHandler = http.get('*/prometheus/api/v1/query_range', () =>
  HttpResponse.json({ status: 'success', data: { resultType: 'matrix', result: [] } }),
);

/**
 * Tempo's search API with no traces and no attributes (the landing page searches for recent
 * traces); search tests override it with `search-handlers.ts`.
 */
export const emptySearchHandlers = [
  http.get('*/api/search', () => HttpResponse.json({ traces: [], metrics: {} })),
  http.get('*/api/v2/search/tags', () => HttpResponse.json({ scopes: [] })),
  http.get('*/api/v2/search/tag/:tag/values', () => HttpResponse.json({ tagValues: [] })),
];

export const mswServer = setupServer(
  configHandler(),
  traceHandler,
  ...lokiHandlers,
  noMetricsHandler,
  ...emptySearchHandlers,
);
