import {
  type Attributes,
  type AttributeValue,
  type HrTime,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { describeEachBackend } from './support/backends';
import { fetchTrace, TRACE_FORMS } from './support/clients';
import { flushAll, removeDir, type TestLoupe } from './support/loupe-server';
import { emitThroughSdk, handOver, OTLP_KIND_NAMES, startCheckoutRequest } from './support/otel-sdk-services';
import type { FlatSpan, TypedValue } from './support/tempo-json';

/**
 * The real OpenTelemetry JS SDK, with each of its OTLP trace exporters, sends one trace that
 * crosses three services; the Tempo API must return exactly what the SDK recorded (names,
 * kinds, statuses, typed attributes, events, links, resources, timestamps to the nanosecond),
 * as JSON and as protobuf, while the trace is live, once it is in a block, and after a restart;
 * with blocks on the local disk and on S3.
 */

type GrpcOptions = NonNullable<ConstructorParameters<typeof GrpcExporter>[0]>;
type ProtoOptions = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;

interface ExporterVariant {
  name: string;
  make: (server: TestLoupe) => SpanExporter;
}

const VARIANTS: ExporterVariant[] = [
  { name: 'exporter-trace-otlp-grpc', make: (s) => new GrpcExporter({ url: `http://${s.grpc}` }) },
  {
    name: 'exporter-trace-otlp-grpc with gzip',
    make: (s) =>
      new GrpcExporter({ url: `http://${s.grpc}`, compression: 'gzip' as GrpcOptions['compression'] }),
  },
  { name: 'exporter-trace-otlp-proto', make: (s) => new ProtoExporter({ url: `${s.otlp}/v1/traces` }) },
  {
    name: 'exporter-trace-otlp-proto with gzip',
    make: (s) =>
      new ProtoExporter({ url: `${s.otlp}/v1/traces`, compression: 'gzip' as ProtoOptions['compression'] }),
  },
  { name: 'exporter-trace-otlp-http (JSON)', make: (s) => new JsonExporter({ url: `${s.otlp}/v1/traces` }) },
  {
    name: 'exporter-trace-otlp-http (JSON) with gzip',
    make: (s) =>
      new JsonExporter({ url: `${s.otlp}/v1/traces`, compression: 'gzip' as ProtoOptions['compression'] }),
  },
];

const ORDER_ATTRIBUTES: Attributes = {
  'order.id': 'ord-1042',
  'order.items': 3,
  'order.total': 12.5,
  'order.express': true,
  'order.tags': ['gift', 'express'],
  'order.item_ids': [7, 11, 13],
  'order.discount_cents': -250,
  'order.customer_number': 5_000_000_123,
};

interface EmittedTrace {
  traceId: string;
  spans: ReadableSpan[];
  linkedTrace: { traceId: string; spans: ReadableSpan[] };
}

/**
 * frontend ── GET /checkout (server) ── POST /api/orders (client)
 *   checkout ── POST /api/orders (server) ─┬─ compute-total (internal, event)
 *                                          ├─ publish order.created (producer, link → nightly-reindex)
 *                                          └─ POST /payments/charge (client, error)
 *     payments ── charge card (server, error + exception) ── process order.created (consumer, link → publish)
 * plus frontend's `nightly-reindex`, a trace of its own that `publish` links to.
 */
async function emitCheckoutTrace(makeExporter: () => SpanExporter): Promise<EmittedTrace> {
  const services = ['frontend', 'checkout', 'payments'].map((service, i) => ({
    resource: {
      'service.name': service,
      'service.version': '1.4.2',
      'deployment.environment.name': 'integration',
      'host.cpu.count': 2,
    },
    scope: { name: `${service}-instrumentation`, version: '0.9.1' },
    // Batching for two services, export-on-end for the third: both processors in play.
    batched: i !== 2,
  }));
  const { emitted, sent } = await emitThroughSdk(services, makeExporter, ([frontend, checkout, payments]) => {
    const reindex = frontend.startSpan('nightly-reindex', { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
    reindex.end();

    const {
      root,
      call: callOrders,
      handle,
      inHandle,
    } = startCheckoutRequest(frontend, checkout, ORDER_ATTRIBUTES);
    const compute = checkout.startSpan('compute-total', { kind: SpanKind.INTERNAL }, inHandle);
    compute.addEvent('tax-applied', { 'tax.rate': 0.2, 'tax.region': 'EU', 'tax.lines': 2 });
    compute.end();
    const publish = checkout.startSpan(
      'publish order.created',
      {
        kind: SpanKind.PRODUCER,
        links: [
          {
            context: reindex.spanContext(),
            attributes: { 'link.reason': 'reindex requested', 'link.weight': 1.5 },
          },
        ],
      },
      inHandle,
    );
    publish.end();
    const callPayments = checkout.startSpan('POST /payments/charge', { kind: SpanKind.CLIENT }, inHandle);

    const charge = payments.startSpan('charge card', { kind: SpanKind.SERVER }, handOver(callPayments));
    charge.recordException(new Error('card declined: insufficient funds'));
    charge.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
    const consume = payments.startSpan(
      'process order.created',
      { kind: SpanKind.CONSUMER, links: [{ context: publish.spanContext() }] },
      trace.setSpan(ROOT_CONTEXT, charge),
    );
    consume.setStatus({ code: SpanStatusCode.OK });
    consume.end();
    charge.end();

    callPayments.setStatus({ code: SpanStatusCode.ERROR, message: 'payment failed with 402' });
    callPayments.end();
    handle.end();
    callOrders.end();
    root.end();
    return { traceId: root.spanContext().traceId, linkedTraceId: reindex.spanContext().traceId };
  });
  const { traceId, linkedTraceId } = emitted;
  expect(sent).toHaveLength(9);
  return {
    traceId,
    spans: sent.filter((s) => s.spanContext().traceId === traceId),
    linkedTrace: {
      traceId: linkedTraceId,
      spans: sent.filter((s) => s.spanContext().traceId === linkedTraceId),
    },
  };
}

const STATUS_NAMES: Record<SpanStatusCode, string> = {
  [SpanStatusCode.UNSET]: 'STATUS_CODE_UNSET',
  [SpanStatusCode.OK]: 'STATUS_CODE_OK',
  [SpanStatusCode.ERROR]: 'STATUS_CODE_ERROR',
};

function nanos([seconds, nanoseconds]: HrTime): string {
  return (BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)).toString();
}

/** OTLP's typing of a JS attribute value: whole numbers are int64, others double. */
function typed(value: AttributeValue | null | undefined): TypedValue {
  if (Array.isArray(value)) return { array: value.map((v) => typed(v as AttributeValue)) };
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'boolean') return { bool: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { int: String(value) } : { double: value };
  throw new Error(`unexpected attribute value ${String(value)}`);
}

function typedAttributes(attributes: Attributes | undefined): Record<string, TypedValue> {
  return Object.fromEntries(Object.entries(attributes ?? {}).map(([k, v]) => [k, typed(v)]));
}

/** What the SDK recorded, in the shape the API is read into. */
function expectedSpans(spans: ReadableSpan[]): FlatSpan[] {
  return spans
    .map((s) => ({
      service: String(s.resource.attributes['service.name']),
      resource: typedAttributes(s.resource.attributes),
      scope: { name: s.instrumentationScope.name, version: s.instrumentationScope.version ?? '' },
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId ?? '',
      name: s.name,
      kind: OTLP_KIND_NAMES[s.kind],
      startTimeUnixNano: nanos(s.startTime),
      endTimeUnixNano: nanos(s.endTime),
      attributes: typedAttributes(s.attributes),
      events: s.events.map((e) => ({
        name: e.name,
        timeUnixNano: nanos(e.time),
        attributes: typedAttributes(e.attributes),
      })),
      links: s.links.map((l) => ({
        traceId: l.context.traceId,
        spanId: l.context.spanId,
        attributes: typedAttributes(l.attributes),
      })),
      status: { code: STATUS_NAMES[s.status.code], message: s.status.message ?? '' },
    }))
    .sort((a, b) => a.spanId.localeCompare(b.spanId));
}

async function expectTraceInEveryForm(
  server: TestLoupe,
  emitted: EmittedTrace,
  stage: string,
): Promise<void> {
  const expected = expectedSpans(emitted.spans);
  for (const form of TRACE_FORMS) {
    const answer = await fetchTrace(server.api, emitted.traceId, form);
    expect(answer.httpStatus, `${stage} ${form}`).toBe(200);
    expect(answer.spans, `${stage} ${form}`).toEqual(expected);
    if (form.startsWith('v2')) expect(answer.status ?? 'COMPLETE', `${stage} ${form}`).toBe('COMPLETE');
  }
  // The trace the producer's link points at is a trace of its own, found by its own ID.
  const linked = await fetchTrace(server.api, emitted.linkedTrace.traceId, 'v2-proto');
  expect(linked.spans, `${stage} linked trace`).toEqual(expectedSpans(emitted.linkedTrace.spans));
}

/** Spot checks of what a user looks for first, in terms of the API's own JSON. */
function expectRecognisableCheckout(spans: FlatSpan[]): void {
  const byName = (service: string, name: string) => {
    const found = spans.find((s) => s.service === service && s.name === name);
    if (!found) throw new Error(`no ${service} span named ${name}`);
    return found;
  };
  expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['frontend', 'checkout', 'payments']));
  expect(new Set(spans.map((s) => s.kind))).toEqual(new Set(Object.values(OTLP_KIND_NAMES)));
  const root = byName('frontend', 'GET /checkout');
  expect(root.parentSpanId).toBe('');
  const order = byName('checkout', 'POST /api/orders');
  expect(order.parentSpanId).toBe(byName('frontend', 'POST /api/orders').spanId);
  expect(order.attributes).toMatchObject({
    'order.id': { string: 'ord-1042' },
    'order.items': { int: '3' },
    'order.total': { double: 12.5 },
    'order.express': { bool: true },
    'order.tags': { array: [{ string: 'gift' }, { string: 'express' }] },
    'order.item_ids': { array: [{ int: '7' }, { int: '11' }, { int: '13' }] },
    'order.customer_number': { int: '5000000123' },
  });
  const charge = byName('payments', 'charge card');
  expect(charge.status).toEqual({ code: 'STATUS_CODE_ERROR', message: 'card declined' });
  expect(charge.parentSpanId).toBe(byName('checkout', 'POST /payments/charge').spanId);
  const exception = charge.events.find((e) => e.name === 'exception');
  expect(exception?.attributes['exception.type']).toEqual({ string: 'Error' });
  expect(exception?.attributes['exception.message']).toEqual({ string: 'card declined: insufficient funds' });
  const publish = byName('checkout', 'publish order.created');
  expect(publish.links[0].attributes).toEqual({
    'link.reason': { string: 'reindex requested' },
    'link.weight': { double: 1.5 },
  });
  expect(byName('payments', 'process order.created').links).toEqual([
    { traceId: publish.traceId, spanId: publish.spanId, attributes: {} },
  ]);
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) removeDir(dir);
});

describeEachBackend('SDK to API', (backend) => {
  describe.each(VARIANTS)('OpenTelemetry JS SDK via $name', ({ make }) => {
    it('returns exactly the spans the SDK sent: live, from a block, and after a restart', async () => {
      let server = await backend.start();
      dirs.push(server.dataDir);
      try {
        const current = server;
        const emitted = await emitCheckoutTrace(() => make(current));
        expect(emitted.spans).toHaveLength(8);

        // Read-your-writes: queried the moment the exporters' calls resolved, before any cut.
        await expectTraceInEveryForm(server, emitted, 'live');
        expectRecognisableCheckout((await fetchTrace(server.api, emitted.traceId, 'v2-json')).spans);

        await flushAll(server);
        const traceIdBytes = Buffer.from(emitted.traceId, 'hex');
        expect(server.loupe.blocklist.candidates('single-tenant', traceIdBytes).length).toBeGreaterThan(0);
        expect(server.loupe.ingester.findUnflushed('single-tenant', emitted.traceId)).toBeUndefined();
        expect((await backend.storedBlocks(server.dataDir)).length).toBeGreaterThan(0);
        await expectTraceInEveryForm(server, emitted, 'from blocks');

        await server.loupe.stop();
        server = await backend.start({}, server.dataDir);
        await expectTraceInEveryForm(server, emitted, 'after restart');
      } finally {
        await server.loupe.stop();
      }
    });
  });

  describe('OpenTelemetry JS SDK, a trace sent in parts by different exporters', () => {
    it('merges what gRPC, protobuf and JSON exporters sent for one trace, live and after restart', async () => {
      let server = await backend.start();
      dirs.push(server.dataDir);
      try {
        // One service per protocol, as in a mixed fleet: each exporter carries one third of the trace.
        const makers = [VARIANTS[0], VARIANTS[2], VARIANTS[4]];
        let call = 0;
        const current = server;
        const emitted = await emitCheckoutTrace(() => makers[call++ % makers.length].make(current));
        await expectTraceInEveryForm(server, emitted, 'mixed live');
        await server.loupe.stop();
        server = await backend.start({}, server.dataDir);
        await expectTraceInEveryForm(server, emitted, 'mixed after restart');
      } finally {
        await server.loupe.stop();
      }
    });
  });
});
