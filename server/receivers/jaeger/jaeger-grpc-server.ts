import type * as grpc from '@grpc/grpc-js';
import { createReceiverGrpcServer, type ReceiverGrpcDeps } from '../otlp-grpc';
import { pushTranslatedSpans } from '../push-translated-spans';
import { decodePostSpansRequest } from './proto-batch-decoder';
import { protoBatchToOtlp } from './translate-batch';

/** No `keepalive`: the Jaeger receiver has no such setting, and takes the gRPC defaults. */
export type JaegerGrpcDeps = Omit<ReceiverGrpcDeps, 'keepalive'>;

export const POST_SPANS_PATH = '/jaeger.api_v2.CollectorService/PostSpans';

/** `PostSpansResponse` has no fields: its encoding is empty. */
const POST_SPANS_RESPONSE = Buffer.alloc(0);

/**
 * The Jaeger Collector's `grpc` endpoint (:14250): `jaeger.api_v2.CollectorService/PostSpans`,
 * with the OTLP/gRPC receiver's tenancy (`x-scope-orgid` metadata), `auth:`, keepalive, read
 * deadline and refusals: INVALID_ARGUMENT for bad input (`decodePostSpansRequest` says what is
 * wrong), UNAUTHENTICATED / PERMISSION_DENIED for credentials and tenant, RESOURCE_EXHAUSTED (with
 * `google.rpc.RetryInfo`) for a rate limit, UNAVAILABLE for retry later. Spans the distributor
 * refused while storing the others are logged, not answered: `PostSpans` has no partial success.
 */
export function createJaegerGrpcServer(deps: JaegerGrpcDeps): grpc.Server {
  const { server, log, addUnaryMethod } = createReceiverGrpcServer(deps, 'jaeger-grpc');
  addUnaryMethod(POST_SPANS_PATH, async (tenantId, request) => {
    const resourceSpans = protoBatchToOtlp(decodePostSpansRequest(request));
    await pushTranslatedSpans(deps.distributor, tenantId, resourceSpans, log);
    return POST_SPANS_RESPONSE;
  });
  return server;
}
