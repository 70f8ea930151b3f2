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
import { countSpans, encodeExportTraceRequest } from './otlp-traces-writer';
import { parseZipkinJson } from './zipkin-json';
import { parseZipkinProtobuf } from './zipkin-proto';
import { ZipkinDecodeError } from './zipkin-span';
import { zipkinToOtlp } from './zipkin-to-otlp';

/** `distributor.receivers.zipkin`, as the receiver uses it. */
export interface ZipkinReceiverConfig {
  host: string;
  port: number;
  /** `max_request_body_size`, after inflating a gzipped body. */
  maxRequestBodyBytes: number;
  /** `parse_string_tags`: tags that look like integers, floats or booleans are stored as those. */
  parseStringTags: boolean;
}

export interface ZipkinHttpDeps {
  receiver: ZipkinReceiverConfig;
  multitenancyEnabled: boolean;
  /** `auth:`: every request must carry a tenant's credentials (`Authorization`). */
  auth?: AuthConfig;
  distributor: Distributor;
  logger: Logger;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * The Zipkin receiver (:9411): `POST /api/v2/spans` with Zipkin v2 JSON, or protobuf
 * (`ListOfSpans`) when the Content-Type says protobuf, optionally gzipped. Spans are converted to
 * OTLP as the Collector's receiver converts them and pushed through the distributor, so tenancy,
 * limits and refusals are the OTLP receivers': 202 (Zipkin's answer) when taken, also when some
 * spans were refused (the body then says which, as OTLP's `partial_success` would); otherwise the
 * classifier's status with the reason as plain text.
 */
export async function buildZipkinApp(deps: ZipkinHttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'zipkin' }) as FastifyBaseLogger,
    bodyLimit: deps.receiver.maxRequestBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.removeAllContentTypeParsers();
  // As the Collector: protobuf when the Content-Type says so, JSON whatever else it says.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('preParsing', gunzipBody);
  app.setErrorHandler(replyWithZipkinError);
  await app.register(httpTenancy, { multitenancyEnabled: deps.multitenancyEnabled, auth: deps.auth });

  const { parseStringTags } = deps.receiver;
  app.post('/api/v2/spans', async (request, reply) => {
    // The tenant first: a request without one is refused before its body is decoded.
    const tenantId = request.tenantId;
    const body = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
    const spans = isProtobufBody(request)
      ? parseZipkinProtobuf(body, request.headers['x-b3-flags'] === '1')
      : parseZipkinJson(body.toString('utf8'));
    const resourceSpans = zipkinToOtlp(spans, { parseStringTags });
    const total = countSpans(resourceSpans);
    // Zipkin takes an empty list; the distributor would call it a request with no valid spans.
    if (total === 0) return reply.code(202).send();
    const outcome = await deps.distributor.pushTraces(tenantId, encodeExportTraceRequest(resourceSpans));
    reply.code(202);
    if (outcome.rejectedSpans === 0) return reply.send();
    const message = `${outcome.rejectedSpans} of ${total} spans refused: ${outcome.message ?? 'invalid spans'}`;
    request.log.info({ tenantId, rejectedSpans: outcome.rejectedSpans, msg: message }, 'spans refused');
    return reply.type(TEXT).send(message);
  });
  app.post('/api/v1/spans', async () => {
    throw new ZipkinDecodeError(
      'Zipkin v1 spans are not accepted: send Zipkin v2 JSON or protobuf to /api/v2/spans',
    );
  });
  return app;
}

function isProtobufBody(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '').includes('protobuf');
}

/** The classifier's status (429 and 503 with Retry-After where retrying helps), the reason as text. */
function replyWithZipkinError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const classified = classifyIngestError(err);
  if (classified.httpStatus >= 500) request.log.error({ err }, 'ingest failed');
  else request.log.info({ code: err.code, msg: classified.message }, 'ingest refused');
  reply.code(classified.httpStatus);
  if (classified.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.ceil(classified.retryAfterSeconds)));
  return reply.type(TEXT).send(classified.message);
}
