import type { Logger } from 'pino';
import type { Distributor } from '../../distributor/distributor';
import type { HttpServerLimits } from '../../http-util/listener-limits';
import type { SelfMetrics } from '../../self-metrics/self-metrics';
import type { AuthConfig } from '../../tenancy/auth-config';
import { startListeners } from '../receiver-listeners';
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
  const ingest = { multitenancyEnabled, auth, distributor, logger };
  // A port in use: what did start is stopped, so a failed start leaves nothing listening.
  const running = await startListeners<keyof RunningJaegerReceivers['ports']>(deps, async (listen) => {
    if (config.thriftHttp) {
      const { maxRequestBodyBytes } = config.thriftHttp;
      const app = await buildJaegerThriftHttpApp({ ...ingest, maxRequestBodyBytes });
      await listen.http('jaegerThriftHttp', app, config.thriftHttp, 'jaeger_thrift_http');
    }
    if (config.grpc) {
      const server = createJaegerGrpcServer({
        ...ingest,
        maxRecvMsgBytes: config.grpc.maxRecvMsgBytes,
        readTimeoutMs: limits.readTimeoutMs,
        onReadTimeout: listen.readTimedOut('jaeger_grpc'),
      });
      await listen.grpc('jaegerGrpc', server, config.grpc);
    }
  });
  logger.info({ ports: running.ports }, 'Jaeger receivers started');
  return running;
}
