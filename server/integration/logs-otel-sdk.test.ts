import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten, lokiGet } from './support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * The real OpenTelemetry JS logs SDK, through each of its OTLP exporters, emits records inside
 * an active span; Loki's query API must return them with Loki's OTLP label conventions, the
 * span's trace and span IDs as structured metadata, exact timestamps and the right order, and
 * still after a restart.
 */
const EXPORTERS = ['grpc', 'proto', 'http'] as const;
type ExporterKind = (typeof EXPORTERS)[number];

function exporterFor(kind: ExporterKind, server: TestLoupe): LogRecordExporter {
  switch (kind) {
    case 'grpc':
      return new GrpcLogExporter({ url: `http://${server.grpc}` });
    case 'proto':
      return new ProtoLogExporter({ url: `${server.otlp}/v1/logs` });
    case 'http':
      return new JsonLogExporter({ url: `${server.otlp}/v1/logs` });
  }
}

interface Emitted {
  traceId: string;
  spanId: string;
  /** Unix seconds of the records, which are emitted 1 ms + 1 ns apart. */
  seconds: number;
}

async function emitThroughSdk(kind: ExporterKind, server: TestLoupe): Promise<Emitted> {
  const resource = resourceFromAttributes({
    'service.name': `shop-${kind}`,
    'k8s.namespace.name': 'prod',
    'host.name': 'node-7',
  });
  const provider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: exporterFor(kind, server) })],
  });
  const tracer = new BasicTracerProvider({ resource }).getTracer('checkout');
  const span = tracer.startSpan('place order');
  const context = trace.setSpan(ROOT_CONTEXT, span);
  const logger = provider.getLogger('checkout-logger', '1.2.3');
  const seconds = Math.floor(Date.now() / 1000) - 30;
  logger.emit({
    context,
    timestamp: [seconds, 1_000_001],
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'order placed',
    attributes: { 'order.id': 'o-1', items: 3 },
  });
  logger.emit({
    context,
    timestamp: [seconds, 2_000_002],
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment declined',
    attributes: { 'order.id': 'o-1' },
  });
  logger.emit({
    context,
    timestamp: [seconds, 3_000_003],
    severityNumber: SeverityNumber.WARN,
    body: { event: 'retry', attempt: 2 },
  });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, seconds };
}

describe('OpenTelemetry logs SDK exporters', () => {
  let server: TestLoupe;
  const emitted = new Map<ExporterKind, Emitted>();

  beforeAll(async () => {
    server = await startTestLoupe();
    for (const kind of EXPORTERS) emitted.set(kind, await emitThroughSdk(kind, server));
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  const categorized = (query: string, extra: Record<string, string> = {}) =>
    lokiGet(
      server.api,
      '/loki/api/v1/query_range',
      { query, ...extra },
      {
        'X-Loki-Response-Encoding-Flags': 'categorize-labels',
      },
    );

  async function expectRecords(kind: ExporterKind) {
    const { traceId, spanId, seconds } = emitted.get(kind)!;
    const res = await categorized(`{service_name="shop-${kind}"}`);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body.data.result).toHaveLength(1);
    expect(body.data.result[0].stream).toEqual({ k8s_namespace_name: 'prod', service_name: `shop-${kind}` });
    const entries = flatten(body);
    expect(entries.map((e) => [e.ts, e.line])).toEqual([
      [`${seconds}003000003`, '{"event":"retry","attempt":2}'],
      [`${seconds}002000002`, 'payment declined'],
      [`${seconds}001000001`, 'order placed'],
    ]);
    const metas = entries.map((e) => e.extra?.structuredMetadata ?? {});
    for (const meta of metas) {
      expect(meta).toMatchObject({
        trace_id: traceId,
        span_id: spanId,
        host_name: 'node-7',
        scope_name: 'checkout-logger',
        scope_version: '1.2.3',
      });
    }
    expect(metas.map((m) => m.detected_level)).toEqual(['warn', 'error', 'info']);
    expect(metas[2]).toMatchObject({
      order_id: 'o-1',
      items: '3',
      severity_text: 'INFO',
      severity_number: '9',
    });
  }

  it.each(EXPORTERS)('%s exporter: labels, structured metadata, order', async (kind) => {
    await expectRecords(kind);
  });

  it.each(EXPORTERS)('%s exporter: logs for the span via its trace_id, oldest first', async (kind) => {
    const { traceId } = emitted.get(kind)!;
    const res = await categorized(`{service_name="shop-${kind}"} | trace_id="${traceId}" |= "order"`, {
      direction: 'forward',
    });
    expect(flatten(res.json()).map((e) => e.line)).toEqual(['order placed']);
  });

  it('keeps every record across a restart', async () => {
    await server.loupe.stop();
    server = await startTestLoupe({}, server.dataDir);
    for (const kind of EXPORTERS) await expectRecords(kind);
  });
});
