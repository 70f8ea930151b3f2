import { screen, waitFor } from '@testing-library/react';
import { delay, HttpResponse, http } from 'msw';
import { buildCheckoutTrace } from '../../../../fixtures/ui/checkout-trace';
import { encodeTraceByIdResponse } from '../../../../fixtures/ui/otlp-proto';
import { CHECKOUT_START_MS, CHECKOUT_TRACE_ID, checkoutResponse, mswServer } from '../../../test/msw';
import { renderApp } from '../../../test/render-app';
import { startPrefetchedTraceLoad } from '../../api/client';

describe('trace page states', () => {
  it('shows a loading state, then the trace header and rows', async () => {
    mswServer.use(
      http.get('*/api/v2/traces/:id', async () => {
        await delay(50);
        return HttpResponse.json(checkoutResponse());
      }),
    );
    renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(screen.getByRole('status')).toHaveTextContent(`Loading trace ${CHECKOUT_TRACE_ID}`);
    expect(
      await screen.findByRole('heading', { level: 1, name: 'frontend: GET /checkout' }),
    ).toBeInTheDocument();
    const stat = (term: string) => screen.getByText(term, { selector: 'dt' }).nextElementSibling;
    expect(stat('Spans')).toHaveTextContent('9');
    expect(stat('Services')).toHaveTextContent('5');
    expect(stat('Depth')).toHaveTextContent('4');
    expect(stat('Errors')).toHaveTextContent('1');
    expect(stat('Duration')).toHaveTextContent('120ms');
    expect(stat('Started')).toHaveTextContent(/^2024-05-14 \d\d:30:00\.000$/);
    expect(screen.getAllByRole('treeitem')).toHaveLength(9);
  });

  it('says clearly when the trace does not exist, with the ID', async () => {
    const id = 'deadbeef';
    renderApp(`/trace/${id}`);
    expect(await screen.findByRole('heading', { name: 'Trace not found' })).toBeInTheDocument();
    expect(screen.getByText(id)).toBeInTheDocument();
    expect(screen.queryByRole('tree')).not.toBeInTheDocument();
  });

  it('says which tail-sampling policy kept the trace', async () => {
    const otlp = buildCheckoutTrace(CHECKOUT_TRACE_ID, CHECKOUT_START_MS);
    mswServer.use(
      http.get(
        '*/api/v2/traces/:id',
        () =>
          new HttpResponse(
            encodeTraceByIdResponse(otlp, undefined, { policy: 'errors', reason: 'sampled' }),
            { headers: { 'content-type': 'application/protobuf' } },
          ),
      ),
    );
    renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    await screen.findByRole('heading', { level: 1, name: 'frontend: GET /checkout' });
    expect(screen.getByText('Sampling', { selector: 'dt' }).nextElementSibling).toHaveTextContent(
      'kept by errors',
    );
  });

  it('explains a trace tail sampling did not keep, instead of "not found"', async () => {
    const why = `trace ${CHECKOUT_TRACE_ID} was not kept by tail sampling: no sampling policy kept it`;
    mswServer.use(
      http.get(
        '*/api/v2/traces/:id',
        () => new HttpResponse(why, { status: 404, headers: { 'x-loupe-not-kept': 'sampling' } }),
      ),
    );
    renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByRole('heading', { name: 'Trace not kept by sampling' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(why);
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('offers a retry when the server is down, and recovers', async () => {
    let up = false;
    mswServer.use(
      http.get('*/api/v2/traces/:id', () =>
        up ? HttpResponse.json(checkoutResponse()) : HttpResponse.error(),
      ),
    );
    const { user } = renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByRole('heading', { name: 'Could not load the trace' })).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent(/Cannot reach the Loupe server/);
    up = true;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
  });

  it('shows the server message for a refused request, without a retry', async () => {
    mswServer.use(
      http.get('*/api/v2/traces/:id', () => new HttpResponse('invalid trace id: too long', { status: 400 })),
    );
    renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByRole('alert')).toHaveTextContent('invalid trace id: too long');
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
  });

  it('refuses an invalid ID in the URL without asking the server', async () => {
    const requests: string[] = [];
    mswServer.events.on('request:start', ({ request }) => requests.push(new URL(request.url).pathname));
    renderApp('/trace/not-a-trace');
    expect(await screen.findByRole('heading', { name: 'Not a trace ID' })).toBeInTheDocument();
    await waitFor(() => expect(requests).toContain('/loupe/config'));
    expect(requests.filter((p) => p.startsWith('/api/'))).toEqual([]);
    mswServer.events.removeAllListeners();
  });

  it('at boot, hands the prefetched response to the trace worker and shows its result', async () => {
    const requests: string[] = [];
    mswServer.events.on('request:start', ({ request }) => requests.push(new URL(request.url).pathname));
    window.__loupeTracePrefetch = {
      id: CHECKOUT_TRACE_ID,
      tenant: '',
      response: fetch(`http://localhost/api/v2/traces/${CHECKOUT_TRACE_ID}`),
    };
    startPrefetchedTraceLoad();
    expect(window.__loupeTracePrefetch).toBeUndefined();
    renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByRole('tree', { name: 'Spans' })).toBeInTheDocument();
    expect(requests.filter((p) => p.startsWith('/api/'))).toEqual([`/api/v2/traces/${CHECKOUT_TRACE_ID}`]);
    mswServer.events.removeAllListeners();
  });

  it('asks for protobuf and reads it, as Tempo answers', async () => {
    const accepts: (string | null)[] = [];
    mswServer.use(
      http.get('*/api/v2/traces/:id', ({ request }) => {
        accepts.push(request.headers.get('accept'));
        const body = encodeTraceByIdResponse(buildCheckoutTrace(CHECKOUT_TRACE_ID, CHECKOUT_START_MS));
        return new HttpResponse(body, { headers: { 'content-type': 'application/protobuf' } });
      }),
    );
    renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByRole('heading', { name: 'frontend: GET /checkout' })).toBeInTheDocument();
    expect(screen.getAllByRole('treeitem')).toHaveLength(9);
    expect(accepts).toEqual(['application/protobuf']);
  });

  it('announces a partial trace', async () => {
    mswServer.use(
      http.get('*/api/v2/traces/:id', () =>
        HttpResponse.json({
          ...checkoutResponse(),
          status: 'PARTIAL',
          message: 'trace exceeds max_bytes_per_trace',
        }),
      ),
    );
    renderApp(`/trace/${CHECKOUT_TRACE_ID}`);
    expect(await screen.findByText(/Partial trace: trace exceeds max_bytes_per_trace/)).toBeInTheDocument();
  });
});
