import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import { encodeExportResponseProtobuf, encodeStatusProtobuf } from '../otlp/export-response';
import type { OtlpSignal } from '../otlp/otlp-json';
import { Authenticator } from '../tenancy/auth';
import type { AuthConfig } from '../tenancy/auth-config';
import { grpcTenant } from '../tenancy/grpc-tenancy';
import { type ExportHandler, exportHandlers } from './export-handlers';
import {
  GRPC_KEEPALIVE_DEFAULTS,
  type GrpcKeepalive,
  keepaliveOptions,
  requestReadDeadline,
} from './grpc-limits';
import { classifyIngestError } from './ingest-error';
import type { SignalSinks } from './signal-sink';

export interface OtlpGrpcDeps {
  distributor: Distributor;
  multitenancyEnabled: boolean;
  /** `auth:`: every call must carry a tenant's credentials in its `authorization` metadata. */
  auth?: AuthConfig;
  maxRecvMsgBytes: number;
  /** `keepalive.server_parameters`: how long idle and old connections live. */
  keepalive?: GrpcKeepalive;
  /** `server.http_server_read_timeout`: a call's request must arrive in full within this (0: no limit). */
  readTimeoutMs?: number;
  /** Hears of every call answered DEADLINE_EXCEEDED for a request that did not arrive in time. */
  onReadTimeout?: () => void;
  logger: Logger;
  /** Logs and metrics services are registered only when their sink exists. */
  sinks?: SignalSinks;
}

const identity = (b: Buffer): Buffer => b;

const SERVICE_PATHS: Record<OtlpSignal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

/** Messages stay raw bytes: each signal's own reader decodes them (the hot path). */
function exportService(signal: OtlpSignal): grpc.ServiceDefinition {
  return {
    Export: {
      path: SERVICE_PATHS[signal],
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

/**
 * The gRPC answer to an ingest error, from the classifier both receivers share. A retryable
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

/** The OTLP/gRPC receiver (:4317): `TraceService`, `LogsService`, `MetricsService` Export; gzip is handled by grpc-js. */
export function createOtlpGrpcServer(deps: OtlpGrpcDeps): grpc.Server {
  const readTimeoutMs = deps.readTimeoutMs ?? 0;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': deps.maxRecvMsgBytes,
    ...keepaliveOptions(deps.keepalive ?? GRPC_KEEPALIVE_DEFAULTS),
    interceptors: readTimeoutMs > 0 ? [requestReadDeadline(readTimeoutMs, () => deps.onReadTimeout?.())] : [],
  });
  const log = deps.logger.child({ component: 'otlp-grpc' });
  const authenticator = deps.auth && new Authenticator(deps.auth);
  const addExport = (signal: OtlpSignal, push: ExportHandler) => {
    server.addService(exportService(signal), {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        Promise.resolve()
          .then(() => grpcTenant(call.metadata, deps.multitenancyEnabled, authenticator))
          .then((tenantId) => push(tenantId, call.request))
          .then((partial) => callback(null, encodeExportResponseProtobuf(signal, partial)))
          .catch((err: Error) => {
            const serviceError = toServiceError(err);
            if (serviceError.code === grpc.status.UNAVAILABLE) log.error({ err, signal }, 'ingest failed');
            callback(serviceError);
          });
      },
    });
  };
  for (const [signal, handler] of exportHandlers(deps.distributor, deps.sinks)) addExport(signal, handler);
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
