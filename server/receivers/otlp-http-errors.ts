import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { encodeStatusJson, encodeStatusProtobuf } from '../otlp/export-response';
import { classifyIngestError } from './ingest-error';

/** Error handler for the OTLP/HTTP receiver: a `google.rpc.Status` in the request's own encoding. */
export function replyWithOtlpError(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const classified = classifyIngestError(err);
  if (classified.httpStatus >= 500) request.log.error({ err }, 'ingest failed');
  else request.log.info({ code: err.code, msg: classified.message }, 'ingest refused');
  reply.code(classified.httpStatus);
  if (classified.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.ceil(classified.retryAfterSeconds)));
  if (isProtobufBody(request)) {
    return reply
      .type('application/x-protobuf')
      .send(encodeStatusProtobuf(classified.grpcCode, classified.message, classified.retryAfterSeconds));
  }
  return reply.type('application/json').send(encodeStatusJson(classified.grpcCode, classified.message));
}

/** The request's body is OTLP protobuf (else JSON): the answer is sent in the same encoding. */
export function isProtobufBody(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.includes('protobuf');
}
