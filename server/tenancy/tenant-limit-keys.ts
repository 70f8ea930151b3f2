import { readBytes, readDuration, readInt } from '../config-reader/config-values';
import type { ValueReader } from '../config-reader/types';

/**
 * The numeric per-tenant limits, each spelled once: its field, where it sits in Tempo's 2.3+
 * overrides form (`<section>.<key>`, the same under `overrides.defaults` in the config file and
 * under each tenant in the runtime file), its legacy flat name, its reader and its default.
 * The config schema, the config builder and the runtime-file parser all read this table.
 * 0 means "no limit" for every one, as in Tempo.
 */
export interface NumericTenantLimits {
  /** `global.max_bytes_per_trace`: spans past it are refused, a combined trace is cut. */
  maxBytesPerTrace: number;
  /** `ingestion.rate_limit_bytes`: OTLP bytes per second a tenant may send (token bucket refill). */
  ingestionRateBytes: number;
  /** `ingestion.burst_size_bytes`: the bucket's size; one request larger than it can never pass. */
  ingestionBurstBytes: number;
  /** `ingestion.max_traces_per_user`: traces held live at once; new traces past it are refused. */
  maxLiveTraces: number;
  /** `ingestion.max_spans_per_request` (Loupe's own): a request with more spans is refused. */
  maxSpansPerRequest: number;
  /** `ingestion.max_attribute_bytes` (Tempo: distributor-wide): longer attribute values are cut. */
  maxAttributeBytes: number;
  /** `read.max_search_duration`: a search over a longer time range is refused. */
  maxSearchDurationMs: number;
  /** `read.max_concurrent_searches` (Loupe's own): searches of one tenant running at once. */
  maxConcurrentSearches: number;
  /**
   * `metrics_generator.max_active_series`: the tenant's span-metrics and OTLP metrics series
   * (0: `metrics.max_series_per_tenant`). Per tenant in the runtime overrides file.
   */
  maxActiveSeries: number;
}

export interface TenantLimitKey {
  field: keyof NumericTenantLimits;
  section: 'global' | 'ingestion' | 'read' | 'metrics_generator';
  key: string;
  /** Tempo's legacy flat name (before 2.3), when it has one. */
  legacy?: string;
  read: ValueReader<number>;
  /** What the value is, for messages: "bytes", "traces"… */
  unit: string;
  defaultValue: number;
}

export const TENANT_LIMIT_KEYS: readonly TenantLimitKey[] = [
  {
    field: 'maxBytesPerTrace',
    section: 'global',
    key: 'max_bytes_per_trace',
    legacy: 'max_bytes_per_trace',
    read: readBytes,
    unit: 'bytes',
    // Loupe's own default: Tempo's 5,000,000 refuses many real traces of busy services.
    defaultValue: 50_000_000,
  },
  {
    field: 'ingestionRateBytes',
    section: 'ingestion',
    key: 'rate_limit_bytes',
    legacy: 'ingestion_rate_limit_bytes',
    read: readBytes,
    unit: 'bytes per second',
    defaultValue: 15_000_000,
  },
  {
    field: 'ingestionBurstBytes',
    section: 'ingestion',
    key: 'burst_size_bytes',
    legacy: 'ingestion_burst_size_bytes',
    read: readBytes,
    unit: 'bytes',
    defaultValue: 20_000_000,
  },
  {
    field: 'maxLiveTraces',
    section: 'ingestion',
    key: 'max_traces_per_user',
    legacy: 'max_traces_per_user',
    read: readInt(0),
    unit: 'traces',
    defaultValue: 10_000,
  },
  {
    field: 'maxSpansPerRequest',
    section: 'ingestion',
    key: 'max_spans_per_request',
    read: readInt(0),
    unit: 'spans',
    defaultValue: 0,
  },
  {
    field: 'maxAttributeBytes',
    section: 'ingestion',
    key: 'max_attribute_bytes',
    read: readBytes,
    unit: 'bytes',
    defaultValue: 0,
  },
  {
    field: 'maxSearchDurationMs',
    section: 'read',
    key: 'max_search_duration',
    legacy: 'max_search_duration',
    read: readDuration,
    unit: 'ms',
    defaultValue: 0,
  },
  {
    field: 'maxConcurrentSearches',
    section: 'read',
    key: 'max_concurrent_searches',
    read: readInt(0),
    unit: 'searches',
    defaultValue: 0,
  },
  {
    field: 'maxActiveSeries',
    section: 'metrics_generator',
    key: 'max_active_series',
    legacy: 'metrics_generator_max_active_series',
    read: readInt(0),
    unit: 'series',
    defaultValue: 0,
  },
];

export const DEFAULT_TENANT_LIMITS: NumericTenantLimits = Object.fromEntries(
  TENANT_LIMIT_KEYS.map((k) => [k.field, k.defaultValue]),
) as unknown as NumericTenantLimits;
