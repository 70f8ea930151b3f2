import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import { resolveTenant } from '../distributor/tenant';
import { encodeExportResponseProtobuf } from './export-response';

export interface OtlpGrpcDeps {
  distributor: Distributor;
  multitenancyEnabled: boolean;
  maxRecvMsgBytes: number;
  logger: Logger;
}

const identity = (b: Buffer): Buffer => b;

/** Messages stay raw bytes: the distributor's own reader decodes them (the hot path). */
const traceService: grpc.ServiceDefinition = {
  Export: {
    path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

function toServiceError(err: Error & { code?: string; statusCode?: number }): Partial<grpc.ServiceError> {
  let code = grpc.status.UNAVAILABLE;
  if (err.code === 'LOUPE_ERR_TENANT') {
    code = err.statusCode === 401 ? grpc.status.UNAUTHENTICATED : grpc.status.INVALID_ARGUMENT;
  } else if (err.code === 'LOUPE_ERR_OTLP_DECODE' || err.code === 'LOUPE_ERR_NO_VALID_SPANS') {
    code = grpc.status.INVALID_ARGUMENT;
  } else if (err.code === 'LOUPE_ERR_POOL_FULL') code = grpc.status.UNAVAILABLE;
  else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    code = grpc.status.INVALID_ARGUMENT;
  }
  return { code, details: err.message, message: err.message };
}

/** The OTLP/gRPC receiver (:4317): `TraceService/Export`; gzip is handled by grpc-js. */
export function createOtlpGrpcServer(deps: OtlpGrpcDeps): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': deps.maxRecvMsgBytes,
  });
  const log = deps.logger.child({ component: 'otlp-grpc' });
  server.addService(traceService, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      const orgId = call.metadata.get('x-scope-orgid').map(String);
      Promise.resolve()
        .then(() => resolveTenant(orgId.length > 0 ? orgId : undefined, deps.multitenancyEnabled))
        .then((tenantId) => deps.distributor.pushTraces(tenantId, call.request))
        .then((outcome) => {
          const partial =
            outcome.rejectedSpans > 0
              ? { rejectedSpans: outcome.rejectedSpans, errorMessage: outcome.message ?? '' }
              : undefined;
          callback(null, encodeExportResponseProtobuf('traces', partial));
        })
        .catch((err: Error) => {
          const serviceError = toServiceError(err);
          if (serviceError.code === grpc.status.UNAVAILABLE) log.error({ err }, 'ingest failed');
          callback(serviceError);
        });
    },
  });
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
