import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { Distributor } from '../distributor/distributor';
import type { AuthConfig } from '../tenancy/auth-config';
import { httpTenancy } from '../tenancy/http-tenancy';
import { gunzipBody } from './gzip-body';
import { classifyIngestError } from './ingest-error';

/** What every HTTP receiver of a foreign span format (Zipkin, Jaeger `thrift_http`) is built from. */
export interface SpanReceiverHttpDeps {
  multitenancyEnabled: boolean;
  /** `auth:`: every request must carry a tenant's credentials (`Authorization`). */
  auth?: AuthConfig;
  distributor: Distributor;
  logger: Logger;
}

export interface SpanReceiverAppOptions extends SpanReceiverHttpDeps {
  /** The `component` of the app's log lines. */
  component: string;
  /** Largest body taken, after inflating a gzipped one. */
  maxRequestBodyBytes: number;
  /**
   * The refusal to answer for an error, where the receiver words one of Fastify's own as its
   * reference implementation does (Jaeger's 400 for a body without a Content-Type). Default: the
   * error itself.
   */
  refusalOf?: (err: FastifyError, request: FastifyRequest) => Error;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * A Fastify app set up as the Collector's Zipkin and Jaeger receivers are, with the OTLP
 * receivers' tenancy, limits and refusals: every body read as bytes whatever its Content-Type
 * (each route decides what it takes), gzip inflated with the body limit applied to the inflated
 * size, the tenant and `auth:` from the shared plugin. Errors are answered as those receivers
 * answer them (`http.Error`: the message as plain text), with the status of the classifier all
 * receivers share: 400 a malformed body, 401/403 credentials or tenant, 413 too large, 415 an
 * encoding other than gzip, 429 a rate limit and 503 retry later (both with Retry-After). The
 * caller adds its routes.
 */
export async function buildSpanReceiverApp(options: SpanReceiverAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: options.component }) as FastifyBaseLogger,
    bodyLimit: options.maxRequestBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('preParsing', gunzipBody);
  const refusalOf = options.refusalOf ?? ((err: FastifyError) => err);
  app.setErrorHandler((err: FastifyError, request, reply) =>
    replyWithTextError(refusalOf(err, request), err, request, reply),
  );
  await app.register(httpTenancy, { multitenancyEnabled: options.multitenancyEnabled, auth: options.auth });
  return app;
}

/** The request's body as bytes (none: empty). */
export function bodyBytes(request: FastifyRequest): Buffer {
  return (request.body as Buffer | undefined) ?? Buffer.alloc(0);
}

/** 202 Accepted: without a body, or with the `N of M spans refused: …` of a partial refusal. */
export function replyAccepted(reply: FastifyReply, refused: string | undefined): FastifyReply {
  reply.code(202);
  return refused ? reply.type(TEXT).send(refused) : reply.send();
}

function replyWithTextError(
  refusal: Error & { code?: string; statusCode?: number },
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const classified = classifyIngestError(refusal);
  if (classified.httpStatus >= 500) request.log.error({ err }, 'ingest failed');
  else request.log.info({ code: err.code, msg: classified.message }, 'ingest refused');
  reply.code(classified.httpStatus);
  if (classified.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.ceil(classified.retryAfterSeconds)));
  return reply.type(TEXT).send(classified.message);
}
