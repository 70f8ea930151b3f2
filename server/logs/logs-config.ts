import type { Section } from '../config/schema-node';
import type { ConfigGetter } from '../config/types';

/**
 * The `logs:` section of Loupe's config (Loupe's own; Tempo has none). Owned by the logs module:
 * readers in `LOGS_SCHEMA`, defaults in `buildLogsConfig`.
 */
export interface LogsConfig {
  /** Days/hours logs are kept; default: the trace retention. */
  retentionMs: number;
  /** WAL directory for log pushes (inside the trace WAL folder by default). */
  walPath: string;
  /** What the web UI gets from `/loupe/config` (derived fields…). */
  client: LogsClientConfig;
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

export const LOGS_SCHEMA: Section = {};

export function buildLogsConfig(
  get: ConfigGetter,
  ctx: { blockRetentionMs: number; walPath: string },
): LogsConfig {
  return {
    retentionMs: get('logs.retention_period', ctx.blockRetentionMs),
    walPath: `${ctx.walPath}/logs`,
    client: { derivedFields: get('logs.derivedFields', [] as DerivedField[]) },
  };
}
