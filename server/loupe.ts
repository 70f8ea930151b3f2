import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { RetentionSchedule } from './compactor/retention-schedule';
import type { LoupeConfig } from './config/types';
import { buildApiApp } from './http/api-app';
import { listenApp } from './http-util/listen';
import type { Ingester } from './ingester/ingester';
import { type LogsModule, startLogs } from './logs/logs-module';
import { type MetricsModule, startMetrics } from './metrics/metrics-module';
import { startReceivers } from './receivers/start-receivers';
import { startSearch } from './search/search-module';
import { SelfMetrics } from './self-metrics/self-metrics';
import { openBackend } from './store/backend/create-backend';
import type { Blocklist } from './store/blocklist';
import { Overrides, watchPerTenantOverrides } from './tenancy/overrides';
import { startTraces } from './traces/traces-module';
import { LOUPE_VERSION } from './version';

export interface RunningLoupe {
  ports: { http: number; otlpHttp?: number; otlpGrpc?: number };
  ingester: Ingester;
  blocklist: Blocklist;
  metrics: SelfMetrics;
  logs: LogsModule;
  seriesMetrics: MetricsModule;
  /** One compaction cycle now (it also runs every `compaction_cycle` unless disabled). */
  compact(nowMs?: number): Promise<void>;
  /** Graceful stop: refuse new pushes, flush what can be flushed, close listeners. */
  stop(): Promise<void>;
}

const WEB_DIST = fileURLToPath(new URL('../dist/web', import.meta.url));
/** Retention is a minute-scale concern for every store. */
const RETENTION_EVERY_MS = 60_000;
/** Logs and metrics cut chunks by size or age, and the generator collects, on this beat. */
const SIGNAL_TICK_MS = 1_000;

export interface StartOptions {
  /** The built web UI; `dist/web` of the checkout by default. */
  webDistDir?: string;
}

/**
 * Composes Loupe from its modules (today every module runs in one process, Tempo's `-target=all`;
 * an ingester, querier or compactor target would compose a subset): the shared backend and
 * per-tenant overrides, the three signals, the receivers and the :3200 API, one retention
 * schedule on one clock, and one tick for the signals' chunk cutting.
 */
export async function startLoupe(
  config: LoupeConfig,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningLoupe> {
  const child = (component: string) => logger.child({ component });
  const metrics = new SelfMetrics();
  const backend = await openBackend(config.storage, { logger: child('backend'), metrics });
  const overrides = new Overrides({ maxBytesPerTrace: config.overrides.maxBytesPerTrace });
  const overridesFile = config.overrides.perTenantFile
    ? await watchPerTenantOverrides(
        overrides,
        config.overrides.perTenantFile,
        config.overrides.perTenantPeriodMs,
        child('overrides'),
      )
    : undefined;

  const traces = await startTraces({ config, backend, overrides, metrics, logger });
  const logs = await startLogs({
    config: config.logs,
    maxPushBytes: config.receivers.http?.maxRequestBodyBytes,
    backend,
    metrics,
    logger: child('logs'),
  });
  const seriesMetrics = await startMetrics({
    config: config.metrics,
    backend,
    metrics,
    logger: child('metrics'),
  });
  traces.distributor.addSpanObserver(seriesMetrics.observeSpans);
  const search = startSearch({
    config: config.search,
    unflushed: traces.ingester,
    blocks: traces.blocklist,
    lookups: traces.finder,
  });

  let ready = false;
  const api = await buildApiApp({
    multitenancyEnabled: config.multitenancyEnabled,
    clientConfig: { logs: config.logs.client, metrics: config.metrics.client },
    finder: traces.finder,
    overrides,
    metrics,
    logger,
    version: LOUPE_VERSION,
    isReady: () => ready,
    notReadyReason: () => traces.ingester.backendFailure(),
    webDistDir: options.webDistDir ?? WEB_DIST,
    routes: [search.routes, logs.routes, seriesMetrics.routes],
  });
  const httpPort = await listenApp(
    api,
    config.server.httpListenAddress || '0.0.0.0',
    config.server.httpListenPort,
  );
  const receivers = await startReceivers({
    receivers: config.receivers,
    multitenancyEnabled: config.multitenancyEnabled,
    distributor: traces.distributor,
    sinks: { logs: logs.sink, metrics: seriesMetrics.sink },
    logger,
  });

  const retention = new RetentionSchedule(
    [
      { name: 'blocks', applyRetention: (now) => traces.applyRetention(now) },
      { name: 'logs', applyRetention: (now) => logs.applyRetention(now) },
      { name: 'metrics', applyRetention: (now) => seriesMetrics.applyRetention(now) },
    ],
    { everyMs: RETENTION_EVERY_MS, log: child('retention') },
  );
  retention.start();
  const signalTick = startSignalTick([logs, seriesMetrics], logger);
  ready = true;
  const ports = { http: httpPort, ...receivers.ports };
  logger.info({ ports, source: config.source }, 'Loupe started');

  return {
    ports,
    ingester: traces.ingester,
    blocklist: traces.blocklist,
    metrics,
    logs,
    seriesMetrics,
    compact: (nowMs = Date.now()) => traces.compact(nowMs),
    async stop() {
      ready = false;
      signalTick.stop();
      overridesFile?.stop();
      await Promise.all([receivers.close(), api.close(), retention.stop()]);
      await Promise.all([traces.stop(), logs.stop(), seriesMetrics.stop()]);
    },
  };
}

/** Every second, each signal's `tick`; a tick still running when the next is due is skipped. */
function startSignalTick(signals: { tick(now: number): Promise<void> }[], logger: Logger): { stop(): void } {
  let ticking = false;
  const timer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    const now = Date.now();
    Promise.all(signals.map((s) => s.tick(now)))
      .catch((err) => logger.error({ err }, 'logs/metrics tick failed'))
      .finally(() => {
        ticking = false;
      });
  }, SIGNAL_TICK_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
