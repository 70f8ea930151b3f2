import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import {
  type MetricsGeneratorModule,
  type SampleSink,
  startMetricsGenerator,
} from '../metrics-generator/generator-module';
import type { SeriesLimit } from '../metrics-generator/series-limit';
import type { SignalSink } from '../receivers/signal-sink';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import { LOUPE_VERSION } from '../version';
import { prometheusProxyRoutes } from './http/prometheus-proxy';
import { prometheusRoutes } from './http/prometheus-routes';
import { otlpMetricsSink } from './ingest/otlp-metrics-sink';
import type { MetricsConfig } from './metrics-config';
import { MetricsCounters } from './metrics-counters';
import { SeriesStore } from './store/series-store';

export interface MetricsDeps {
  /** The `metrics:` section, with `metrics_generator:` as its `generator`. */
  config: MetricsConfig;
  /** The same object storage as trace blocks; series chunks live under their own prefix. */
  backend: Backend;
  logger: Logger;
  /** Self-metrics: the module's counters, and the generator's families on `/metrics`. */
  metrics: SelfMetrics;
  /** A tenant's own series limit (`metrics_generator.max_active_series`); 0: `max_series_per_tenant`. */
  maxActiveSeries?: (tenantId: string) => number;
  /** Tail sampling's record of dropped traces: their exemplars are not offered (see prometheus-routes). */
  isTraceDropped?: (tenantId: string, traceId: string) => boolean;
}

/** The metrics side of Loupe: series store, OTLP metrics, Prometheus API, and the metrics generator. */
export interface MetricsModule {
  /** OTLP metrics from the gRPC and HTTP receivers. */
  sink: SignalSink;
  /** Every accepted trace export, for span metrics and the service graph. */
  observeSpans: MetricsGeneratorModule['observeSpans'];
  /** Prometheus's HTTP API (`/prometheus/api/v1/*`) and the proxy to a configured Prometheus. */
  routes: FastifyPluginAsync;
  /** Called every second: generator collection when due, chunk cutting. */
  tick(now: number): Promise<void>;
  /** Drops samples and chunks past `metrics.retention_period` (run by the one retention schedule). */
  applyRetention(now: number): Promise<void>;
  /** Samples every live span-metrics series into the store now; resolves once they are durable. */
  collectNow(now?: number): Promise<void>;
  /** The series store (queries, tests, benchmarks). */
  store: SeriesStore;
  /** A last collection, then the WAL closed: nothing acknowledged is lost. */
  stop(): Promise<void>;
}

/** Replays the samples WAL and returns the running module. */
export async function startMetrics(deps: MetricsDeps): Promise<MetricsModule> {
  const { config, logger } = deps;
  const own = deps.maxActiveSeries;
  const maxSeries: SeriesLimit = own
    ? (tenantId) => own(tenantId) || config.maxSeriesPerTenant
    : config.maxSeriesPerTenant;
  const store = new SeriesStore({
    backend: deps.backend,
    walDir: config.walPath,
    retentionMs: config.retentionMs,
    maxSeriesPerTenant: maxSeries,
    logger,
  });
  const counters = new MetricsCounters(deps.metrics, logger, maxSeries, () => store.activeSeries());
  await store.open();

  const generatorSink: SampleSink = {
    append(tenantId, batch) {
      const result = store.append(tenantId, batch);
      counters.storeRefusals(tenantId, 'span_metrics', result);
      return result.durable;
    },
    seriesRefused: (tenantId, count) => counters.seriesOverLimit(tenantId, 'span_metrics', count),
  };
  const generator = startMetricsGenerator({
    config: config.generator,
    maxSeriesPerTenant: maxSeries,
    sink: generatorSink,
    logger,
    metrics: deps.metrics,
  });

  const routes: FastifyPluginAsync = async (app: FastifyInstance) => {
    await prometheusRoutes(app, {
      store,
      version: LOUPE_VERSION,
      queryTimeoutMs: config.queryTimeoutMs,
      maxSamples: config.maxSamples,
      isTraceDropped: deps.isTraceDropped,
    });
    if (config.prometheusUrl) {
      await prometheusProxyRoutes(app, {
        prometheusUrl: config.prometheusUrl,
        maxResponseBytes: config.prometheusProxyMaxResponseBytes,
        onRefused: (reason) => counters.proxyRefused.inc({ reason }),
      });
    }
  };

  return {
    store,
    routes,
    collectNow: generator.collectNow,
    observeSpans: generator.observeSpans,
    sink: otlpMetricsSink({
      store,
      counters,
      labelLimits: { maxNameBytes: config.maxLabelNameLength, maxValueBytes: config.maxLabelValueLength },
      maxSeriesPerTenant: maxSeries,
      maxHistogramBuckets: config.maxHistogramBuckets,
      maxNewSeriesPerRequest: config.maxNewSeriesPerRequest,
    }),
    async tick(now) {
      await generator.tick(now);
      await store.maintain(now);
    },
    applyRetention: (now) => store.applyRetention(now),
    async stop() {
      try {
        await generator.collectNow();
      } finally {
        // Whatever the last collection did, the WAL is closed and what it holds survives.
        await store.close();
      }
    },
  };
}
