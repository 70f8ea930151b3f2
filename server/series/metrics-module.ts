import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { LoupeConfig } from '../config/types';
import type { SpanObserver } from '../distributor/distributor';
import type { SelfMetrics } from '../metrics/self-metrics';
import { renderGeneratorMetrics } from '../metrics-generator/exposition';
import { MetricsGenerator } from '../metrics-generator/metrics-generator';
import type { SignalSink } from '../otlp/signal-sink';
import type { Backend } from '../store/backend/backend';
import { LOUPE_VERSION } from '../version';
import { translateOtlpMetrics } from './otlp-metrics';
import { prometheusProxyRoutes } from './prometheus-proxy';
import { prometheusRoutes } from './prometheus-routes';
import { RemoteWriter } from './remote-write';
import { SeriesStore } from './series-store';

export interface MetricsDeps {
  config: LoupeConfig;
  /** The same object storage as trace blocks; series chunks live under their own prefix. */
  backend: Backend;
  logger: Logger;
  /** Self-metrics; span metrics are added to its `/metrics` exposition via `addExposition`. */
  metrics: SelfMetrics;
}

/** The metrics side of Loupe: metrics generator, series store, Prometheus API. */
export interface MetricsModule {
  /** OTLP metrics from the gRPC and HTTP receivers. */
  sink: SignalSink;
  /** Every accepted trace export, for span metrics and the service graph. */
  observeSpans: SpanObserver;
  /** Prometheus's HTTP API (`/prometheus/api/v1/*`) and the proxy to a configured Prometheus. */
  routes: FastifyPluginAsync;
  tick(now: number): Promise<void>;
  /** Samples every live span-metrics series into the store now; resolves once they are durable. */
  collectNow(now?: number): Promise<void>;
  /** The series store (queries, tests, benchmarks). */
  store: SeriesStore;
  stop(): Promise<void>;
}

const WARN_EVERY_MS = 60_000;

/** Replays the samples WAL and returns the running module. */
export async function startMetrics(deps: MetricsDeps): Promise<MetricsModule> {
  const { config, logger } = deps;
  const mc = config.metrics;
  const registers = deps.metrics.registers;
  const seriesDropped = new Counter({
    name: 'loupe_metrics_series_dropped_total',
    help: 'New series refused because the tenant reached metrics.max_series_per_tenant, by source (span_metrics, otlp).',
    labelNames: ['tenant', 'reason'],
    registers,
  });
  const spansReceived = new Counter({
    name: 'loupe_metrics_generator_spans_received_total',
    help: 'Spans seen by the metrics generator (span metrics and service graph).',
    labelNames: ['tenant'],
    registers,
  });
  const edgesDropped = new Counter({
    name: 'loupe_metrics_generator_service_graph_dropped_spans_total',
    help: 'Client or server spans not paired because the service graph already waited on max_items edges.',
    labelNames: ['tenant'],
    registers,
  });
  let lastLimitWarnMs = 0;
  const warnLimit = (tenantId: string, source: string) => {
    const now = Date.now();
    if (now - lastLimitWarnMs < WARN_EVERY_MS) return;
    lastLimitWarnMs = now;
    logger.warn(
      { tenant: tenantId, source, limit: mc.maxSeriesPerTenant },
      'series limit reached (metrics.max_series_per_tenant): new series are dropped',
    );
  };

  const store = new SeriesStore({
    backend: deps.backend,
    walDir: mc.walPath,
    retentionMs: mc.retentionMs,
    maxSeriesPerTenant: mc.maxSeriesPerTenant,
    logger,
  });
  await store.open();
  new Gauge({
    name: 'loupe_metrics_active_series',
    help: 'Series held in the series store, per tenant.',
    labelNames: ['tenant'],
    registers,
    collect() {
      this.reset();
      for (const [tenant, n] of store.activeSeries()) this.set({ tenant }, n);
    },
  });

  const generator = new MetricsGenerator(mc.generator, mc.maxSeriesPerTenant, {
    onSeriesDropped(tenantId, count) {
      seriesDropped.inc({ tenant: tenantId, reason: 'span_metrics' }, count);
      warnLimit(tenantId, 'span_metrics');
    },
    onEdgeDropped: (tenantId) => edgesDropped.inc({ tenant: tenantId }),
  });
  deps.metrics.addExposition((openMetrics) => renderGeneratorMetrics(generator.registry, openMetrics));
  const remoteWriter = new RemoteWriter(
    mc.generator.remoteWrite.map((r) => r.url),
    logger,
  );
  const deltaTotals = new Map<string, Map<string, number>>();
  let nextCollectionMs = Date.now() + mc.generator.collectionIntervalMs;

  const collectNow = async (now = Date.now()): Promise<void> => {
    const durable: Promise<void>[] = [];
    for (const [tenantId, batch] of generator.collect(now)) {
      const result = store.append(tenantId, batch);
      if (result.droppedSeries > 0) {
        seriesDropped.inc({ tenant: tenantId, reason: 'span_metrics' }, result.droppedSeries);
        warnLimit(tenantId, 'span_metrics');
      }
      durable.push(result.durable);
      remoteWriter.send(tenantId, batch);
    }
    await Promise.all(durable);
  };

  const routes: FastifyPluginAsync = async (app: FastifyInstance) => {
    await prometheusRoutes(app, {
      store,
      multitenancyEnabled: config.multitenancyEnabled,
      version: LOUPE_VERSION,
    });
    if (mc.prometheusUrl) await prometheusProxyRoutes(app, { prometheusUrl: mc.prometheusUrl });
  };

  return {
    store,
    routes,
    collectNow,
    sink: {
      async push(tenantId, body) {
        let totals = deltaTotals.get(tenantId);
        if (!totals) {
          totals = new Map();
          deltaTotals.set(tenantId, totals);
        }
        const { batch, unsupportedPoints } = translateOtlpMetrics(body, totals);
        const result = store.append(tenantId, batch);
        if (result.droppedSeries > 0) {
          seriesDropped.inc({ tenant: tenantId, reason: 'otlp' }, result.droppedSeries);
          warnLimit(tenantId, 'otlp');
        }
        await result.durable;
        const messages: string[] = [];
        if (result.droppedSamples > 0) {
          messages.push(
            `${result.droppedSeries} new series refused: tenant ${tenantId} reached the limit of ${mc.maxSeriesPerTenant} series (metrics.max_series_per_tenant)`,
          );
        }
        if (unsupportedPoints > 0)
          messages.push(`${unsupportedPoints} exponential histogram data points are not supported`);
        return {
          rejected: result.droppedSamples + unsupportedPoints,
          message: messages.length > 0 ? messages.join('; ') : undefined,
        };
      },
    },
    observeSpans(tenantId, body) {
      try {
        const spans = generator.observe(tenantId, body);
        if (spans > 0) spansReceived.inc({ tenant: tenantId }, spans);
      } catch (err) {
        logger.warn({ err, tenant: tenantId }, 'metrics generator could not read a trace export');
      }
    },
    async tick(now) {
      generator.expireEdges(now);
      if (now >= nextCollectionMs) {
        nextCollectionMs = now + mc.generator.collectionIntervalMs;
        await collectNow(now);
      }
      await store.maintain(now);
    },
    async stop() {
      await collectNow();
      await store.close();
    },
  };
}
