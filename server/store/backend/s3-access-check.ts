import { ConfigError } from '../../config-reader/config-values';
import type { S3Backend } from './s3-backend';
import type { S3Options } from './s3-client';

/** How long startup waits for the store's first answer before it says the endpoint is unreachable. */
const PROBE_TIMEOUT_MS = 15_000;

/**
 * Makes one request to the bucket before Loupe starts on it, so a wrong bucket, key or endpoint
 * stops startup with one line naming the setting to fix (a `ConfigError`), not a stack trace
 * from the first flush minutes later.
 */
export async function checkS3Access(backend: S3Backend, options: S3Options): Promise<void> {
  try {
    await backend.probe(AbortSignal.timeout(PROBE_TIMEOUT_MS));
  } catch (err) {
    throw new ConfigError(describeS3Failure(err, options), { cause: err });
  }
}

export function describeS3Failure(err: unknown, options: S3Options): string {
  const where = options.endpoint ? `endpoint ${options.endpoint}` : `AWS S3 in ${options.region}`;
  const { name, message, code } = details(err);
  switch (name) {
    case 'NoSuchBucket':
      return `storage.trace.s3.bucket: bucket "${options.bucket}" does not exist at ${where}`;
    case 'InvalidAccessKeyId':
      return `storage.trace.s3.access_key: ${where} does not know this access key`;
    case 'SignatureDoesNotMatch':
      return `storage.trace.s3.secret_key: the secret key does not match the access key at ${where}`;
    case 'AccessDenied':
    case 'Forbidden':
      return `storage.trace.s3.access_key: access to bucket "${options.bucket}" at ${where} is denied; check the key's permissions`;
    case 'TimeoutError':
    case 'AbortError':
      return `storage.trace.s3.endpoint: ${where} did not answer within ${PROBE_TIMEOUT_MS / 1000} s`;
  }
  if (code && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ETIMEDOUT)$/.test(code)) {
    return `storage.trace.s3.endpoint: cannot reach ${where} (${code})`;
  }
  return `storage.trace.s3: ${where} refused the first request for bucket "${options.bucket}": ${name ?? 'error'}: ${message}`;
}

function details(err: unknown): { name?: string; message: string; code?: string } {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } } | undefined;
  return { name: e?.name, message: e?.message ?? String(err), code: e?.code ?? e?.cause?.code };
}
