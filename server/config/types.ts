import type { HttpServerLimits } from '../http-util/listener-limits';
import type { IngesterConfig } from '../ingester/ingester-config';
import type { LogsConfig } from '../logs/logs-config';
import type { MetricsConfig } from '../metrics/metrics-config';
import type { ReceiversConfig } from '../receivers/start-receivers';
import type { SamplingConfig } from '../sampling/sampling-config';
import type { SearchConfig } from '../search/search-config';
import type { StorageConfig } from '../store/store-config';
import type { AuthConfig } from '../tenancy/auth-config';
import type { NumericTenantLimits } from '../tenancy/tenant-limit-keys';

/**
 * Loupe's resolved configuration. Keys mirror Tempo's YAML (see docs/configuration.md);
 * durations are milliseconds, sizes bytes. `loadConfig` fills every field. Modules own their
 * sections' types (`StorageConfig`, `LogsConfig`, …); a module takes its own, not this whole.
 */
/** Tempo's `-target`: which parts of Loupe this process runs (docs/operations.md). */
export type LoupeTarget = 'all' | 'ingester' | 'querier' | 'compactor';
export const LOUPE_TARGETS: readonly LoupeTarget[] = ['all', 'ingester', 'querier', 'compactor'];

export interface LoupeConfig {
  /** `target` in the file, or the `-target` flag (which wins). */
  target: LoupeTarget;
  querier: {
    /** `querier.ingester_addresses`: where a `-target=querier` finds the ingesters' HTTP APIs. */
    ingesterAddresses: string[];
  };
  server: {
    httpListenAddress: string; // '' = all interfaces
    httpListenPort: number; // 3200
    logLevel: 'debug' | 'info' | 'warn' | 'error';
    /** `http_server_*_timeout`, `http_listen_conn_limit`: every HTTP listener's; the read timeout bounds gRPC calls too. */
    http: HttpServerLimits;
  };
  multitenancyEnabled: boolean;
  /** `distributor.receivers`; a receiver left undefined is not opened. */
  receivers: ReceiversConfig;
  ingester: IngesterConfig;
  compactor: {
    blockRetentionMs: number;
    /** `compactor.disabled`: no compaction (retention still runs). */
    disabled: boolean;
    compactedBlockRetentionMs: number;
    windowMs: number;
    maxCompactionObjects: number;
    maxBlockBytes: number;
    cycleMs: number;
  };
  storage: StorageConfig;
  overrides: {
    /** The default `max_bytes_per_trace` (Loupe default 50 MB; 0 in the file means no limit). */
    maxBytesPerTrace: number;
    /** The other per-tenant limits the file sets (`tenant-limit-keys.ts`); unset ones take their defaults. */
    tenantLimits?: Partial<NumericTenantLimits>;
    /** `per_tenant_override_config`: Tempo's runtime file of per-tenant overrides. */
    perTenantFile?: string;
    /** `per_tenant_override_period`: how often that file is re-read (Tempo's default, 10s). */
    perTenantPeriodMs: number;
  };
  logs: LogsConfig;
  metrics: MetricsConfig;
  search: SearchConfig;
  /** `sampling:` (Loupe's own): built-in tail sampling, off unless `policies` are given. */
  sampling: SamplingConfig;
  /** `auth:` (Loupe's own): each tenant's credentials; absent, requests carry none (as in Tempo). */
  auth?: AuthConfig;
  /** Where the config came from, for logs. */
  source: string;
}
