import {
  ConfigError,
  readBool,
  readInt,
  readPositiveDuration,
  readPositiveInt,
  readString,
  readStringList,
} from '../config-reader/config-values';
import { Ignored, ignoring, type Section } from '../config-reader/schema-node';
import type { ConfigGetter, ValueReader } from '../config-reader/types';

/**
 * Tempo's `metrics_generator:` section: span metrics, service graph, the registry's collection
 * and label limits, remote write. Read into `LoupeConfig.metrics.generator`.
 */
export interface GeneratorConfig {
  /** How often every live series is sampled into the store (Tempo: `registry.collection_interval`). */
  collectionIntervalMs: number;
  /** Series not updated for this long stop being sampled (Tempo: `registry.stale_duration`). */
  staleDurationMs: number;
  /** Label names and values are cut to this many UTF-8 bytes (Tempo: `registry.max_label_*_length`; 0: no limit). */
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  spanMetrics: {
    histogramBuckets: number[];
    dimensions: string[];
    intrinsicDimensions: IntrinsicDimensions;
  };
  serviceGraphs: {
    histogramBuckets: number[];
    dimensions: string[];
    waitMs: number;
    maxItems: number;
  };
  /** Prometheus remote-write receivers every collected sample is pushed to. */
  remoteWrite: { url: string }[];
}

export interface IntrinsicDimensions {
  service: boolean;
  span_name: boolean;
  span_kind: boolean;
  status_code: boolean;
  status_message: boolean;
}

/** Tempo's default buckets for span metrics and the service graph, in seconds. */
export const TEMPO_DEFAULT_BUCKETS = [
  0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384,
];
/** Tempo's registry defaults, which are also Mimir's and Loki's limits (UTF-8 bytes). */
export const DEFAULT_MAX_LABEL_NAME_LENGTH = 1024;
export const DEFAULT_MAX_LABEL_VALUE_LENGTH = 2048;

const readBuckets: ValueReader<number[]> = (value, key) => {
  if (!Array.isArray(value) || value.length === 0 || value.some((v) => typeof v !== 'number' || !(v > 0))) {
    throw new ConfigError(`config key "${key}" must be a non-empty list of positive numbers (seconds)`);
  }
  const sorted = [...(value as number[])].sort((a, b) => a - b);
  return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
};

/** An http(s) URL, without trailing slashes (remote-write receivers here, `metrics.prometheus_url`). */
export const readHttpUrl: ValueReader<string> = (value, key) => {
  const text = readString(value, key);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`config key "${key}" must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`config key "${key}" must be an http(s) URL, got ${JSON.stringify(text)}`);
  }
  return text.replace(/\/+$/, '');
};

const readRemoteWrite: ValueReader<{ url: string }[]> = (value, key) => {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`config key "${key}" must be a list of {url: ...}`);
  return value.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || !('url' in entry)) {
      throw new ConfigError(`config key "${key}[${i}]" must be a mapping with a url`);
    }
    return { url: readHttpUrl((entry as { url: unknown }).url, `${key}[${i}].url`) };
  });
};

/** A label length limit in bytes; 0 turns the limit off, as in Tempo, Mimir and Prometheus. */
export const readLabelLength = readInt(0, Number.MAX_SAFE_INTEGER, 'a whole number of bytes');

const fromSpanMetrics = 'Loupe derives span metrics itself';
const everySpanOnce = 'every span counts once';

/** The keys `metrics_generator:` takes: those Loupe reads, and Tempo's it accepts but ignores (warned). */
export const METRICS_GENERATOR_SCHEMA: Section = {
  processor: {
    span_metrics: {
      histogram_buckets: readBuckets,
      dimensions: readStringList,
      intrinsic_dimensions: {
        service: readBool,
        span_name: readBool,
        span_kind: readBool,
        status_code: readBool,
        status_message: readBool,
      },
      ...ignoring([
        'enable_target_info',
        'dimension_mappings',
        'filter_policies',
        'target_info_excluded_dimensions',
        'span_multiplier_key',
        'enable_instance_label',
      ]),
      ...ignoring(['subprocessors'], 'every span-metrics series is produced'),
      ...ignoring(['enable_tracestate_span_multiplier'], everySpanOnce),
    },
    service_graphs: {
      histogram_buckets: readBuckets,
      dimensions: readStringList,
      wait: readPositiveDuration,
      max_items: readPositiveInt,
      ...ignoring([
        'workers',
        'peer_attributes',
        'enable_client_server_prefix',
        'enable_messaging_system_latency_histogram',
        'enable_virtual_node_label',
      ]),
      ...ignoring(['span_multiplier_key', 'enable_tracestate_span_multiplier'], everySpanOnce),
      ...ignoring(['database_name_attributes', 'filter_policies'], 'not implemented'),
    },
    ...ignoring(['local_blocks'], fromSpanMetrics),
    ...ignoring(['host_info'], 'not implemented'),
  },
  registry: {
    collection_interval: readPositiveDuration,
    stale_duration: readPositiveDuration,
    external_labels: new Ignored(),
    max_label_name_length: readLabelLength,
    max_label_value_length: readLabelLength,
    ...ignoring(['inject_tenant_id_as']),
  },
  storage: {
    path: new Ignored('Loupe keeps samples in its own WAL'),
    remote_write: readRemoteWrite,
    ...ignoring(['wal', 'remote_write_flush_deadline', 'remote_write_add_org_id_header']),
  },
  ...ignoring([
    'traces_storage',
    'ring',
    'metrics_ingestion_time_range_slack',
    'query_timeout',
    'override_ring_key',
    'codec',
  ]),
  ...ignoring(
    [
      'traces_query_storage',
      'disable_local_blocks',
      'disable_grpc',
      'ring_mode',
      'instance_id',
      'ingest_concurrency',
      'leave_consumer_group_on_shutdown',
    ],
    'the generator runs in the process that receives the spans',
  ),
  ...ignoring(['limiter_type'], 'series are limited by max_active_series'),
};

/** The `metrics_generator:` section's values, Tempo's defaults where a key is not set. */
export function buildGeneratorConfig(get: ConfigGetter): GeneratorConfig {
  const sm = 'metrics_generator.processor.span_metrics';
  const sg = 'metrics_generator.processor.service_graphs';
  const registry = 'metrics_generator.registry';
  const intrinsic = (name: keyof IntrinsicDimensions, fallback: boolean) =>
    get(`${sm}.intrinsic_dimensions.${name}`, fallback);
  return {
    collectionIntervalMs: get(`${registry}.collection_interval`, 15_000),
    staleDurationMs: get(`${registry}.stale_duration`, 15 * 60_000),
    maxLabelNameLength: get(`${registry}.max_label_name_length`, DEFAULT_MAX_LABEL_NAME_LENGTH),
    maxLabelValueLength: get(`${registry}.max_label_value_length`, DEFAULT_MAX_LABEL_VALUE_LENGTH),
    spanMetrics: {
      histogramBuckets: get(`${sm}.histogram_buckets`, TEMPO_DEFAULT_BUCKETS),
      dimensions: get(`${sm}.dimensions`, [] as string[]),
      intrinsicDimensions: {
        service: intrinsic('service', true),
        span_name: intrinsic('span_name', true),
        span_kind: intrinsic('span_kind', true),
        status_code: intrinsic('status_code', true),
        status_message: intrinsic('status_message', false),
      },
    },
    serviceGraphs: {
      histogramBuckets: get(`${sg}.histogram_buckets`, TEMPO_DEFAULT_BUCKETS),
      dimensions: get(`${sg}.dimensions`, [] as string[]),
      waitMs: get(`${sg}.wait`, 10_000),
      maxItems: get(`${sg}.max_items`, 10_000),
    },
    remoteWrite: get('metrics_generator.storage.remote_write', [] as { url: string }[]),
  };
}
