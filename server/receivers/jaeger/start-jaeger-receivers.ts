import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Distributor } from '../../distributor/distributor';
import { listenApp } from '../../http-util/listen';
import { droppedConnections, type HttpServerLimits } from '../../http-util/listener-limits';
import type { SelfMetrics } from '../../self-metrics/self-metrics';
import type { AuthConfig } from '../../tenancy/auth-config';
import { listenGrpc } from '../otlp-grpc';
import { createJaegerGrpcServer } from './jaeger-grpc-server';
import { buildJaegerThriftHttpApp } from './thrift-http-app';

/** `distributor.receivers.jaeger.protocols`: each protocol present is started. */
export interface JaegerReceiversConfig {
  /** `thrift_http` (Collector default :14268): `POST /api/traces`, Thrift binary `Batch`. */
  thriftHttp?: { host: string; port: number; maxRequestBodyBytes: number };
  /** `grpc` (Collector default :14250): `jaeger.api_v2.CollectorService/PostSpans`. */
  grpc?: { host: string; port: number; maxRecvMsgBytes: number };
}

export interface JaegerReceiverDeps {
  multitenancyEnabled: boolean;
  auth?: AuthConfig;
  distributor: Distributor;
  logger: Logger;
  limits: HttpServerLimits;
  metrics: SelfMetrics;
}

export interface RunningJaegerReceivers {
  ports: { jaegerThriftHttp?: number; jaegerGrpc?: number };
  close(): Promise<void>;
}

/**
 * Starts the configured Jaeger receivers; each converts to OTLP and pushes through the
 * distributor. The listeners take `server.http_server_*` timeouts and the connection cap as the
 * OTLP ones do; their drops are counted in `loupe_connections_dropped_total` under
 * `listener="jaeger_thrift_http"` and `"jaeger_grpc"`.
 */
export async function startJaegerReceivers(
  config: JaegerReceiversConfig,
  deps: JaegerReceiverDeps,
): Promise<RunningJaegerReceivers> {
  const { multitenancyEnabled, auth, distributor, logger, limits } = deps;
  const dropped = droppedConnections(deps.metrics);
  const ports: RunningJaegerReceivers['ports'] = {};
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    await Promise.all(closers.map((closeOne) => closeOne()));
  };
  try {
    if (config.thriftHttp) {
      const { host, port, maxRequestBodyBytes } = config.thriftHttp;
      const app = await buildJaegerThriftHttpApp({
        maxRequestBodyBytes,
        multitenancyEnabled,
        auth,
        distributor,
        logger,
      });
      closers.push(() => app.close());
      ports.jaegerThriftHttp = await listenApp(app, host, port, {
        limits,
        onDrop: (reason) => dropped.inc({ listener: 'jaeger_thrift_http', reason }),
      });
    }
    if (config.grpc) {
      const server: grpc.Server = createJaegerGrpcServer({
        distributor,
        multitenancyEnabled,
        auth,
        maxRecvMsgBytes: config.grpc.maxRecvMsgBytes,
        readTimeoutMs: limits.readTimeoutMs,
        onReadTimeout: () => dropped.inc({ listener: 'jaeger_grpc', reason: 'read_timeout' }),
        logger,
      });
      closers.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
      ports.jaegerGrpc = await listenGrpc(server, config.grpc.host, config.grpc.port);
    }
  } catch (err) {
    // A port in use: what did start is stopped, so a failed start leaves nothing listening.
    await close();
    throw err;
  }
  logger.info({ ports }, 'Jaeger receivers started');
  return { ports, close };
}
