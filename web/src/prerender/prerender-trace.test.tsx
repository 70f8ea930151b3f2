import { act } from '@testing-library/react';
import { buildCheckoutTrace } from '../../../fixtures/ui/checkout-trace';
import { encodeTraceByIdResponse } from '../../../fixtures/ui/otlp-proto';
import { CHECKOUT_START_MS, CHECKOUT_TRACE_ID, configHandler, mswServer } from '../../test/msw';
import { traceQueryKey, traceWorkerKey } from '../api/keys';
import { createQueryClient } from '../api/query-client';
import { hydrateApp } from '../app/start';
import { createBrowserHistory } from '../router/history';
import { buildTraceModel } from '../trace/model/build-model';
import { toLayout } from '../trace/model/layout';
import { parseTraceByIdResponseDeferred } from '../trace/model/parse-otlp-proto';
import { prerenderableTraceId, prerenderTracePage } from './prerender-trace';

const bytes = () => encodeTraceByIdResponse(buildCheckoutTrace(CHECKOUT_TRACE_ID, CHECKOUT_START_MS));
const page = (search = '') => ({ pathname: `/trace/${CHECKOUT_TRACE_ID}`, search });

describe('which pages the server renders', () => {
  it('takes the plain trace view, with a tenant or a time range', () => {
    expect(prerenderableTraceId(page())).toEqual({ id: CHECKOUT_TRACE_ID, tenant: '' });
    expect(prerenderableTraceId(page('?tenant=team-a&from=now-6h&to=now'))).toEqual({
      id: CHECKOUT_TRACE_ID,
      tenant: 'team-a',
    });
    expect(prerenderableTraceId({ pathname: '/trace/%20ABC%20', search: '' })).toEqual({
      id: 'abc',
      tenant: '',
    });
  });

  it('leaves to the app what needs the browser: a selected span, a filter, a file', () => {
    for (const search of ['?span=0102030405060708', '?op=charge', '?errors=1', '?ds=file', '?only=1']) {
      expect(prerenderableTraceId(page(search)), search).toBeNull();
    }
  });

  it('leaves to the app what is not a trace ID', () => {
    for (const pathname of ['/trace/xyz', '/trace/a/b', '/trace/%zz', `/trace/${'a'.repeat(33)}`, '/']) {
      expect(prerenderableTraceId({ pathname, search: '' }), pathname).toBeNull();
    }
  });
});

describe('a trace page rendered on the server', () => {
  it('shows the header and the rows, the failed span marked, times in UTC', () => {
    const html = prerenderTracePage(page(), bytes())!;
    const doc = new DOMParser().parseFromString(`<div id="root">${html}</div>`, 'text/html');
    expect(doc.querySelector('.trace-title')?.textContent).toBe('frontend: GET /checkout');
    const rows = [...doc.querySelectorAll('[role="treeitem"]')];
    expect(rows).toHaveLength(9);
    expect(rows[0].getAttribute('aria-label')).toMatch(/^frontend GET \/checkout/);
    const failed = rows.filter((row) => row.classList.contains('is-error'));
    expect(failed.map((row) => row.querySelector('.span-op')?.textContent)).toEqual([
      'PaymentService/Charge',
    ]);
    // The server knows neither the viewer's time zone nor their preference: UTC, and it says so.
    expect(doc.body.textContent).toContain('2024-05-14 09:30:00.000 UTC');
    expect(doc.querySelector('[aria-pressed="true"][title="Times are shown in UTC"]')).not.toBeNull();
  });

  it('renders nothing for an empty answer', () => {
    expect(prerenderTracePage(page(), encodeTraceByIdResponse({ resourceSpans: [] }))).toBeNull();
  });

  it('is adopted by the app as its own first render, node for node', async () => {
    mswServer.use(configHandler());
    window.history.pushState(null, '', `/trace/${CHECKOUT_TRACE_ID}`);
    const root = document.createElement('div');
    root.setAttribute('inert', '');
    root.setAttribute('data-prerendered', '');
    root.innerHTML = prerenderTracePage(page(), bytes())!;
    document.body.append(root);
    const firstRow = root.querySelector('[role="treeitem"]');

    // What the app has once the trace worker is done: the same bytes, decoded and laid out.
    const client = createQueryClient();
    const key = traceQueryKey('loupe', '', CHECKOUT_TRACE_ID);
    const layout = toLayout(buildTraceModel(parseTraceByIdResponseDeferred(bytes()).parsed));
    client.setQueryData(key, { layout, workerKey: traceWorkerKey(key), source: 'loupe' });
    const mismatches: unknown[] = [];
    // Attribute mismatches are not errors to React, only console messages (in development).
    const consoleErrors = vi.spyOn(console, 'error');
    let app: ReturnType<typeof hydrateApp> | undefined;
    await act(async () => {
      app = hydrateApp(root, client, createBrowserHistory(), {
        onRecoverableError: (error) => mismatches.push(error),
      });
    });
    await act(() => new Promise((resolve) => setTimeout(resolve, 10))); // the render after hydration

    expect(mismatches).toEqual([]);
    expect(consoleErrors.mock.calls.map(String).filter((m) => /hydrat|match/i.test(m))).toEqual([]);
    consoleErrors.mockRestore();
    expect(root.querySelector('[role="treeitem"]')).toBe(firstRow);
    expect(root.querySelectorAll('[role="treeitem"]')).toHaveLength(9);
    expect(root.hasAttribute('inert')).toBe(false);
    expect(root.hasAttribute('data-prerendered')).toBe(false);
    // Hydrated, the page shows the viewer's preference: local time.
    expect(
      root.querySelector('[aria-pressed="false"][title="Times are shown in local time"]'),
    ).not.toBeNull();
    act(() => app?.unmount());
    root.remove();
  });
});
