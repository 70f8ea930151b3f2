import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { SignalSink } from '../receivers/signal-sink';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { Backend } from '../store/backend/backend';
import { logsRoutes } from './http/logs-routes';
import { LogIngest } from './ingest/log-ingest';
import { convertOtlpLogs } from './ingest/otlp-logs';
import type { LogsConfig } from './logs-config';
import { LogsMetrics } from './logs-metrics';
import { LogStore } from './store/log-store';

export interface LogsDeps {
  config: LogsConfig;
  /** The largest Loki push accepted (the OTLP/HTTP receiver's `max_request_body_size`). */
  maxPushBytes?: number;
  /** The same object storage as trace blocks; logs live under their own prefix. */
  backend: Backend;
  logger: Logger;
  metrics: SelfMetrics;
}

/** The logs side of Loupe, as the rest of the process sees it. */
export interface LogsModule {
  /** OTLP logs from the gRPC and HTTP receivers. */
  sink: SignalSink;
  /** Loki's HTTP API (`/loki/api/v1/*`, push included), registered on the :3200 app. */
  routes: FastifyPluginAsync;
  /** Called every second: cut chunks by size or age. */
  tick(now: number): Promise<void>;
  /** Deletes chunks past `logs.retention_period` (run by the one retention schedule). */
  applyRetention(now: number): Promise<void>;
  /** Flushes what can be flushed; nothing acknowledged may be lost. */
  stop(): Promise<void>;
  /** The store behind it all (tests and benchmarks look inside). */
  store: LogStore;
}

const DEFAULT_MAX_PUSH_BYTES = 20 * 1024 * 1024;

/** Replays the logs WAL and returns the running module. */
export async function startLogs(deps: LogsDeps): Promise<LogsModule> {
  const { config: logsConfig, logger } = deps;
  let metrics: LogsMetrics | undefined;
  const store = new LogStore({
    backend: deps.backend,
    walPath: logsConfig.walPath,
    maxChunkBytes: logsConfig.maxChunkBytes,
    maxChunkAgeMs: logsConfig.maxChunkAgeMs,
    retentionMs: logsConfig.retentionMs,
    logger,
    onChunkWritten: (meta) => metrics?.chunksFlushed.inc({ tenant: meta.tenantId }),
  });
  const opened = await store.open();
  logger.info(opened, 'logs store opened');
  metrics = new LogsMetrics(deps.metrics, () => store.walSize().bytes);
  const ingest = new LogIngest(store, metrics, logsConfig);
  const limits = logsConfig.limits;

  const sink: SignalSink = {
    async push(tenantId, body) {
      const converted = convertOtlpLogs(body, limits, logsConfig.otlpIndexLabels);
      for (const [reason, lines] of Object.entries(converted.rejected.byReason)) {
        ingest.discarded(tenantId, reason, lines);
      }
      await ingest.ingest(tenantId, converted.push, converted.lineBytes, converted.lines);
      return { rejected: converted.rejected.count, message: converted.rejected.message };
    },
  };

  return {
    sink,
    routes: logsRoutes({
      store,
      ingest,
      limits,
      maxPushBytes: deps.maxPushBytes ?? DEFAULT_MAX_PUSH_BYTES,
      queryTimeoutMs: logsConfig.queryTimeoutMs,
      maxQuerySeries: logsConfig.maxQuerySeries,
    }),
    tick: (now) => store.tick(now),
    applyRetention: (now) => store.applyRetention(now),
    stop: () => store.close({ flush: true }),
    store,
  };
}
