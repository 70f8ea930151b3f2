import {
  ConfigError,
  readDuration,
  readInt,
  readPositiveDuration,
  readPositiveInt,
  readString,
} from '../config-reader/config-values';
import type { Section } from '../config-reader/schema-node';
import type { ConfigGetter, ValueReader } from '../config-reader/types';
import {
  buildGeneratorConfig,
  DEFAULT_MAX_LABEL_NAME_LENGTH,
  DEFAULT_MAX_LABEL_VALUE_LENGTH,
  type GeneratorConfig,
  readHttpUrl,
  readLabelLength,
} from '../metrics-generator/metrics-generator-config';

/**
 * Loupe's own `metrics:` section (series store, OTLP metrics limits, PromQL, data sources for
 * the UI), with the `metrics_generator:` section read by the generator's own config beside it.
 */
export interface MetricsConfig {
  /** Series store retention; default: the trace retention. */
  retentionMs: number;
  /** WAL directory for samples (inside the trace WAL folder by default). */
  walPath: string;
  /** New series past this many per tenant are dropped (and counted). */
  maxSeriesPerTenant: number;
  /**
   * OTLP metrics data points with a label name or value longer than these (UTF-8 bytes; 0: no
   * limit) are refused, as Mimir does (`max_label_name_length`, `max_label_value_length`).
   */
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  /** An OTLP histogram data point with more buckets (bounds + 1) is refused; 0: no limit. */
  maxHistogramBuckets: number;
  /** New series one OTLP request may create; the rest of its new series are refused. */
  maxNewSeriesPerRequest: number;
  /** Bytes of a proxied Prometheus answer; past them the answer is refused or cut. */
  prometheusProxyMaxResponseBytes: number;
  /** Prometheus's `query.timeout` (default 2m): a PromQL query past it answers 503 `timeout`. */
  queryTimeoutMs: number;
  /**
   * Prometheus's `query.max-samples`: samples a PromQL query may hold at once (those its
   * selectors load at a step plus the points a range query has gathered); past it, 422 `execution`.
   */
  maxSamples: number;
  /** An external Prometheus the server proxies at `/loupe/proxy/prometheus`. */
  prometheusUrl?: string;
  /** Tempo's `metrics_generator:` section. */
  generator: GeneratorConfig;
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

/** What the UI learns of metrics from `GET /loupe/config`. */
export interface MetricsClientConfig {
  datasources: MetricsDataSource[];
  exemplarTraceIdDestinations: ExemplarTraceIdDestination[];
}

/**
 * Prometheus's default is 50,000,000; a JavaScript heap holds a tenth of that as comfortably
 * (a range query's point costs ~150 bytes until its answer is sent: ~750 MB at this limit).
 */
export const DEFAULT_MAX_SAMPLES = 5_000_000;

export const PROMETHEUS_PROXY_PATH = '/loupe/proxy/prometheus';

const readDestinations: ValueReader<ExemplarTraceIdDestination[]> = (value, key) => {
  if (!Array.isArray(value)) throw new ConfigError(`config key "${key}" must be a list`);
  return value.map((entry, i) => {
    const e = entry as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string') {
      throw new ConfigError(`config key "${key}[${i}]" must be a mapping with a name`);
    }
    const out: ExemplarTraceIdDestination = { name: e.name };
    for (const field of ['datasourceUid', 'url', 'urlDisplayLabel'] as const) {
      if (e[field] !== undefined) out[field] = readString(e[field], `${key}[${i}].${field}`);
    }
    return out;
  });
};

/** The keys `metrics:` takes (all Loupe's own: Tempo has no such section). */
export const METRICS_SCHEMA: Section = {
  retention_period: readDuration,
  max_series_per_tenant: readPositiveInt,
  max_label_name_length: readLabelLength,
  max_label_value_length: readLabelLength,
  // 0: no limit, as for the label lengths.
  max_histogram_buckets: readInt(0),
  max_new_series_per_request: readPositiveInt,
  prometheus_proxy_max_response_size: readInt(1, Number.MAX_SAFE_INTEGER, 'a whole number of bytes'),
  query_timeout: readPositiveDuration,
  max_samples: readPositiveInt,
  prometheus_url: readHttpUrl,
  exemplarTraceIdDestinations: readDestinations,
};

/** The `metrics:` and `metrics_generator:` sections' values, defaults where a key is not set. */
export function buildMetricsConfig(
  get: ConfigGetter,
  ctx: { blockRetentionMs: number; walPath: string },
): MetricsConfig {
  const prometheusUrl = get<string | undefined>('metrics.prometheus_url', undefined);
  const datasources: MetricsDataSource[] = [{ uid: 'loupe', name: 'Loupe', url: '/prometheus' }];
  if (prometheusUrl) datasources.push({ uid: 'prometheus', name: 'Prometheus', url: PROMETHEUS_PROXY_PATH });
  return {
    retentionMs: get('metrics.retention_period', ctx.blockRetentionMs),
    walPath: `${ctx.walPath}/metrics`,
    maxSeriesPerTenant: get('metrics.max_series_per_tenant', 100_000),
    // Mimir's defaults (and Grafana Cloud's): the same as Tempo's registry.
    maxLabelNameLength: get('metrics.max_label_name_length', DEFAULT_MAX_LABEL_NAME_LENGTH),
    maxLabelValueLength: get('metrics.max_label_value_length', DEFAULT_MAX_LABEL_VALUE_LENGTH),
    // Prometheus's native histograms keep at most 160 buckets by default (scrape
    // `native_histogram_bucket_limit`, Mimir's `max_native_histogram_buckets`); clients use a few dozen.
    maxHistogramBuckets: get('metrics.max_histogram_buckets', 160),
    maxNewSeriesPerRequest: get('metrics.max_new_series_per_request', 10_000),
    prometheusProxyMaxResponseBytes: get('metrics.prometheus_proxy_max_response_size', 64 * 1024 * 1024),
    queryTimeoutMs: get('metrics.query_timeout', 2 * 60_000),
    maxSamples: get('metrics.max_samples', DEFAULT_MAX_SAMPLES),
    prometheusUrl,
    generator: buildGeneratorConfig(get),
    client: {
      datasources,
      exemplarTraceIdDestinations: get('metrics.exemplarTraceIdDestinations', [
        { name: 'traceID', datasourceUid: 'tempo' },
        { name: 'trace_id', datasourceUid: 'tempo' },
      ]),
    },
  };
}
