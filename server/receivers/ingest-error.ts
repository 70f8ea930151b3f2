import { ErrorCode } from '../errors/error-codes';
import { RATE_LIMIT_RETRY_AFTER_SECONDS } from '../tenancy/tenant-rate-limiter';

/**
 * The one classifier of ingest errors, shared by the OTLP/gRPC and OTLP/HTTP receivers, so the
 * same refusal gets the same answer on both. Retryability follows the OTLP spec: HTTP 429, 502,
 * 503 and 504 are retried by exporters; of the gRPC codes used here, `RESOURCE_EXHAUSTED` and
 * `UNAVAILABLE` are retried and `INVALID_ARGUMENT`, `UNAUTHENTICATED` and `PERMISSION_DENIED` are not (the batch is
 * dropped). A refusal that may succeed later (a rate limit, a full queue) must therefore never be
 * answered with a non-retryable code: that loses data.
 */

/** gRPC status codes (google.rpc.Code) Loupe answers with. */
export const GRPC_CODE = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

export interface ClassifiedIngestError {
  httpStatus: number;
  grpcCode: number;
  /** Whether an OTLP exporter retries this answer (and so nothing is lost by refusing it). */
  retryable: boolean;
  /** Seconds a client should wait before retrying (HTTP `Retry-After`, gRPC `RetryInfo`). */
  retryAfterSeconds?: number;
  message: string;
}

/** What the classifier reads of an error: Fastify's, Node's zlib's and Loupe's all have these. */
export interface IngestErrorLike {
  code?: string;
  statusCode?: number;
  message: string;
}

function refused(httpStatus: number, grpcCode: number, message: string): ClassifiedIngestError {
  return { httpStatus, grpcCode, retryable: false, message };
}

function retryLater(httpStatus: number, grpcCode: number, message: string): ClassifiedIngestError {
  return { httpStatus, grpcCode, retryable: true, message };
}

/** Maps any error raised while receiving OTLP to the status a client should see. */
export function classifyIngestError(err: IngestErrorLike): ClassifiedIngestError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      // Resending the same body cannot succeed; HTTP 413 is not retried by exporters.
      return refused(
        413,
        GRPC_CODE.RESOURCE_EXHAUSTED,
        'request body is larger than the configured limit (max_request_body_size)',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return refused(
        415,
        GRPC_CODE.INVALID_ARGUMENT,
        'unsupported Content-Type: use application/x-protobuf or application/json',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return refused(400, GRPC_CODE.INVALID_ARGUMENT, err.message);
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'Z_STREAM_ERROR':
      return refused(400, GRPC_CODE.INVALID_ARGUMENT, `invalid gzip body: ${err.message}`);
    case ErrorCode.TENANT:
      return err.statusCode === 401
        ? refused(401, GRPC_CODE.UNAUTHENTICATED, err.message)
        : refused(err.statusCode ?? 400, GRPC_CODE.INVALID_ARGUMENT, err.message);
    case ErrorCode.AUTH:
      // Neither is retried: resending the same credentials cannot succeed.
      return err.statusCode === 403
        ? refused(403, GRPC_CODE.PERMISSION_DENIED, err.message)
        : refused(401, GRPC_CODE.UNAUTHENTICATED, err.message);
    case ErrorCode.OTLP_DECODE:
    case ErrorCode.NO_VALID_SPANS:
      return refused(400, GRPC_CODE.INVALID_ARGUMENT, err.message);
    case ErrorCode.POOL_FULL:
      return retryLater(503, GRPC_CODE.UNAVAILABLE, err.message);
  }
  const status = err.statusCode ?? 500;
  if (status === 429) {
    return {
      ...retryLater(429, GRPC_CODE.RESOURCE_EXHAUSTED, err.message),
      retryAfterSeconds: RATE_LIMIT_RETRY_AFTER_SECONDS,
    };
  }
  if (status >= 400 && status < 500) return refused(status, GRPC_CODE.INVALID_ARGUMENT, err.message);
  return retryLater(503, GRPC_CODE.UNAVAILABLE, `ingest failed: ${err.message}`);
}
