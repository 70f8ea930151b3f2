import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { ReceiverIngestDeps } from '../receiver-deps';
import { addSpanRoute, buildSpanReceiverApp } from '../span-receiver-http';
import { decodeThriftBatch } from './thrift-batch-decoder';
import { thriftBatchToOtlp } from './translate-batch';

export interface JaegerThriftHttpDeps extends ReceiverIngestDeps {
  /** Largest body taken, after inflating a gzipped one. */
  maxRequestBodyBytes: number;
}

/** The Content-Types the Collector's `thrift_http` receiver takes (any parameters are ignored). */
const THRIFT_MEDIA_TYPES = new Set(['application/x-thrift', 'application/vnd.apache.thrift.binary']);

/** A Content-Type other than Thrift's: 400, as the Collector answers it. */
class UnsupportedContentTypeError extends Error {
  readonly statusCode = 400;
}

/** Why a request's Content-Type is refused; undefined when it is one of Thrift's. */
function contentTypeError(header: string | undefined): UnsupportedContentTypeError | undefined {
  const mediaType = (header ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType === '') {
    return new UnsupportedContentTypeError(
      'Cannot parse content type: no Content-Type; send application/x-thrift',
    );
  }
  if (THRIFT_MEDIA_TYPES.has(mediaType)) return undefined;
  return new UnsupportedContentTypeError(
    `Unsupported content type: ${mediaType}; send application/x-thrift (or application/vnd.apache.thrift.binary)`,
  );
}

/** A body without a Content-Type is refused by Fastify before the route's own check: the Collector's 400. */
function refusalOf(err: FastifyError, request: FastifyRequest): Error {
  if (err.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return err;
  return contentTypeError(request.headers['content-type']) ?? err;
}

/**
 * The Jaeger Collector's `thrift_http` endpoint (:14268): `POST /api/traces` with a Thrift
 * binary `Batch`, optionally gzipped; answered 202 Accepted with no body once the spans are
 * durable, as the Collector answers (with `N of M spans refused: …` as the body when the
 * distributor refused some of them), and refusals as plain text with the OTLP receivers' statuses.
 */
export async function buildJaegerThriftHttpApp(deps: JaegerThriftHttpDeps): Promise<FastifyInstance> {
  const app = await buildSpanReceiverApp({ ...deps, component: 'jaeger-thrift-http', refusalOf });
  addSpanRoute(app, deps.distributor, '/api/traces', (body, request) => {
    const badType = contentTypeError(request.headers['content-type']);
    if (badType) throw badType;
    return thriftBatchToOtlp(decodeThriftBatch(body));
  });
  return app;
}
