import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Distributor } from '../distributor/distributor';
import type { OtlpResourceSpans } from '../otlp/otlp-traces-model';
import { pushTranslatedSpans } from './push-translated-spans';
import type { ReceiverIngestDeps } from './receiver-deps';
import { buildReceiverHttpApp, type ReceiverHttpAppOptions } from './receiver-http-app';

/** What every HTTP receiver of a foreign span format (Zipkin, Jaeger `thrift_http`) is built from. */
export type SpanReceiverAppOptions = ReceiverIngestDeps &
  Pick<ReceiverHttpAppOptions, 'component' | 'maxRequestBodyBytes' | 'refusalOf'>;

const TEXT = 'text/plain; charset=utf-8';

/**
 * A receiver app (`buildReceiverHttpApp`) set up as the Collector's Zipkin and Jaeger receivers
 * are: every body read as bytes whatever its Content-Type (each route decides what it takes), and
 * errors answered as those receivers answer them (`http.Error`: the message as plain text), with
 * the status of the classifier all receivers share: 400 a malformed body, 401/403 credentials or
 * tenant, 413 too large, 415 an encoding other than gzip, 429 a rate limit and 503 retry later
 * (both with Retry-After). The caller adds its routes, with `addSpanRoute` for span bodies.
 */
export function buildSpanReceiverApp(options: SpanReceiverAppOptions): Promise<FastifyInstance> {
  return buildReceiverHttpApp({
    ...options,
    contentTypes: '*',
    sendRefusal: (reply, refusal) => reply.type(TEXT).send(refusal.message),
  });
}

/**
 * Serves `POST path` for span bodies: the tenant first (a request without one is refused before
 * its body is decoded), then `translate` of the body (none: empty), then the push. Answered 202
 * Accepted once the spans are durable: without a body, or with the `N of M spans refused: …` of a
 * partial refusal.
 */
export function addSpanRoute(
  app: FastifyInstance,
  distributor: Distributor,
  path: string,
  translate: (body: Buffer, request: FastifyRequest) => readonly OtlpResourceSpans[],
): void {
  app.post(path, async (request, reply) => {
    const tenantId = request.tenantId;
    const resourceSpans = translate((request.body as Buffer | undefined) ?? Buffer.alloc(0), request);
    const refused = await pushTranslatedSpans(distributor, tenantId, resourceSpans, request.log);
    reply.code(202);
    return refused ? reply.type(TEXT).send(refused) : reply.send();
  });
}
