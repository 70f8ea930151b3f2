import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { encodeStatusJson, encodeStatusProtobuf } from '../otlp/export-response';

/** gRPC status codes used in OTLP error bodies (google.rpc.Status.code). */
const GRPC = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNAUTHENTICATED: 16,
  UNAVAILABLE: 14,
  INTERNAL: 13,
};

export interface ClassifiedError {
  httpStatus: number;
  grpcCode: number;
  message: string;
}

/** Maps any error raised while receiving OTLP to the status a client should see. */
export function classifyIngestError(err: FastifyError & { code?: string }): ClassifiedError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        httpStatus: 413,
        grpcCode: GRPC.RESOURCE_EXHAUSTED,
        message: 'request body is larger than the configured limit (max_request_body_size)',
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        httpStatus: 415,
        grpcCode: GRPC.INVALID_ARGUMENT,
        message: 'unsupported Content-Type: use application/x-protobuf or application/json',
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { httpStatus: 400, grpcCode: GRPC.INVALID_ARGUMENT, message: err.message };
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'Z_STREAM_ERROR':
      return {
        httpStatus: 400,
        grpcCode: GRPC.INVALID_ARGUMENT,
        message: `invalid gzip body: ${err.message}`,
      };
    case 'LOUPE_ERR_TENANT':
      return {
        httpStatus: err.statusCode ?? 400,
        grpcCode: err.statusCode === 401 ? GRPC.UNAUTHENTICATED : GRPC.INVALID_ARGUMENT,
        message: err.message,
      };
    case 'LOUPE_ERR_OTLP_DECODE':
    case 'LOUPE_ERR_NO_VALID_SPANS':
      return { httpStatus: 400, grpcCode: GRPC.INVALID_ARGUMENT, message: err.message };
    case 'LOUPE_ERR_POOL_FULL':
      return { httpStatus: 503, grpcCode: GRPC.UNAVAILABLE, message: err.message };
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return { httpStatus: status, grpcCode: GRPC.INVALID_ARGUMENT, message: err.message };
  return { httpStatus: 503, grpcCode: GRPC.UNAVAILABLE, message: `ingest failed: ${err.message}` };
}

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
  if (wantsProtobuf(request)) {
    return reply
      .type('application/x-protobuf')
      .send(encodeStatusProtobuf(classified.grpcCode, classified.message));
  }
  return reply.type('application/json').send(encodeStatusJson(classified.grpcCode, classified.message));
}

export function wantsProtobuf(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.includes('protobuf');
}
