import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Distributor } from '../../distributor/distributor';
import { encodeStatusProtobuf } from '../../otlp/export-response';
import { Authenticator } from '../../tenancy/auth';
import type { AuthConfig } from '../../tenancy/auth-config';
import { grpcTenant } from '../../tenancy/grpc-tenancy';
import { GRPC_KEEPALIVE_DEFAULTS, keepaliveOptions, requestReadDeadline } from '../grpc-limits';
import { classifyIngestError } from '../ingest-error';
import { decodePostSpansRequest } from './proto-batch-decoder';
import { pushJaegerSpans } from './push-jaeger-spans';
import { protoBatchToOtlp } from './translate-batch';

export interface JaegerGrpcDeps {
  distributor: Distributor;
  multitenancyEnabled: boolean;
  /** `auth:`: every call must carry a tenant's credentials in its `authorization` metadata. */
  auth?: AuthConfig;
  maxRecvMsgBytes: number;
  /** `server.http_server_read_timeout`: a call's request must arrive in full within this (0: no limit). */
  readTimeoutMs?: number;
  onReadTimeout?: () => void;
  logger: Logger;
}

export const POST_SPANS_PATH = '/jaeger.api_v2.CollectorService/PostSpans';

const identity = (b: Buffer): Buffer => b;
/** `PostSpansResponse` has no fields: its encoding is empty. */
const POST_SPANS_RESPONSE = Buffer.alloc(0);

/** The request stays raw bytes: `decodePostSpansRequest` decodes it and says what is wrong. */
const COLLECTOR_SERVICE: grpc.ServiceDefinition = {
  PostSpans: {
    path: POST_SPANS_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/**
 * The gRPC answer to an ingest error, from the classifier the OTLP receivers share (as
 * `otlp-grpc.ts` answers): INVALID_ARGUMENT for bad input, UNAUTHENTICATED / PERMISSION_DENIED
 * for credentials and tenant, RESOURCE_EXHAUSTED (with `google.rpc.RetryInfo`) for a rate limit,
 * UNAVAILABLE for retry later.
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

/**
 * The Jaeger Collector's `grpc` endpoint (:14250): `jaeger.api_v2.CollectorService/PostSpans`.
 * Tenancy (`x-scope-orgid` metadata), `auth:`, keepalive and the read deadline as the OTLP/gRPC
 * receiver; gzip is handled by grpc-js.
 */
export function createJaegerGrpcServer(deps: JaegerGrpcDeps): grpc.Server {
  const readTimeoutMs = deps.readTimeoutMs ?? 0;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': deps.maxRecvMsgBytes,
    ...keepaliveOptions(GRPC_KEEPALIVE_DEFAULTS),
    interceptors: readTimeoutMs > 0 ? [requestReadDeadline(readTimeoutMs, () => deps.onReadTimeout?.())] : [],
  });
  const log = deps.logger.child({ component: 'jaeger-grpc' });
  const authenticator = deps.auth && new Authenticator(deps.auth);
  server.addService(COLLECTOR_SERVICE, {
    PostSpans: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      Promise.resolve()
        .then(() => grpcTenant(call.metadata, deps.multitenancyEnabled, authenticator))
        .then((tenantId) => {
          const resourceSpans = protoBatchToOtlp(decodePostSpansRequest(call.request));
          return pushJaegerSpans(deps.distributor, tenantId, resourceSpans, log);
        })
        .then(() => callback(null, POST_SPANS_RESPONSE))
        .catch((err: Error) => {
          const serviceError = toServiceError(err);
          if (serviceError.code === grpc.status.UNAVAILABLE) log.error({ err }, 'Jaeger ingest failed');
          callback(serviceError);
        });
    },
  });
  return server;
}
