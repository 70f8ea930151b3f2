import type { LogsConfig } from '../logs/logs-config';
import type { MetricsConfig } from '../metrics-generator/metrics-config';

/** Reads a value the loader collected, by its YAML path (`logs.retention_period`), or the fallback. */
export type ConfigGetter = <T>(path: string, fallback: T) => T;

/**
 * Loupe's resolved configuration. Keys mirror Tempo's YAML (see docs/configuration.md);
 * durations are milliseconds, sizes bytes. `loadConfig` fills every field.
 */
export interface LoupeConfig {
  server: {
    httpListenAddress: string; // '' = all interfaces
    httpListenPort: number; // 3200
    logLevel: 'debug' | 'info' | 'warn' | 'error';
  };
  multitenancyEnabled: boolean;
  receivers: {
    /** undefined = protocol not opened */
    grpc?: { host: string; port: number; maxRecvMsgBytes: number };
    http?: { host: string; port: number; maxRequestBodyBytes: number; corsAllowedOrigins: string[] };
  };
  ingester: {
    traceIdlePeriodMs: number; // Tempo default 10s
    maxBlockBytes: number; // Tempo default 500 MB
    maxBlockDurationMs: number; // Tempo default 30m
    /** How often idle traces are cut and block limits checked. */
    flushCheckPeriodMs: number;
  };
  compactor: { blockRetentionMs: number };
  storage: {
    backend: 'local';
    localPath: string; // blocks root
    walPath: string; // default: a `wal` folder beside the blocks root
    pool: { maxWorkers: number; queueDepth: number };
    bloomFalsePositive: number; // 0.01
    bloomShardSizeBytes: number; // Tempo default 100 KiB
  };
  overrides: { maxBytesPerTrace: number }; // Loupe default 50 MB
  logs: LogsConfig;
  metrics: MetricsConfig;
  /** Where the config came from, for logs. */
  source: string;
}
