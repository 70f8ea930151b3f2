import {
  type Attributes,
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { expect } from 'vitest';

/**
 * Services instrumented with the real OpenTelemetry JS SDK, one tracer provider each, that
 * send through a real exporter: what a test emits this way is what an application would send.
 */

/** Records what the wrapped (real) exporter sent and what it was answered. */
export class RecordingExporter implements SpanExporter {
  readonly sent: ReadableSpan[] = [];
  readonly results: ExportResult[] = [];

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      if (result.code === ExportResultCode.SUCCESS) this.sent.push(...spans);
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** One instrumented service: its resource (with `service.name`) and its tracer's scope. */
export interface SdkService {
  resource: Attributes;
  scope: { name: string; version: string };
  /** Holds spans until the flush instead of exporting each as it ends. */
  batched?: boolean;
}

/** The OTLP (and Tempo JSON) name of each SDK span kind. */
export const OTLP_KIND_NAMES: Record<SpanKind, string> = {
  [SpanKind.INTERNAL]: 'SPAN_KIND_INTERNAL',
  [SpanKind.SERVER]: 'SPAN_KIND_SERVER',
  [SpanKind.CLIENT]: 'SPAN_KIND_CLIENT',
  [SpanKind.PRODUCER]: 'SPAN_KIND_PRODUCER',
  [SpanKind.CONSUMER]: 'SPAN_KIND_CONSUMER',
};

const propagator = new W3CTraceContextPropagator();

/** What one service hands the next over the wire: the W3C `traceparent` of `span`, read back. */
export function handOver(span: Span): Context {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/**
 * Runs `emit` with one tracer per service (in the order given), each service exporting through
 * its own `makeExporter()`; then flushes every provider, fails the test if any export was not
 * a success, and shuts the providers down (also when `emit` throws).
 *
 * @returns what `emit` returned and every span the exporters sent
 */
export async function emitThroughSdk<T>(
  services: readonly SdkService[],
  makeExporter: () => SpanExporter,
  emit: (tracers: Tracer[]) => T | Promise<T>,
): Promise<{ emitted: T; sent: ReadableSpan[] }> {
  const exporters = services.map(() => new RecordingExporter(makeExporter()));
  const providers = services.map(
    (service, i) =>
      new BasicTracerProvider({
        resource: resourceFromAttributes(service.resource),
        spanProcessors: [
          service.batched
            ? new BatchSpanProcessor(exporters[i], { scheduledDelayMillis: 60_000 })
            : new SimpleSpanProcessor(exporters[i]),
        ],
      }),
  );
  try {
    const emitted = await emit(
      providers.map((p, i) => p.getTracer(services[i].scope.name, services[i].scope.version)),
    );
    await Promise.all(providers.map((p) => p.forceFlush()));
    for (const result of exporters.flatMap((e) => e.results)) {
      expect(result.code, `export failed: ${result.error?.message}`).toBe(ExportResultCode.SUCCESS);
    }
    return { emitted, sent: exporters.flatMap((e) => e.sent) };
  } finally {
    await Promise.all(providers.map((p) => p.shutdown()));
  }
}

/** The spans of a checkout request so far, and the context its handler's children start in. */
export interface CheckoutRequest {
  root: Span;
  call: Span;
  handle: Span;
  inHandle: Context;
}

/**
 * The request both SDK scenarios trace, up to where they differ:
 * ```
 * frontend ── GET /checkout (server) ── POST /api/orders (client)
 *   checkout ── POST /api/orders (server, `orderAttributes`)
 * ```
 * the call reaching checkout by its `traceparent` header. Every span is left open.
 */
export function startCheckoutRequest(
  frontend: Tracer,
  checkout: Tracer,
  orderAttributes: Attributes,
): CheckoutRequest {
  const root = frontend.startSpan(
    'GET /checkout',
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
    },
    ROOT_CONTEXT,
  );
  const call = frontend.startSpan(
    'POST /api/orders',
    { kind: SpanKind.CLIENT },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  const handle = checkout.startSpan(
    'POST /api/orders',
    { kind: SpanKind.SERVER, attributes: orderAttributes },
    handOver(call),
  );
  return { root, call, handle, inHandle: trace.setSpan(ROOT_CONTEXT, handle) };
}
