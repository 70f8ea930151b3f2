import { Ignored, type Section } from '../config/schema-node';
import type { ConfigGetter } from '../config/types';

/**
 * Tempo's `metrics_generator:` section (span metrics, service graph) and Loupe's own `metrics:`
 * section (series store, data sources for the UI). Owned by the metrics modules.
 */
export interface MetricsConfig {
  /** Series store retention; default: the trace retention. */
  retentionMs: number;
  /** WAL directory for samples (inside the trace WAL folder by default). */
  walPath: string;
  client: MetricsClientConfig;
}

/** Grafana's Prometheus `exemplarTraceIdDestinations` entry. */
export interface ExemplarTraceIdDestination {
  name: string;
  datasourceUid?: string;
  url?: string;
  urlDisplayLabel?: string;
}

/** A metrics data source the UI can query: Loupe's own, or a configured Prometheus proxied by the server. */
export interface MetricsDataSource {
  uid: string;
  name: string;
  /** Base URL the UI calls (`<url>/api/v1/query_range`…), same origin. */
  url: string;
}

export interface MetricsClientConfig {
  datasources: MetricsDataSource[];
  exemplarTraceIdDestinations: ExemplarTraceIdDestination[];
}

export const METRICS_GENERATOR_SCHEMA: Section = {
  registry: { external_labels: new Ignored() },
};
export const METRICS_SCHEMA: Section = {};

export function buildMetricsConfig(
  get: ConfigGetter,
  ctx: { blockRetentionMs: number; walPath: string },
): MetricsConfig {
  return {
    retentionMs: get('metrics.retention_period', ctx.blockRetentionMs),
    walPath: `${ctx.walPath}/metrics`,
    client: {
      datasources: [{ uid: 'loupe', name: 'Loupe', url: '/prometheus' }],
      exemplarTraceIdDestinations: get('metrics.exemplarTraceIdDestinations', [
        { name: 'traceID', datasourceUid: 'tempo' },
        { name: 'trace_id', datasourceUid: 'tempo' },
      ]),
    },
  };
}
