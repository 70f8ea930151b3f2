import { HttpResponse, http } from 'msw';
import type { TempoSearchResponse, TempoTraceSummary } from '../src/search/search-api';
import { CHECKOUT_START_MS, CHECKOUT_TRACE_ID } from './msw';

/**
 * Tempo's search API for component tests: three traces (the checkout trace, which the trace
 * handler can open, a slow healthy one and one whose root has not arrived), attribute names per
 * scope and values per attribute, as `/api/search` and `/api/v2/search/tag*` answer them.
 */

export const SLOW_TRACE_ID = '00000000000000000000000000a11ce5';
export const ROOTLESS_TRACE_ID = '0000000000000000000000000000beef';

const nanos = (ms: number) => `${ms}000000`;

export function traceSummary(overrides: Partial<TempoTraceSummary> & { traceID: string }): TempoTraceSummary {
  const spanSet = {
    spans: [
      { spanID: '0000000000000001', startTimeUnixNano: nanos(CHECKOUT_START_MS), durationNanos: '1000000' },
    ],
    matched: 1,
  };
  return {
    rootServiceName: 'frontend',
    rootTraceName: 'GET /',
    startTimeUnixNano: nanos(CHECKOUT_START_MS),
    durationMs: 10,
    spanSets: [spanSet],
    spanSet,
    serviceStats: { frontend: { spanCount: 1 } },
    ...overrides,
  };
}

/** Newest first, as Tempo orders them. */
export const SEARCH_ANSWER: TempoSearchResponse = {
  traces: [
    traceSummary({
      traceID: ROOTLESS_TRACE_ID,
      rootServiceName: '<root span not yet received>',
      rootTraceName: undefined,
      startTimeUnixNano: nanos(CHECKOUT_START_MS + 60_000),
      durationMs: 40,
      serviceStats: { cart: { spanCount: 2 } },
    }),
    traceSummary({
      traceID: CHECKOUT_TRACE_ID,
      rootTraceName: 'GET /checkout',
      startTimeUnixNano: nanos(CHECKOUT_START_MS),
      durationMs: 120,
      spanSets: [
        {
          spans: [
            {
              spanID: '4bf92f3577b34d06',
              startTimeUnixNano: nanos(CHECKOUT_START_MS),
              durationNanos: '45000000',
            },
          ],
          matched: 3,
        },
      ],
      serviceStats: {
        frontend: { spanCount: 3 },
        cart: { spanCount: 1 },
        redis: { spanCount: 1 },
        checkout: { spanCount: 2 },
        payment: { spanCount: 2, errorCount: 1 },
      },
    }),
    traceSummary({
      traceID: SLOW_TRACE_ID,
      rootTraceName: 'GET /catalogue',
      startTimeUnixNano: nanos(CHECKOUT_START_MS - 60_000),
      durationMs: 2500,
      serviceStats: { frontend: { spanCount: 4 }, catalogue: { spanCount: 20 } },
    }),
  ],
  metrics: {
    inspectedTraces: 1000,
    inspectedSpans: 9000,
    inspectedBytes: '123456',
    totalBlocks: 7,
    inspectedBlocks: 2,
  },
};

export const TAG_NAMES: Record<string, string[]> = {
  span: ['http.method', 'http.status_code', 'db.system'],
  resource: ['service.name', 'deployment.environment'],
};

export const TAG_VALUES: Record<string, { type: string; value: string }[]> = {
  'resource.service.name': ['cart', 'checkout', 'frontend', 'payment', 'redis'].map((value) => ({
    type: 'string',
    value,
  })),
  name: ['GET /checkout', 'PaymentService/Charge'].map((value) => ({ type: 'string', value })),
  'span.http.method': ['GET', 'POST'].map((value) => ({ type: 'string', value })),
  'span.http.status_code': [
    { type: 'int', value: '200' },
    { type: 'int', value: '500' },
  ],
};

/** The tags APIs over the fixtures above. */
export const tagHandlers = [
  http.get('*/api/v2/search/tags', ({ request }) => {
    const scope = new URL(request.url).searchParams.get('scope') ?? '';
    return HttpResponse.json({ scopes: [{ name: scope, tags: TAG_NAMES[scope] ?? [] }] });
  }),
  http.get('*/api/v2/search/tag/:tag/values', ({ params }) =>
    HttpResponse.json({ tagValues: TAG_VALUES[String(params.tag)] ?? [] }),
  ),
];

/** `/api/search` answering `answer` to every query. */
export const searchAnswer = (answer: TempoSearchResponse = SEARCH_ANSWER) =>
  http.get('*/api/search', () => HttpResponse.json(answer));

/** `/api/search` failing as Tempo does: a status and a plain-text body. */
export const searchFailure = (status: number, body: string) =>
  http.get('*/api/search', () => new HttpResponse(body, { status }));
