import { register } from 'node:module';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { envDetector, hostDetector } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOnSampler, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * The OpenTelemetry Node SDK for one demo service, loaded before the service's own code
 * (`node --import tsx --import ./demo/telemetry/instrument.ts demo/services/orders.ts`), as the
 * SDK's documentation asks, so the auto-instrumentations see `node:http` before the service does.
 *
 * Everything a real deployment would set comes from the standard environment variables, which
 * the launcher fills in: `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` (service.version,
 * deployment.environment.name=demo) and `OTEL_EXPORTER_OTLP_ENDPOINT` (Loupe's OTLP/HTTP port,
 * where each exporter adds `/v1/traces`, `/v1/logs` or `/v1/metrics`).
 */

// The services are ES modules: instrumenting their `import … from 'node:http'` takes the
// import-in-the-middle loader hook (require-in-the-middle alone only sees `require`).
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

/** Short export delays, so a trace reaches Loupe in about a second rather than five. */
const EXPORT_DELAY_MS = 500;

const sdk = new NodeSDK({
  // The service's name and version from the environment, plus the host. Not the process detector:
  // its command line would be on every log line's metadata in the logs view.
  resourceDetectors: [envDetector, hostDetector],
  // Head sampling off: every span is exported and Loupe's tail sampling decides what to keep,
  // knowing whether the whole trace failed or was slow (demo/loupe.yaml, `sampling:`).
  sampler: new AlwaysOnSampler(),
  spanProcessors: [
    new BatchSpanProcessor(new OTLPTraceExporter(), {
      scheduledDelayMillis: EXPORT_DELAY_MS,
      // A reindex trace holds 1,200 spans of one service: room for it and the traffic beside it.
      maxQueueSize: 16_384,
      maxExportBatchSize: 2_048,
    }),
  ],
  logRecordProcessors: [
    new BatchLogRecordProcessor({ exporter: new OTLPLogExporter(), scheduledDelayMillis: EXPORT_DELAY_MS }),
  ],
  metricReaders: [
    new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter(), exportIntervalMillis: 10_000 }),
  ],
  instrumentations: [
    getNodeAutoInstrumentations({
      // A span per file read, DNS lookup or socket buries the requests that matter.
      '@opentelemetry/instrumentation-fs': { enabled: false },
      '@opentelemetry/instrumentation-dns': { enabled: false },
      '@opentelemetry/instrumentation-net': { enabled: false },
      // The launcher's readiness probes are not traffic.
      '@opentelemetry/instrumentation-http': { ignoreIncomingRequestHook: (req) => req.url === '/health' },
    }),
  ],
});
sdk.start();

let stopping: Promise<void> | undefined;

/** Exports what is still buffered (spans, logs, metrics) and stops the SDK; at most `timeoutMs`. */
export function shutdownTelemetry(timeoutMs = 5_000): Promise<void> {
  stopping ??= Promise.race([
    sdk.shutdown().catch((err: unknown) => console.error('telemetry shutdown failed', err)),
    new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ]);
  return stopping;
}
