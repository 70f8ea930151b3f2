import {
  ConfigError,
  readBytes,
  readDuration,
  readPositiveDuration,
  readPositiveInt,
  readStringList,
} from '../config-reader/config-values';
import type { Section } from '../config-reader/schema-node';
import type { ConfigGetter, ValueReader } from '../config-reader/types';
import { userRegexError } from '../query-guards/user-regex';

/**
 * The `logs:` section of Loupe's config (Loupe's own; Tempo has none). Owned by the logs module:
 * readers in `LOGS_SCHEMA`, defaults in `buildLogsConfig`. Limit names and defaults are Loki's.
 */
export interface LogsConfig {
  /** How long logs are kept; default: the trace retention. */
  retentionMs: number;
  /** WAL directory for log pushes (inside the trace WAL folder by default). */
  walPath: string;
  /** A stream's head is cut into a chunk past this many uncompressed line bytes… */
  maxChunkBytes: number;
  /** …or once its oldest unflushed entry arrived this long ago. */
  maxChunkAgeMs: number;
  limits: LogsLimits;
  /** Loki's `query_timeout`: a log query running longer answers 504 (default 1m, as Loki). */
  queryTimeoutMs: number;
  /** Loki's `max_query_series`: a metric query whose answer would hold more series answers 400. */
  maxQuerySeries: number;
  /** OTLP resource attributes that become index labels (dots become underscores). */
  otlpIndexLabels: string[];
  /** What the web UI gets from `/loupe/config` (derived fields…). */
  client: LogsClientConfig;
}

export interface LogsLimits {
  maxLabelNamesPerSeries: number;
  /** Bytes in a label name and a label value of a stream: a longer one refuses the stream. */
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxLineBytes: number;
  /** Per-tenant token bucket over pushed line bytes. */
  ingestionRateBytesPerSecond: number;
  ingestionBurstBytes: number;
}

/** A Grafana Loki derived field, exactly as Grafana provisions it. */
export interface DerivedField {
  name: string;
  matcherRegex: string;
  url?: string;
  datasourceUid?: string;
  urlDisplayLabel?: string;
  /** Grafana's `matcherType: label` reads a label or structured-metadata key instead of the line. */
  matcherType?: 'regex' | 'label';
}

export interface LogsClientConfig {
  derivedFields: DerivedField[];
}

const MiB = 1024 * 1024;

/** Loki 3's `default_resource_attributes_as_index_labels`. */
export const DEFAULT_OTLP_INDEX_LABELS = [
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.container.name',
  'container.name',
  'k8s.replicaset.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.cronjob.name',
  'k8s.job.name',
];

export const LOGS_DEFAULTS = {
  maxChunkBytes: 1536 * 1024, // Loki's chunk_target_size (compressed there; uncompressed here)
  maxChunkAgeMs: 2 * 3600 * 1000, // Loki's max_chunk_age
  maxLabelNamesPerSeries: 15,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  maxLineBytes: 256 * 1024,
  ingestionRateMb: 4,
  ingestionBurstSizeMb: 6,
  queryTimeoutMs: 60_000,
  maxQuerySeries: 500,
} as const;

/** Loki's rate settings are in (possibly fractional) megabytes. */
const readMegabytes: ValueReader<number> = (value, key) => {
  if (typeof value !== 'number' || !(value > 0)) {
    throw new ConfigError(
      `config key "${key}" must be a number of megabytes above zero, got ${String(value)}`,
    );
  }
  return value;
};

const DERIVED_FIELD_KEYS = new Set([
  'name',
  'matcherRegex',
  'url',
  'datasourceUid',
  'urlDisplayLabel',
  'matcherType',
]);

/** A list of Grafana derived fields; each entry is checked so a bad regex stops startup, not the UI. */
export const readDerivedFields: ValueReader<DerivedField[]> = (value, key) => {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(`config key "${key}" must be a list of derived fields`);
  return value.map((entry: unknown, i) => {
    const at = `${key}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError(`config key "${at}" must be a mapping with name and matcherRegex`);
    }
    const raw = entry as Record<string, unknown>;
    for (const k of Object.keys(raw)) {
      if (!DERIVED_FIELD_KEYS.has(k)) throw new ConfigError(`unknown config key "${at}.${k}"`);
    }
    const str = (k: string, required: boolean): string | undefined => {
      const v = raw[k];
      if (v === undefined || v === null) {
        if (required) throw new ConfigError(`config key "${at}.${k}" is required`);
        return undefined;
      }
      if (typeof v !== 'string') throw new ConfigError(`config key "${at}.${k}" must be a string`);
      return v;
    };
    const field: DerivedField = { name: str('name', true)!, matcherRegex: str('matcherRegex', true)! };
    // Derived fields run in the browser on every log line, with the same RE2 engine as queries.
    const invalid = userRegexError(field.matcherRegex);
    if (invalid !== undefined) {
      throw new ConfigError(
        `config key "${at}.matcherRegex" is not a valid RE2 regular expression: ${invalid}`,
      );
    }
    for (const k of ['url', 'datasourceUid', 'urlDisplayLabel'] as const) {
      const v = str(k, false);
      if (v !== undefined) field[k] = v;
    }
    const matcherType = str('matcherType', false);
    if (matcherType !== undefined) {
      if (matcherType !== 'regex' && matcherType !== 'label') {
        throw new ConfigError(`config key "${at}.matcherType" must be regex or label, got "${matcherType}"`);
      }
      field.matcherType = matcherType;
    }
    return field;
  });
};

export const LOGS_SCHEMA: Section = {
  retention_period: readDuration,
  max_chunk_bytes: readPositiveInt,
  max_chunk_age: readPositiveDuration,
  max_label_names_per_series: readPositiveInt,
  max_label_name_length: readPositiveInt,
  max_label_value_length: readPositiveInt,
  max_line_size: readBytes,
  ingestion_rate_mb: readMegabytes,
  ingestion_burst_size_mb: readMegabytes,
  otlp_index_labels: readStringList,
  query_timeout: readPositiveDuration,
  max_query_series: readPositiveInt,
  derivedFields: readDerivedFields,
};

export function buildLogsConfig(
  get: ConfigGetter,
  ctx: { blockRetentionMs: number; walPath: string },
): LogsConfig {
  const maxLine = get('logs.max_line_size', LOGS_DEFAULTS.maxLineBytes);
  return {
    retentionMs: get('logs.retention_period', ctx.blockRetentionMs),
    walPath: `${ctx.walPath}/logs`,
    maxChunkBytes: get('logs.max_chunk_bytes', LOGS_DEFAULTS.maxChunkBytes),
    maxChunkAgeMs: get('logs.max_chunk_age', LOGS_DEFAULTS.maxChunkAgeMs),
    limits: {
      maxLabelNamesPerSeries: get('logs.max_label_names_per_series', LOGS_DEFAULTS.maxLabelNamesPerSeries),
      maxLabelNameLength: get('logs.max_label_name_length', LOGS_DEFAULTS.maxLabelNameLength),
      maxLabelValueLength: get('logs.max_label_value_length', LOGS_DEFAULTS.maxLabelValueLength),
      // 0 means no limit, as in Loki.
      maxLineBytes: maxLine === 0 ? Number.MAX_SAFE_INTEGER : maxLine,
      ingestionRateBytesPerSecond: get('logs.ingestion_rate_mb', LOGS_DEFAULTS.ingestionRateMb) * MiB,
      ingestionBurstBytes: get('logs.ingestion_burst_size_mb', LOGS_DEFAULTS.ingestionBurstSizeMb) * MiB,
    },
    queryTimeoutMs: get('logs.query_timeout', LOGS_DEFAULTS.queryTimeoutMs),
    maxQuerySeries: get('logs.max_query_series', LOGS_DEFAULTS.maxQuerySeries),
    otlpIndexLabels: get('logs.otlp_index_labels', DEFAULT_OTLP_INDEX_LABELS),
    client: { derivedFields: get('logs.derivedFields', [] as DerivedField[]) },
  };
}
