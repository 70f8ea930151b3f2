import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { RetentionSchedule } from './compactor/retention-schedule';
import type { LoupeConfig } from './config/types';
import { buildApiApp } from './http/api-app';
import { listenApp } from './http-util/listen';
import { droppedConnections } from './http-util/listener-limits';
import type { Ingester } from './ingester/ingester';
import { type LogsModule, startLogs } from './logs/logs-module';
import { type MetricsModule, startMetrics } from './metrics/metrics-module';
import { type RunningReceivers, startReceivers } from './receivers/start-receivers';
import { startSearch } from './search/search-module';
import { SelfMetrics } from './self-metrics/self-metrics';
import { openBackend } from './store/backend/create-backend';
import type { Blocklist } from './store/blocklist';
import { Overrides, watchPerTenantOverrides } from './tenancy/overrides';
import { startTraces } from './traces/traces-module';
import { LOUPE_VERSION } from './version';

export interface RunningLoupe {
  /** The API's port and each receiver's (`otlpHttp`, `otlpGrpc`, `zipkin`, `jaegerThriftHttp`, `jaegerGrpc`). */
  ports: { http: number } & RunningReceivers['ports'];
  /** The ingester (throws where the target runs none: querier, compactor). */
  ingester: Ingester;
  blocklist: Blocklist;
  metrics: SelfMetrics;
  /** The logs and metrics signals (they run where an ingester does: all, ingester). */
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
 * Composes Loupe from its modules: the shared backend and per-tenant overrides, the three
 * signals, the receivers and the :3200 API, one retention schedule on one clock, and one tick
 * for the signals' chunk cutting. `config.target` picks the parts (Tempo's `-target`): `all`
 * runs everything; `ingester` receives OTLP and flushes blocks, and serves its unflushed data to
 * queriers; `querier` answers the API and UI from the bucket and the ingesters; `compactor`
 * compacts and applies retention (docs/operations.md).
 */
export async function startLoupe(
  config: LoupeConfig,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningLoupe> {
  const child = (component: string) => logger.child({ component });
  const metrics = new SelfMetrics();
  const backend = await openBackend(config.storage, { logger: child('backend'), metrics });
  const overrides = new Overrides({
    ...config.overrides.tenantLimits,
    maxBytesPerTrace: config.overrides.maxBytesPerTrace,
    sampling: { policies: config.sampling.policies, dryRun: config.sampling.dryRun },
  });
  const overridesFile = config.overrides.perTenantFile
    ? await watchPerTenantOverrides(
        overrides,
        config.overrides.perTenantFile,
        config.overrides.perTenantPeriodMs,
        child('overrides'),
      )
    : undefined;

  const traces = await startTraces({ config, backend, overrides, metrics, logger });
  const { distributor } = traces;
  // Logs and metrics keep their recent data in the process that receives it: they run beside an ingester.
  const logs = distributor
    ? await startLogs({
        config: config.logs,
        maxPushBytes: config.receivers.http?.maxRequestBodyBytes,
        backend,
        metrics,
        logger: child('logs'),
      })
    : undefined;
  const seriesMetrics = distributor
    ? await startMetrics({
        config: config.metrics,
        backend,
        metrics,
        logger: child('metrics'),
        maxActiveSeries: (tenantId) => overrides.forTenant(tenantId).maxActiveSeries,
        isTraceDropped: traces.isTraceDropped,
      })
    : undefined;
  if (seriesMetrics) distributor?.addSpanObserver(seriesMetrics.observeSpans);
  const search = startSearch({
    config: config.search,
    unflushed: traces.unflushed,
    blocks: traces.blocklist,
    lookups: traces.finder,
    staleBlocks: traces.staleBlocks,
    limits: (tenantId) => overrides.forTenant(tenantId),
  });

  let ready = false;
  const api = await buildApiApp({
    multitenancyEnabled: config.multitenancyEnabled,
    auth: config.auth,
    clientConfig: { logs: config.logs.client, metrics: config.metrics.client },
    finder: traces.finder,
    traceByIdTimeoutMs: config.search.traceByIdTimeoutMs,
    explainMissingTrace: traces.explainMissingTrace,
    overrides,
    metrics,
    logger,
    version: LOUPE_VERSION,
    isReady: () => ready,
    notReadyReason: () => traces.ingester?.backendFailure(),
    webDistDir: options.webDistDir ?? WEB_DIST,
    routes: [search.routes, logs?.routes, seriesMetrics?.routes, traces.internalRoutes].filter(
      (routes) => routes !== undefined,
    ),
  });
  const dropped = droppedConnections(metrics);
  const httpPort = await listenApp(
    api,
    config.server.httpListenAddress || '0.0.0.0',
    config.server.httpListenPort,
    { limits: config.server.http, onDrop: (reason) => dropped.inc({ listener: 'api', reason }) },
  );
  const receivers =
    distributor && logs && seriesMetrics
      ? await startReceivers({
          receivers: config.receivers,
          multitenancyEnabled: config.multitenancyEnabled,
          auth: config.auth,
          distributor,
          sinks: { logs: logs.sink, metrics: seriesMetrics.sink },
          logger,
          limits: config.server.http,
          metrics,
        })
      : undefined;

  const signals = [logs, seriesMetrics].filter((signal) => signal !== undefined);
  const retained = [{ name: 'blocks', applyRetention: (now: number) => traces.applyRetention(now) }];
  if (logs) retained.push({ name: 'logs', applyRetention: (now) => logs.applyRetention(now) });
  if (seriesMetrics) {
    retained.push({ name: 'metrics', applyRetention: (now) => seriesMetrics.applyRetention(now) });
  }
  const retention = new RetentionSchedule(retained, { everyMs: RETENTION_EVERY_MS, log: child('retention') });
  retention.start();
  const signalTick = startSignalTick(signals, logger);
  ready = true;
  const ports = { http: httpPort, ...receivers?.ports };
  logger.info({ ports, target: config.target, source: config.source }, 'Loupe started');

  const present = <T>(part: T | undefined, what: string): T => {
    if (part === undefined) throw new Error(`a -target=${config.target} runs no ${what}`);
    return part;
  };
  return {
    ports,
    get ingester() {
      return present(traces.ingester, 'ingester');
    },
    blocklist: traces.blocklist,
    metrics,
    get logs() {
      return present(logs, 'logs module');
    },
    get seriesMetrics() {
      return present(seriesMetrics, 'metrics module');
    },
    compact: (nowMs = Date.now()) => traces.compact(nowMs),
    async stop() {
      ready = false;
      signalTick.stop();
      overridesFile?.stop();
      await Promise.all([receivers?.close(), api.close(), retention.stop()]);
      await Promise.all([traces.stop(), ...signals.map((signal) => signal.stop())]);
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
