import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import { listenApp } from '../http-util/listen';
import { droppedConnections, type HttpServerLimits } from '../http-util/listener-limits';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { AuthConfig } from '../tenancy/auth-config';
import type { GrpcKeepalive } from './grpc-limits';
import { createOtlpGrpcServer, listenGrpc } from './otlp-grpc';
import { buildOtlpHttpApp, type OtlpHttpReceiverConfig } from './otlp-http';
import type { SignalSinks } from './signal-sink';

/** `distributor.receivers.otlp.protocols`: each receiver present is started. */
export interface ReceiversConfig {
  http?: OtlpHttpReceiverConfig & { host: string; port: number };
  grpc?: { host: string; port: number; maxRecvMsgBytes: number; keepalive?: GrpcKeepalive };
}

export interface RunningReceivers {
  ports: { otlpHttp?: number; otlpGrpc?: number };
  /** Stops taking requests; calls under way finish. */
  close(): Promise<void>;
}

/** Starts the configured OTLP receivers, both answering through the same handlers and classifier. */
export async function startReceivers(deps: {
  receivers: ReceiversConfig;
  multitenancyEnabled: boolean;
  /** `auth:`: both receivers ask every request for a tenant's credentials. */
  auth?: AuthConfig;
  distributor: Distributor;
  sinks: SignalSinks;
  logger: Logger;
  /** `server.http_server_*` and `http_listen_conn_limit`: both receivers' timeouts, the HTTP one's cap. */
  limits: HttpServerLimits;
  metrics: SelfMetrics;
}): Promise<RunningReceivers> {
  const { receivers, multitenancyEnabled, auth, distributor, sinks, logger, limits } = deps;
  const dropped = droppedConnections(deps.metrics);
  const ports: RunningReceivers['ports'] = {};
  const closers: (() => Promise<unknown>)[] = [];
  if (receivers.http) {
    const app = await buildOtlpHttpApp({
      receiver: receivers.http,
      multitenancyEnabled,
      auth,
      distributor,
      logger,
      sinks,
    });
    ports.otlpHttp = await listenApp(app, receivers.http.host, receivers.http.port, {
      limits,
      onDrop: (reason) => dropped.inc({ listener: 'otlp_http', reason }),
    });
    closers.push(() => app.close());
  }
  if (receivers.grpc) {
    const server: grpc.Server = createOtlpGrpcServer({
      distributor,
      multitenancyEnabled,
      auth,
      maxRecvMsgBytes: receivers.grpc.maxRecvMsgBytes,
      keepalive: receivers.grpc.keepalive,
      readTimeoutMs: limits.readTimeoutMs,
      onReadTimeout: () => dropped.inc({ listener: 'otlp_grpc', reason: 'read_timeout' }),
      logger,
      sinks,
    });
    ports.otlpGrpc = await listenGrpc(server, receivers.grpc.host, receivers.grpc.port);
    closers.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  }
  return {
    ports,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
