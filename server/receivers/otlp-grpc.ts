import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { encodeExportResponseProtobuf, encodeStatusProtobuf } from '../otlp/export-response';
import type { OtlpSignal } from '../otlp/otlp-json';
import { Authenticator } from '../tenancy/auth';
import { grpcTenant } from '../tenancy/grpc-tenancy';
import { exportHandlers } from './export-handlers';
import {
  GRPC_KEEPALIVE_DEFAULTS,
  type GrpcKeepalive,
  keepaliveOptions,
  requestReadDeadline,
} from './grpc-limits';
import { classifyIngestError } from './ingest-error';
import type { ReceiverIngestDeps } from './receiver-deps';
import type { SignalSinks } from './signal-sink';

/** What every gRPC receiver (OTLP, Jaeger) is built from. */
/** Credentials travel in a call's `authorization` metadata. */
export interface ReceiverGrpcDeps extends Omit<ReceiverIngestDeps, 'logger'> {
  maxRecvMsgBytes: number;
  /** `keepalive.server_parameters`: how long idle and old connections live. */
  keepalive?: GrpcKeepalive;
  /** `server.http_server_read_timeout`: a call's request must arrive in full within this (0: no limit). */
  readTimeoutMs?: number;
  /** Hears of every call answered DEADLINE_EXCEEDED for a request that did not arrive in time. */
  onReadTimeout?: () => void;
  logger: Logger;
}

export interface OtlpGrpcDeps extends ReceiverGrpcDeps {
  /** Logs and metrics services are registered only when their sink exists. */
  sinks?: SignalSinks;
}

const SERVICE_PATHS: Record<OtlpSignal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

/**
 * The gRPC answer to an ingest error, from the classifier all receivers share. A retryable
 * refusal with a suggested delay carries `google.rpc.RetryInfo` in `grpc-status-details-bin`.
 */
function toServiceError(err: Error & { code?: string; statusCode?: number }): Partial<grpc.ServiceError> {
  const classified = classifyIngestError(err);
  const metadata = new grpc.Metadata();
  if (classified.retryAfterSeconds !== undefined) {
    metadata.set(
      'grpc-status-details-bin',
      encodeStatusProtobuf(classified.grpcCode, classified.message, classified.retryAfterSeconds),
    );
  }
  return { code: classified.grpcCode, details: classified.message, message: classified.message, metadata };
}

/** Takes a call's tenant and raw request; resolves with the raw response. */
export type TenantCallHandler = (tenantId: string, request: Buffer) => Promise<Buffer>;

export interface ReceiverGrpcServer {
  server: grpc.Server;
  /** The logger of the server's `component`. */
  log: Logger;
  /**
   * Serves the unary method at `path` (`/package.Service/Method`). Its messages stay raw bytes:
   * each receiver's own reader decodes them (the hot path). The tenant comes from the metadata
   * (`x-scope-orgid`, and with `auth:` the credentials) before `handle` runs; an error is
   * answered by `toServiceError`, and logged when it is the server's fault (UNAVAILABLE).
   */
  addUnaryMethod(path: string, handle: TenantCallHandler, logFields?: Record<string, string>): void;
}

const identity = (b: Buffer): Buffer => b;

/**
 * A gRPC server with the receivers' limits (`max_recv_msg_size`, keepalive, the read deadline)
 * and tenancy; the caller adds its methods. gzip is handled by grpc-js.
 */
export function createReceiverGrpcServer(deps: ReceiverGrpcDeps, component: string): ReceiverGrpcServer {
  const readTimeoutMs = deps.readTimeoutMs ?? 0;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': deps.maxRecvMsgBytes,
    ...keepaliveOptions(deps.keepalive ?? GRPC_KEEPALIVE_DEFAULTS),
    interceptors: readTimeoutMs > 0 ? [requestReadDeadline(readTimeoutMs, () => deps.onReadTimeout?.())] : [],
  });
  const log = deps.logger.child({ component });
  const authenticator = deps.auth && new Authenticator(deps.auth);
  const addUnaryMethod = (
    path: string,
    handle: TenantCallHandler,
    logFields: Record<string, string> = {},
  ) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const definition: grpc.MethodDefinition<Buffer, Buffer> = {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    };
    const call = (unary: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      Promise.resolve()
        .then(() => grpcTenant(unary.metadata, deps.multitenancyEnabled, authenticator))
        .then((tenantId) => handle(tenantId, unary.request))
        .then((response) => callback(null, response))
        .catch((err: Error) => {
          const serviceError = toServiceError(err);
          if (serviceError.code === grpc.status.UNAVAILABLE)
            log.error({ err, ...logFields }, 'ingest failed');
          callback(serviceError);
        });
    };
    server.addService({ [name]: definition }, { [name]: call });
  };
  return { server, log, addUnaryMethod };
}

/** The OTLP/gRPC receiver (:4317): `TraceService`, `LogsService`, `MetricsService` Export. */
export function createOtlpGrpcServer(deps: OtlpGrpcDeps): grpc.Server {
  const { server, addUnaryMethod } = createReceiverGrpcServer(deps, 'otlp-grpc');
  for (const [signal, push] of exportHandlers(deps.distributor, deps.sinks)) {
    const exportCall = async (tenantId: string, request: Buffer) =>
      encodeExportResponseProtobuf(signal, await push(tenantId, request));
    addUnaryMethod(SERVICE_PATHS[signal], exportCall, { signal });
  }
  return server;
}

/** Binds and resolves with the bound port (useful with port 0 in tests). */
export function listenGrpc(server: grpc.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (err, bound) =>
      err ? reject(err) : resolve(bound),
    );
  });
}
