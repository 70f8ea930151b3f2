import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import { listenApp } from '../http-util/listen';
import { droppedConnections, type HttpServerLimits } from '../http-util/listener-limits';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { AuthConfig } from '../tenancy/auth-config';
import type { GrpcKeepalive } from './grpc-limits';
import { type JaegerReceiversConfig, startJaegerReceivers } from './jaeger/start-jaeger-receivers';
import { createOtlpGrpcServer, listenGrpc } from './otlp-grpc';
import { buildOtlpHttpApp, type OtlpHttpReceiverConfig } from './otlp-http';
import type { SignalSinks } from './signal-sink';
import { buildZipkinApp, type ZipkinReceiverConfig } from './zipkin/zipkin-http';

/**
 * `distributor.receivers`: each receiver present is started. `http` and `grpc` are OTLP's
 * (`otlp.protocols`); `jaeger` starts the protocols it lists.
 */
export interface ReceiversConfig {
  http?: OtlpHttpReceiverConfig & { host: string; port: number };
  grpc?: { host: string; port: number; maxRecvMsgBytes: number; keepalive?: GrpcKeepalive };
  zipkin?: ZipkinReceiverConfig;
  jaeger?: JaegerReceiversConfig;
}

export interface RunningReceivers {
  /** The bound port of each receiver started. */
  ports: {
    otlpHttp?: number;
    otlpGrpc?: number;
    zipkin?: number;
    jaegerThriftHttp?: number;
    jaegerGrpc?: number;
  };
  /** Stops taking requests; calls under way finish. */
  close(): Promise<void>;
}

/**
 * Starts the configured receivers. All of them push traces through the same distributor and
 * answer refusals through the same classifier; the Jaeger and Zipkin ones convert to OTLP first.
 */
export async function startReceivers(deps: {
  receivers: ReceiversConfig;
  multitenancyEnabled: boolean;
  /** `auth:`: every receiver asks every request for a tenant's credentials. */
  auth?: AuthConfig;
  distributor: Distributor;
  sinks: SignalSinks;
  logger: Logger;
  /** `server.http_server_*` and `http_listen_conn_limit`: every receiver's timeouts, the HTTP ones' cap. */
  limits: HttpServerLimits;
  metrics: SelfMetrics;
}): Promise<RunningReceivers> {
  const { receivers, multitenancyEnabled, auth, distributor, sinks, logger, limits } = deps;
  const dropped = droppedConnections(deps.metrics);
  const ports: RunningReceivers['ports'] = {};
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    await Promise.all(closers.map((closeOne) => closeOne()));
  };
  try {
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
    if (receivers.zipkin) {
      const app = await buildZipkinApp({
        receiver: receivers.zipkin,
        multitenancyEnabled,
        auth,
        distributor,
        logger,
      });
      ports.zipkin = await listenApp(app, receivers.zipkin.host, receivers.zipkin.port, {
        limits,
        onDrop: (reason) => dropped.inc({ listener: 'zipkin', reason }),
      });
      closers.push(() => app.close());
    }
    if (receivers.jaeger) {
      const jaeger = await startJaegerReceivers(receivers.jaeger, {
        multitenancyEnabled,
        auth,
        distributor,
        logger,
        limits,
        metrics: deps.metrics,
      });
      Object.assign(ports, jaeger.ports);
      closers.push(() => jaeger.close());
    }
  } catch (err) {
    // A receiver that cannot start (a port in use) must not leave the others listening.
    await close();
    throw err;
  }
  return { ports, close };
}
