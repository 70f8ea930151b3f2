import type { Logger } from 'pino';
import type { Distributor } from '../../distributor/distributor';
import type { HttpServerLimits } from '../../http-util/listener-limits';
import type { SelfMetrics } from '../../self-metrics/self-metrics';
import type { AuthConfig } from '../../tenancy/auth-config';

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

/** Starts the configured Jaeger receivers; each converts to OTLP and pushes through the distributor. */
export async function startJaegerReceivers(
  config: JaegerReceiversConfig,
  deps: JaegerReceiverDeps,
): Promise<RunningJaegerReceivers> {
  void config;
  void deps;
  throw new Error('Jaeger receivers: not built yet');
}
