import type { FastifyInstance, FastifyRequest } from 'fastify';
import { gunzipBody } from '../../receivers/gzip-body';
import { LogsRequestError } from '../errors';
import type { LogIngest } from '../ingest/log-ingest';
import { decodeLokiJson, decodeLokiProtobuf, type RawStream } from '../ingest/loki-push';
import { normaliseLokiPush } from '../ingest/normalise-push';
import type { LogsLimits } from '../logs-config';

export interface PushRoutesOptions {
  ingest: LogIngest;
  limits: LogsLimits;
  maxBodyBytes: number;
}

/**
 * `POST /loki/api/v1/push`: Loki's JSON (optionally gzip) or snappy-compressed protobuf, answered
 * 204 once durable. Entries breaking a limit are dropped, the rest stored, and the first problem
 * answered as 400, as Loki does.
 */
export async function pushRoutes(app: FastifyInstance, opts: PushRoutesOptions): Promise<void> {
  // Raw bytes for both formats, so every malformed body gets our own message.
  app.removeContentTypeParser('application/json');
  for (const type of ['application/json', 'application/x-protobuf']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: opts.maxBodyBytes }, (_req, body, done) =>
      done(null, body),
    );
  }
  app.post(
    '/loki/api/v1/push',
    { preParsing: gunzipBody, bodyLimit: opts.maxBodyBytes },
    async (request: FastifyRequest, reply) => {
      const { tenantId } = request;
      const body = request.body;
      if (!Buffer.isBuffer(body)) {
        throw new LogsRequestError('push body must be application/json or application/x-protobuf', 415);
      }
      const contentType = String(request.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      const raw: RawStream[] =
        contentType === 'application/x-protobuf'
          ? decodeLokiProtobuf(body, opts.maxBodyBytes)
          : decodeLokiJson(body);
      const normalised = normaliseLokiPush(raw, opts.limits);
      for (const { reason, lines } of normalised.discarded) opts.ingest.discarded(tenantId, reason, lines);
      await opts.ingest.ingest(tenantId, normalised.push, normalised.lineBytes, normalised.lines);
      if (normalised.error) throw normalised.error;
      return reply.code(204).send();
    },
  );
}
