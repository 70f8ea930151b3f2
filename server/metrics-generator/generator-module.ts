import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { SampleBatch } from '../series-model/sample-batch';
import { renderGeneratorMetrics } from './exposition';
import { MetricsGenerator } from './metrics-generator';
import type { GeneratorConfig } from './metrics-generator-config';
import { RemoteWriter } from './remote-write';
import type { SeriesLimit } from './series-limit';

/**
 * Where the generator's samples go. The metrics module hands it one that appends to the series
 * store; the generator knows nothing else of the store.
 */
export interface SampleSink {
  /** One tenant's collected samples; resolves once they are durable. */
  append(tenantId: string, batch: SampleBatch): Promise<void>;
  /**
   * New series the generator refused itself at `maxSeriesPerTenant` (a histogram counts its
   * buckets + 3). The limit is the sink's; the generator applies it before a series costs memory.
   */
  seriesRefused(tenantId: string, count: number): void;
}

export interface MetricsGeneratorDeps {
  config: GeneratorConfig;
  /** The sink's per-tenant series limit (`metrics.max_series_per_tenant`, or a tenant's own). */
  maxSeriesPerTenant: SeriesLimit;
  sink: SampleSink;
  logger: Logger;
  /** The generator's counters are registered here, and its live series added to every scrape. */
  metrics: SelfMetrics;
}

/** Span metrics and the service graph as the process runs them. */
export interface MetricsGeneratorModule {
  /** Every accepted trace export (a distributor span observer); never throws. */
  observeSpans(tenantId: string, body: Uint8Array): void;
  /** Expires unpaired service-graph edges, and collects into the sink every `collection_interval`. */
  tick(now: number): Promise<void>;
  /** Samples every live series into the sink now; resolves once they are durable. */
  collectNow(now?: number): Promise<void>;
}

/**
 * Starts the metrics generator: its own `/metrics` counters and families, collection into
 * `sink` (and the remote-write receivers of `metrics_generator.storage.remote_write`).
 */
export function startMetricsGenerator(deps: MetricsGeneratorDeps): MetricsGeneratorModule {
  const { config, logger, sink } = deps;
  const registers = deps.metrics.registers;
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

  const generator = new MetricsGenerator(config, deps.maxSeriesPerTenant, {
    onSeriesDropped: (tenantId, count) => sink.seriesRefused(tenantId, count),
    onEdgeDropped: (tenantId) => edgesDropped.inc({ tenant: tenantId }),
    onLabelValuesTruncated: (tenantId, count) => labelValuesTruncated.inc({ tenant: tenantId }, count),
  });
  deps.metrics.addExposition((openMetrics, onSkipped) =>
    renderGeneratorMetrics(generator.registry, openMetrics, onSkipped),
  );
  const remoteWriter = new RemoteWriter(
    config.remoteWrite.map((r) => r.url),
    logger,
  );
  let nextCollectionMs = Date.now() + config.collectionIntervalMs;

  const collectNow = async (now = Date.now()): Promise<void> => {
    const durable: Promise<void>[] = [];
    for (const [tenantId, batch] of generator.collect(now)) {
      durable.push(sink.append(tenantId, batch));
      remoteWriter.send(tenantId, batch);
    }
    await Promise.all(durable);
  };

  return {
    collectNow,
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
        nextCollectionMs = now + config.collectionIntervalMs;
        await collectNow(now);
      }
    },
  };
}
