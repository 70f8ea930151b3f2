import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LoupeConfig } from './config/types';
import { Distributor } from './distributor/distributor';
import { buildApiApp } from './http/api-app';
import { buildOtlpHttpApp } from './receivers/otlp-http';
import { Ingester } from './ingester/ingester';
import { type LogsModule, startLogs } from './logs/logs-module';
import { SelfMetrics } from './metrics/self-metrics';
import { createOtlpGrpcServer, listenGrpc } from './receivers/otlp-grpc';
import { TraceFinder } from './query/find-trace';
import { type MetricsModule, startMetrics } from './series/metrics-module';
import { LocalBackend } from './store/backend/local-backend';
import { BackendPool } from './store/backend/pool';
import { Blocklist } from './store/blocklist';
import { applyRetention } from './store/retention';
import { LOUPE_VERSION } from './version';

export interface RunningLoupe {
  ports: { http: number; otlpHttp?: number; otlpGrpc?: number };
  ingester: Ingester;
  blocklist: Blocklist;
  metrics: SelfMetrics;
  logs: LogsModule;
  seriesMetrics: MetricsModule;
  /** Graceful stop: refuse new pushes, flush what can be flushed, close listeners. */
  stop(): Promise<void>;
}

const WEB_DIST = fileURLToPath(new URL('../dist/web', import.meta.url));
const RETENTION_CHECK_MS = 60_000;
const SIGNAL_TICK_MS = 1_000;

export interface StartOptions {
  /** The built web UI; `dist/web` of the checkout by default. */
  webDistDir?: string;
}

/** Wires the stages together and opens the configured listeners. */
export async function startLoupe(
  config: LoupeConfig,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningLoupe> {
  const metrics = new SelfMetrics();
  const backend = new BackendPool(new LocalBackend(config.storage.localPath), config.storage.pool);
  const blocklist = new Blocklist(logger.child({ component: 'blocklist' }));
  await blocklist.load(backend);
  const ingester = new Ingester({
    config,
    backend,
    blocklist,
    logger: logger.child({ component: 'ingester' }),
    metrics,
  });
  let ready = false;
  await ingester.start();
  const finder = new TraceFinder({
    unflushed: ingester,
    blocks: blocklist,
    maxBytesPerTrace: () => config.overrides.maxBytesPerTrace,
    metrics,
  });
  const distributor = new Distributor(ingester, metrics);
  const moduleDeps = { config, backend, metrics };
  const logs = await startLogs({ ...moduleDeps, logger: logger.child({ component: 'logs' }) });
  const seriesMetrics = await startMetrics({ ...moduleDeps, logger: logger.child({ component: 'metrics' }) });
  distributor.addSpanObserver(seriesMetrics.observeSpans);
  const sinks = { logs: logs.sink, metrics: seriesMetrics.sink };

  const listeners: { close(): Promise<unknown> }[] = [];
  const ports: RunningLoupe['ports'] = { http: 0 };
  const host = config.server.httpListenAddress || '0.0.0.0';
  const api = await buildApiApp({
    config,
    finder,
    metrics,
    logger,
    version: LOUPE_VERSION,
    isReady: () => ready,
    webDistDir: options.webDistDir ?? WEB_DIST,
    routes: [logs.routes, seriesMetrics.routes],
  });
  ports.http = await listen(api, host, config.server.httpListenPort);
  listeners.push(api);

  let grpcServer: grpc.Server | undefined;
  const { grpc: grpcReceiver, http: httpReceiver } = config.receivers;
  if (httpReceiver) {
    const otlpHttp = await buildOtlpHttpApp({ config, distributor, logger, sinks });
    ports.otlpHttp = await listen(otlpHttp, httpReceiver.host, httpReceiver.port);
    listeners.push(otlpHttp);
  }
  if (grpcReceiver) {
    grpcServer = createOtlpGrpcServer({
      distributor,
      multitenancyEnabled: config.multitenancyEnabled,
      maxRecvMsgBytes: grpcReceiver.maxRecvMsgBytes,
      logger,
      sinks,
    });
    ports.otlpGrpc = await listenGrpc(grpcServer, grpcReceiver.host, grpcReceiver.port);
  }

  const retentionTimer = setInterval(() => {
    applyRetention(backend, blocklist, { retentionMs: config.compactor.blockRetentionMs, now: Date.now() })
      .then((deleted) => {
        if (deleted.length > 0) logger.info({ deleted: deleted.length }, 'retention deleted blocks');
      })
      .catch((err) => logger.error({ err }, 'retention failed'));
  }, RETENTION_CHECK_MS);
  retentionTimer.unref();
  let ticking = false;
  const signalTimer = setInterval(() => {
    if (ticking) return;
    ticking = true;
    const now = Date.now();
    Promise.all([logs.tick(now), seriesMetrics.tick(now)])
      .catch((err) => logger.error({ err }, 'logs/metrics tick failed'))
      .finally(() => {
        ticking = false;
      });
  }, SIGNAL_TICK_MS);
  signalTimer.unref();
  ready = true;
  logger.info({ ports, source: config.source }, 'Loupe started');

  return {
    ports,
    ingester,
    blocklist,
    metrics,
    logs,
    seriesMetrics,
    async stop() {
      ready = false;
      clearInterval(retentionTimer);
      clearInterval(signalTimer);
      const grpcClosed = grpcServer
        ? new Promise<void>((resolve) => grpcServer!.tryShutdown(() => resolve()))
        : Promise.resolve();
      await Promise.all([grpcClosed, ...listeners.map((l) => l.close())]);
      await Promise.all([ingester.stop(), logs.stop(), seriesMetrics.stop()]);
    },
  };
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}
