import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { Distributor } from '../../distributor/distributor';
import type { AuthConfig } from '../../tenancy/auth-config';
import { httpTenancy } from '../../tenancy/http-tenancy';
import { gunzipBody } from '../gzip-body';
import { classifyIngestError } from '../ingest-error';
import { pushJaegerSpans } from './push-jaeger-spans';
import { decodeThriftBatch } from './thrift-batch-decoder';
import { thriftBatchToOtlp } from './translate-batch';

export interface JaegerThriftHttpDeps {
  /** Largest body taken, after inflating a gzipped one. */
  maxRequestBodyBytes: number;
  multitenancyEnabled: boolean;
  /** `auth:`: every request must carry a tenant's credentials (`Authorization`). */
  auth?: AuthConfig;
  distributor: Distributor;
  logger: Logger;
}

const TEXT = 'text/plain; charset=utf-8';

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

/**
 * Errors as the Collector's Jaeger receiver writes them (`http.Error`: the message as plain
 * text), with the status from the classifier the OTLP receivers share: 400 a malformed body,
 * 401/403 credentials or tenant, 413 too large, 429 a rate limit (with Retry-After), 503 retry later.
 */
function replyWithJaegerError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A body without a Content-Type is refused by Fastify before the route's own check.
  const refusal =
    err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
      ? (contentTypeError(request.headers['content-type']) ?? err)
      : err;
  const classified = classifyIngestError(refusal);
  if (classified.httpStatus >= 500) request.log.error({ err }, 'Jaeger ingest failed');
  else request.log.info({ code: err.code, msg: classified.message }, 'Jaeger ingest refused');
  reply.code(classified.httpStatus);
  if (classified.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.ceil(classified.retryAfterSeconds)));
  return reply.type(TEXT).send(classified.message);
}

/**
 * The Jaeger Collector's `thrift_http` endpoint (:14268): `POST /api/traces` with a Thrift
 * binary `Batch`, optionally gzipped; answered 202 Accepted with no body once the spans are
 * durable, as the Collector answers (with `N of M spans refused: …` as the body when the
 * distributor refused some of them).
 */
export async function buildJaegerThriftHttpApp(deps: JaegerThriftHttpDeps): Promise<FastifyInstance> {
  const log = deps.logger.child({ component: 'jaeger-thrift-http' });
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: deps.maxRequestBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.removeAllContentTypeParsers();
  // Every body is read as bytes; the route checks the type, so a wrong one gets the Collector's 400.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('preParsing', gunzipBody);
  app.setErrorHandler(replyWithJaegerError);
  await app.register(httpTenancy, { multitenancyEnabled: deps.multitenancyEnabled, auth: deps.auth });

  app.post('/api/traces', async (request, reply) => {
    const tenantId = request.tenantId;
    const badType = contentTypeError(request.headers['content-type']);
    if (badType) throw badType;
    const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
    const resourceSpans = thriftBatchToOtlp(decodeThriftBatch(body));
    const refused = await pushJaegerSpans(deps.distributor, tenantId, resourceSpans, log);
    reply.code(202);
    return refused ? reply.type(TEXT).send(refused) : reply.send();
  });
  return app;
}
