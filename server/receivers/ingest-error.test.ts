import { describe, expect, it } from 'vitest';
import { RateLimitError } from '../logs/errors';
import { OtlpDecodeError } from '../otlp/errors';
import { AuthError } from '../tenancy/auth';
import { classifyIngestError, GRPC_CODE } from './ingest-error';

const { INVALID_ARGUMENT, PERMISSION_DENIED, RESOURCE_EXHAUSTED, UNAVAILABLE, UNAUTHENTICATED } = GRPC_CODE;

describe('classifyIngestError: one answer per refusal, on HTTP and gRPC alike', () => {
  it.each([
    [
      'body too large',
      { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 },
      413,
      RESOURCE_EXHAUSTED,
      false,
    ],
    [
      'wrong content type',
      { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 },
      415,
      INVALID_ARGUMENT,
      false,
    ],
    [
      'empty JSON body',
      { code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400 },
      400,
      INVALID_ARGUMENT,
      false,
    ],
    ['bad gzip', { code: 'Z_DATA_ERROR' }, 400, INVALID_ARGUMENT, false],
    ['missing tenant', { code: 'LOUPE_ERR_TENANT', statusCode: 401 }, 401, UNAUTHENTICATED, false],
    ['malformed tenant', { code: 'LOUPE_ERR_TENANT', statusCode: 400 }, 400, INVALID_ARGUMENT, false],
    ['missing or wrong credentials', new AuthError('invalid credentials', 401), 401, UNAUTHENTICATED, false],
    ["another tenant's credentials", new AuthError('not yours', 403), 403, PERMISSION_DENIED, false],
    ['undecodable body', new OtlpDecodeError('truncated'), 400, INVALID_ARGUMENT, false],
    ['no valid spans', { code: 'LOUPE_ERR_NO_VALID_SPANS', statusCode: 400 }, 400, INVALID_ARGUMENT, false],
    ['block pool full', { code: 'LOUPE_ERR_POOL_FULL', statusCode: 503 }, 503, UNAVAILABLE, true],
    ['rate limited', new RateLimitError('Ingestion rate limit exceeded'), 429, RESOURCE_EXHAUSTED, true],
    ['other 4xx', { code: 'LOUPE_ERR_LOGS_REQUEST', statusCode: 400 }, 400, INVALID_ARGUMENT, false],
    ['unexpected failure', { code: 'EIO' }, 503, UNAVAILABLE, true],
  ])('%s', (_name, err, httpStatus, grpcCode, retryable) => {
    const classified = classifyIngestError({ message: 'm', ...err });
    expect(classified).toMatchObject({ httpStatus, grpcCode, retryable });
  });

  it('a rate limit suggests when to retry; an undecodable body does not', () => {
    expect(classifyIngestError(new RateLimitError('slow down')).retryAfterSeconds).toBeGreaterThan(0);
    expect(classifyIngestError(new OtlpDecodeError('bad')).retryAfterSeconds).toBeUndefined();
  });

  it('keeps the message that says what to fix; a server fault says ingest failed', () => {
    expect(classifyIngestError(new OtlpDecodeError('span 3: trace_id must be 16 bytes')).message).toBe(
      'span 3: trace_id must be 16 bytes',
    );
    expect(classifyIngestError({ message: 'disk full' }).message).toBe('ingest failed: disk full');
  });
});
