import cors from '@fastify/cors';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { AuthConfig } from '../tenancy/auth-config';
import { httpTenancy } from '../tenancy/http-tenancy';
import { gunzipBody } from './gzip-body';
import { type ClassifiedIngestError, classifyIngestError } from './ingest-error';

export interface ReceiverHttpAppOptions {
  /** The `component` of the app's log lines. */
  component: string;
  logger: Logger;
  /** `max_request_body_size`, after inflating a gzipped body. */
  maxRequestBodyBytes: number;
  multitenancyEnabled: boolean;
  /** `auth:`: every request must carry a tenant's credentials (`Authorization`). */
  auth?: AuthConfig;
  /** The Content-Types whose bodies are read, as bytes (`'*'`: any); others are refused 415. */
  contentTypes: string | string[];
  /** `cors.allowed_origins`; none: no CORS headers. */
  corsAllowedOrigins?: string[];
  /**
   * Sends the refusal's body in the receiver's own format; the status, `Retry-After` and the log
   * line are already done.
   */
  sendRefusal(reply: FastifyReply, refusal: ClassifiedIngestError, request: FastifyRequest): FastifyReply;
  /**
   * The error to classify in place of one of Fastify's, where the receiver words it as its
   * reference implementation does. Default: the error itself.
   */
  refusalOf?: (err: FastifyError, request: FastifyRequest) => Error;
}

/**
 * The HTTP server every receiver (OTLP, Zipkin, Jaeger `thrift_http`) is built on, as the
 * Collector's `confighttp` server is: bodies read as bytes (each route decodes its own), gzip
 * inflated with the body limit applied to the inflated size, optional CORS, the tenant and
 * `auth:` from the shared plugin. Every error is answered with the status of the one classifier
 * (`classifyIngestError`), a `Retry-After` when it suggests one, and a log line: an error for the
 * server's fault, info for a refusal. The caller adds its routes.
 */
export async function buildReceiverHttpApp(options: ReceiverHttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: options.component }) as FastifyBaseLogger,
    bodyLimit: options.maxRequestBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
  });
  const origins = options.corsAllowedOrigins ?? [];
  if (origins.length > 0) {
    // Before the tenancy: a refusal of credentials must carry the CORS headers too.
    await app.register(cors, {
      origin: originMatchers(origins),
      methods: ['POST'],
      allowedHeaders: [
        'Content-Type',
        'Content-Encoding',
        'X-Scope-OrgID',
        ...(options.auth ? ['Authorization'] : []),
      ],
    });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(options.contentTypes, { parseAs: 'buffer' }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('preParsing', gunzipBody);
  const refusalOf = options.refusalOf ?? ((err: FastifyError) => err);
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const refusal = classifyIngestError(refusalOf(err, request));
    if (refusal.httpStatus >= 500) request.log.error({ err }, 'ingest failed');
    else request.log.info({ code: err.code, msg: refusal.message }, 'ingest refused');
    reply.code(refusal.httpStatus);
    if (refusal.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(Math.ceil(refusal.retryAfterSeconds)));
    return options.sendRefusal(reply, refusal, request);
  });
  await app.register(httpTenancy, { multitenancyEnabled: options.multitenancyEnabled, auth: options.auth });
  return app;
}

/** Turns `cors.allowed_origins` (exact origins, `*`, or `https://*.example.com`) into matchers. */
function originMatchers(origins: string[]): (string | RegExp)[] | boolean {
  if (origins.includes('*')) return true;
  return origins.map((origin) => {
    if (!origin.includes('*')) return origin;
    const escaped = origin.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
    return new RegExp(`^${escaped}$`);
  });
}

/** The request's body is protobuf (else JSON), as OTLP/HTTP and Zipkin tell them apart. */
export function isProtobufBody(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.includes('protobuf');
}
