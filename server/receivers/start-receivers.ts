import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import { listenApp } from '../http-util/listen';
import { createOtlpGrpcServer, listenGrpc } from './otlp-grpc';
import { buildOtlpHttpApp, type OtlpHttpReceiverConfig } from './otlp-http';
import type { SignalSinks } from './signal-sink';

/** `distributor.receivers.otlp.protocols`: each receiver present is started. */
export interface ReceiversConfig {
  http?: OtlpHttpReceiverConfig & { host: string; port: number };
  grpc?: { host: string; port: number; maxRecvMsgBytes: number };
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
  distributor: Distributor;
  sinks: SignalSinks;
  logger: Logger;
}): Promise<RunningReceivers> {
  const { receivers, multitenancyEnabled, distributor, sinks, logger } = deps;
  const ports: RunningReceivers['ports'] = {};
  const closers: (() => Promise<unknown>)[] = [];
  if (receivers.http) {
    const app = await buildOtlpHttpApp({
      receiver: receivers.http,
      multitenancyEnabled,
      distributor,
      logger,
      sinks,
    });
    ports.otlpHttp = await listenApp(app, receivers.http.host, receivers.http.port);
    closers.push(() => app.close());
  }
  if (receivers.grpc) {
    const server: grpc.Server = createOtlpGrpcServer({
      distributor,
      multitenancyEnabled,
      maxRecvMsgBytes: receivers.grpc.maxRecvMsgBytes,
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
