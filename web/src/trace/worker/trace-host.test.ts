// @vitest-environment node
import { buildCheckoutTrace, checkoutSpanIds } from '../../../../fixtures/ui/checkout-trace';
import { toTempoResponse } from '../../../../fixtures/ui/otlp-json';
import { encodeTraceByIdResponse } from '../../../../fixtures/ui/otlp-proto';
import { FLAG_ERROR } from '../model/build-model';
import { compileFilter, EMPTY_FILTER } from '../model/filter';
import { indexOfSpanId, spanIdAt, spanName } from '../model/layout';
import type { Span } from '../model/types';
import { TraceHost } from './trace-host';
import { inThread } from './trace-worker';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ids = checkoutSpanIds(TRACE_ID);
const json = JSON.stringify(toTempoResponse(buildCheckoutTrace(TRACE_ID, Date.UTC(2024, 0, 1))));

describe('TraceHost', () => {
  it('loads a trace from bytes and answers with its layout', () => {
    const host = new TraceHost();
    const result = host.load('k', new TextEncoder().encode(json).buffer as ArrayBuffer);
    expect(result.status).toBe('found');
    if (result.status !== 'found') return;
    const { layout } = result;
    expect(layout.traceId).toBe(TRACE_ID);
    expect(layout.count).toBe(9);
    const charge = indexOfSpanId(layout, ids.charge);
    expect(spanName(layout, charge)).toBe('PaymentService/Charge');
    expect(spanIdAt(layout, charge)).toBe(ids.charge);
    expect(indexOfSpanId(layout, ids.charge.slice(2))).toBe(-1);
    expect(layout.services[layout.serviceIndex[charge]]).toBe('payment');
    expect(layout.flags[charge] & FLAG_ERROR).toBeTruthy();
    // One exception event, 43 ms into the span.
    expect(layout.eventStart[charge + 1] - layout.eventStart[charge]).toBe(1);
    expect(layout.eventOffsetNs[layout.eventStart[charge]]).toBe(43e6);
    expect(layout.eventIsException[layout.eventStart[charge]]).toBe(1);
  });

  it('keeps the JSON text and answers filters until dropped', async () => {
    const host = new TraceHost();
    expect(await host.handle({ type: 'load', key: 'k', body: json, encoding: 'json' })).toMatchObject({
      status: 'found',
    });
    expect(await host.handle({ type: 'raw', key: 'k' })).toBe(json);
    const { filter } = compileFilter({ ...EMPTY_FILTER, service: 'payment' });
    const matches = (await host.handle({ type: 'match', key: 'k', filter: filter! })) as {
      indices: Int32Array;
    };
    expect(matches.indices).toHaveLength(2);
    await host.handle({ type: 'drop', key: 'k' });
    await expect(host.handle({ type: 'raw', key: 'k' })).rejects.toThrow(/no longer loaded/);
  });

  it('decodes protobuf answers and writes them back as Tempo JSON for download', async () => {
    const host = new TraceHost();
    const bytes = encodeTraceByIdResponse(buildCheckoutTrace(TRACE_ID, Date.UTC(2024, 0, 1)));
    const result = host.load('p', bytes.slice().buffer as ArrayBuffer, 'protobuf');
    expect(result).toMatchObject({ status: 'found', layout: { traceId: TRACE_ID } });
    // Span attributes are decoded when first needed (here, before the background timer).
    if (result.status !== 'found') return;
    const charge = indexOfSpanId(result.layout, ids.charge);
    const span = (await host.handle({ type: 'span', key: 'p', index: charge })) as Span;
    expect(span.attributes.length).toBeGreaterThan(0);
    const downloaded = JSON.parse((await host.handle({ type: 'raw', key: 'p' })) as string);
    expect(downloaded.trace.resourceSpans).toHaveLength(5);
    expect(host.load('q', new Uint8Array([0x0a, 0x05, 1]).buffer as ArrayBuffer, 'protobuf')).toMatchObject({
      status: 'invalid',
    });
  });

  it('says what is wrong with bad input, and when a trace is empty', () => {
    const host = new TraceHost();
    expect(host.load('a', '{oops')).toEqual({ status: 'invalid', message: 'This is not valid JSON.' });
    expect(host.load('b', '{"trace": {}}')).toEqual({ status: 'empty' });
    expect(host.load('c', '{"what": 1}')).toMatchObject({
      status: 'invalid',
      message: /Unrecognised trace JSON/,
    });
  });

  it('serves the same answers through the in-thread worker interface', async () => {
    const worker = inThread();
    const result = await worker.load('k', json, 'json');
    expect(result.status).toBe('found');
    const span = await worker.span('k', 0);
    expect(span.name).toBe('GET /checkout');
    expect(span.resource.serviceName).toBe('frontend');
  });
});
