import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { ErrorCode } from '../errors/error-codes';

/** A body in an encoding the receiver does not speak (OTLP/HTTP allows gzip and identity). */
export class UnsupportedEncodingError extends Error {
  readonly code = ErrorCode.CONTENT_ENCODING;
  readonly statusCode = 415;
}

/**
 * `preParsing` hook that inflates gzip bodies. The body limit then applies to the inflated
 * size (no zip bombs), and `receivedEncodedLength` keeps Fastify's Content-Length check honest.
 */
export async function gunzipBody(
  request: FastifyRequest,
  _reply: unknown,
  payload: Readable,
): Promise<Readable> {
  const encoding = request.headers['content-encoding']?.toLowerCase().trim();
  if (!encoding || encoding === 'identity') return payload;
  if (encoding !== 'gzip') {
    throw new UnsupportedEncodingError(`unsupported Content-Encoding "${encoding}": use gzip or identity`);
  }
  const gunzip = createGunzip() as ReturnType<typeof createGunzip> & { receivedEncodedLength: number };
  gunzip.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => {
    gunzip.receivedEncodedLength += chunk.length;
  });
  payload.on('error', (err) => gunzip.destroy(err));
  payload.pipe(gunzip);
  return gunzip;
}
