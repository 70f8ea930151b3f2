import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import type { HttpServerLimits } from '../http-util/listener-limits';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import type { AuthConfig } from '../tenancy/auth-config';
import type { GrpcKeepalive } from './grpc-limits';
import { type JaegerReceiversConfig, startJaegerReceivers } from './jaeger/start-jaeger-receivers';
import { createOtlpGrpcServer } from './otlp-grpc';
import { buildOtlpHttpApp, type OtlpHttpReceiverConfig } from './otlp-http';
import type { ReceiverIngestDeps } from './receiver-deps';
import { type RunningListeners, startListeners } from './receiver-listeners';
import type { SignalSinks } from './signal-sink';
import { buildZipkinApp, type ZipkinReceiverConfig } from './zipkin/zipkin-http';

/**
 * `distributor.receivers`: each receiver present is started. `http` and `grpc` are OTLP's
 * (`otlp.protocols`); `jaeger` starts the protocols it lists.
 */
export interface ReceiversConfig {
  http?: OtlpHttpReceiverConfig & { host: string; port: number };
  grpc?: { host: string; port: number; maxRecvMsgBytes: number; keepalive: GrpcKeepalive };
  zipkin?: ZipkinReceiverConfig;
  jaeger?: JaegerReceiversConfig;
}

/** The receivers' listeners, each by the name its bound port is reported under. */
type ReceiverName = 'otlpHttp' | 'otlpGrpc' | 'zipkin' | 'jaegerThriftHttp' | 'jaegerGrpc';

export type RunningReceivers = RunningListeners<ReceiverName>;

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
  const { receivers, sinks, limits } = deps;
  // What every receiver pushes with: the same tenancy, credentials, distributor and log.
  const ingest: ReceiverIngestDeps = {
    multitenancyEnabled: deps.multitenancyEnabled,
    auth: deps.auth,
    distributor: deps.distributor,
    logger: deps.logger,
  };
  // A receiver that cannot start (a port in use) must not leave the others listening.
  return startListeners<ReceiverName>(deps, async (listen) => {
    if (receivers.http) {
      const app = await buildOtlpHttpApp({ ...ingest, receiver: receivers.http, sinks });
      await listen.http('otlpHttp', app, receivers.http, 'otlp_http');
    }
    if (receivers.grpc) {
      const server = createOtlpGrpcServer({
        ...ingest,
        sinks,
        maxRecvMsgBytes: receivers.grpc.maxRecvMsgBytes,
        keepalive: receivers.grpc.keepalive,
        readTimeoutMs: limits.readTimeoutMs,
        onReadTimeout: listen.readTimedOut('otlp_grpc'),
      });
      await listen.grpc('otlpGrpc', server, receivers.grpc);
    }
    if (receivers.zipkin) {
      const app = await buildZipkinApp({ ...ingest, receiver: receivers.zipkin });
      await listen.http('zipkin', app, receivers.zipkin, 'zipkin');
    }
    if (receivers.jaeger) {
      await startJaegerReceivers(
        receivers.jaeger,
        { ...ingest, readTimeoutMs: limits.readTimeoutMs },
        listen,
      );
    }
  });
}
