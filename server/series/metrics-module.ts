import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { Counter, Gauge } from 'prom-client';
import type { LoupeConfig } from '../config/types';
import type { SpanObserver } from '../distributor/distributor';
import type { SelfMetrics } from '../metrics/self-metrics';
import { renderGeneratorMetrics } from '../metrics-generator/exposition';
import { MetricsGenerator } from '../metrics-generator/metrics-generator';
import type { SignalSink } from '../receivers/signal-sink';
import type { Backend } from '../store/backend/backend';
import { LOUPE_VERSION } from '../version';
import { labelLimitMessage, translateOtlpMetrics } from './otlp-metrics';
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
  const labelValuesTruncated = new Counter({
    name: 'loupe_metrics_generator_label_values_truncated_total',
    help: 'Span-metrics and service-graph label values cut to metrics_generator.registry.max_label_value_length.',
    labelNames: ['tenant'],
    registers,
  });
  const pointsRefused = new Counter({
    name: 'loupe_metrics_data_points_refused_total',
    help: 'OTLP metrics data points refused, by reason (label_name_too_long, label_value_too_long).',
    labelNames: ['tenant', 'reason'],
    registers,
  });
  const seriesUnwritable = new Counter({
    name: 'loupe_metrics_series_unwritable_total',
    help: 'Series not stored because they could not be written to the series WAL (encoding failed, or over 1 Mi characters).',
    labelNames: ['tenant', 'source'],
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
    onLabelValuesTruncated: (tenantId, count) => labelValuesTruncated.inc({ tenant: tenantId }, count),
  });
  deps.metrics.addExposition((openMetrics, onSkipped) =>
    renderGeneratorMetrics(generator.registry, openMetrics, onSkipped),
  );
  const labelLimits = { maxNameBytes: mc.maxLabelNameLength, maxValueBytes: mc.maxLabelValueLength };
  const countUnwritable = (tenantId: string, source: string, series: number) => {
    if (series > 0) seriesUnwritable.inc({ tenant: tenantId, source }, series);
  };
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
      countUnwritable(tenantId, 'span_metrics', result.unwritableSeries);
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
      queryTimeoutMs: mc.queryTimeoutMs,
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
        const translated = translateOtlpMetrics(body, totals, labelLimits);
        const { batch, unsupportedPoints, refusedPoints, firstRefusal } = translated;
        const result = store.append(tenantId, batch);
        if (result.droppedSeries > 0) {
          seriesDropped.inc({ tenant: tenantId, reason: 'otlp' }, result.droppedSeries);
          warnLimit(tenantId, 'otlp');
        }
        countUnwritable(tenantId, 'otlp', result.unwritableSeries);
        await result.durable;
        const messages: string[] = [];
        const refused = refusedPoints.name + refusedPoints.value;
        if (firstRefusal) {
          const tenant = tenantId;
          if (refusedPoints.name > 0)
            pointsRefused.inc({ tenant, reason: 'label_name_too_long' }, refusedPoints.name);
          if (refusedPoints.value > 0)
            pointsRefused.inc({ tenant, reason: 'label_value_too_long' }, refusedPoints.value);
          messages.push(labelLimitMessage(refused, firstRefusal));
        }
        if (result.unwritableSeries > 0)
          messages.push(`${result.unwritableSeries} series refused: too large to store`);
        if (result.droppedSamples > 0) {
          messages.push(
            `${result.droppedSeries} new series refused: tenant ${tenantId} reached the limit of ${mc.maxSeriesPerTenant} series (metrics.max_series_per_tenant)`,
          );
        }
        if (unsupportedPoints > 0)
          messages.push(`${unsupportedPoints} exponential histogram data points are not supported`);
        return {
          rejected: result.droppedSamples + unsupportedPoints + refused + result.unwritableSamples,
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
      try {
        await collectNow();
      } finally {
        // Whatever the last collection did, the WAL is closed and what it holds survives.
        await store.close();
      }
    },
  };
}
