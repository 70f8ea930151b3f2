import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoupeConfig } from '../config/types';
import type { ConfigGetter } from '../config-reader/types';
import { HTTP_SERVER_DEFAULTS } from '../http-util/listener-limits';
import { buildLogsConfig } from '../logs/logs-config';
import { buildMetricsConfig } from '../metrics/metrics-config';
import { GRPC_KEEPALIVE_DEFAULTS } from '../receivers/grpc-limits';
import { SAMPLING_DEFAULTS } from '../sampling/sampling-config';
import { buildSearchConfig } from '../search/search-config';
import { DEFAULT_TENANT_LIMITS } from '../tenancy/tenant-limit-keys';

/** Every optional key at its default. */
const defaults: ConfigGetter = (_path, fallback) => fallback;

type DeepPartial<T> = {
  [K in keyof T]?: NonNullable<T[K]> extends object ? DeepPartial<NonNullable<T[K]>> : T[K];
};

/** A fresh data directory under the OS temp dir. */
export function tempDataDir(prefix = 'loupe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A complete config for tests: ephemeral ports on loopback, a fresh data dir, and short
 * timings (idle 1 s, blocks cut within seconds) instead of Tempo's minutes.
 */
export function testConfig(overrides: DeepPartial<LoupeConfig> = {}, dataDir = tempDataDir()): LoupeConfig {
  const blockRetentionMs = 7 * 24 * 3600 * 1000;
  const walPath = join(dataDir, 'wal');
  const base: LoupeConfig = {
    target: 'all',
    querier: { ingesterAddresses: [] },
    server: {
      httpListenAddress: '127.0.0.1',
      httpListenPort: 0,
      logLevel: 'warn',
      http: { ...HTTP_SERVER_DEFAULTS },
    },
    multitenancyEnabled: false,
    receivers: {
      grpc: {
        host: '127.0.0.1',
        port: 0,
        maxRecvMsgBytes: 20 * 1024 * 1024,
        keepalive: { ...GRPC_KEEPALIVE_DEFAULTS },
      },
      http: { host: '127.0.0.1', port: 0, maxRequestBodyBytes: 20 * 1024 * 1024, corsAllowedOrigins: [] },
    },
    ingester: {
      traceIdlePeriodMs: 1000,
      maxBlockBytes: 50 * 1024 * 1024,
      maxBlockDurationMs: 3000,
      flushCheckPeriodMs: 200,
      completeBlockTimeoutMs: 900_000,
    },
    // Off in tests that do not ask for it: a compaction part-way through a test would change the
    // blocks it counts. The compaction tests turn it on.
    compactor: {
      blockRetentionMs,
      disabled: true,
      compactedBlockRetentionMs: 3_600_000,
      windowMs: 3_600_000,
      maxCompactionObjects: 6_000_000,
      maxBlockBytes: 100 * 1024 * 1024 * 1024,
      cycleMs: 30_000,
    },
    storage: {
      backend: 'local',
      localPath: join(dataDir, 'blocks'),
      walPath,
      pool: { maxWorkers: 100, queueDepth: 10000 },
      bloomFalsePositive: 0.01,
      bloomShardSizeBytes: 100 * 1024,
      blocklistPollMs: 300_000,
    },
    overrides: { maxBytesPerTrace: DEFAULT_TENANT_LIMITS.maxBytesPerTrace, perTenantPeriodMs: 10_000 },
    logs: buildLogsConfig(defaults, { blockRetentionMs, walPath }),
    metrics: buildMetricsConfig(defaults, { blockRetentionMs, walPath }),
    search: buildSearchConfig(defaults),
    sampling: { ...SAMPLING_DEFAULTS },
    source: 'test',
  };
  return merge(base, overrides);
}

function merge<T>(base: T, over: DeepPartial<T>): T {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) {
    const current = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && current && typeof current === 'object'
        ? merge(current, v as DeepPartial<typeof current>)
        : v;
  }
  return out as T;
}
