import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { BackendLogger } from './backend';

/** Parts of one upload sent at once: enough to fill a link, with memory bounded at 4 × the part size. */
const PART_CONCURRENCY = 4;

export type SendOptions = { abortSignal?: AbortSignal };
export interface Metadata {
  $metadata: { attempts?: number; totalRetryDelay?: number };
}

/** `S3Backend`'s way of sending one request: signal checks, retry logging. */
export type S3Call = <T extends Metadata>(
  operation: string,
  key: string,
  signal: AbortSignal | undefined,
  send: (options: SendOptions) => Promise<T>,
) => Promise<T>;

export interface MultipartTarget {
  client: S3Client;
  bucket: string;
  partSize: number;
  logger?: BackendLogger;
}

export interface MultipartObject {
  /** The backend key, for messages. */
  key: string;
  /** The object key in the bucket. */
  Key: string;
  chunks: readonly Uint8Array[];
  size: number;
  signal?: AbortSignal;
}

/**
 * Uploads an object in parts of `partSize` bytes, a few at once; it appears whole when the upload
 * completes, as after a PUT. On any failure (the signal's included) the upload is aborted: S3
 * would otherwise keep, and bill for, the parts of an upload nobody will ever complete.
 */
export async function writeMultipart(
  target: MultipartTarget,
  call: S3Call,
  { key, Key, chunks, size, signal }: MultipartObject,
): Promise<void> {
  const { client, bucket: Bucket, partSize } = target;
  // Not interrupted once sent: an upload the server created but whose ID we never heard of
  // could not be aborted. The signal is checked before, and again by the first part.
  const { UploadId } = await call('CreateMultipartUpload', key, signal, () =>
    client.send(new CreateMultipartUploadCommand({ Bucket, Key })),
  );
  if (!UploadId) throw new Error(`CreateMultipartUpload for ${key} returned no upload ID`);
  // Stops the other parts as soon as one fails, so the abort below is not raced by late parts.
  const stop = new AbortController();
  const partSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  const count = Math.ceil(size / partSize);
  const etags: string[] = new Array(count);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < count) {
      const index = next++;
      try {
        const Body = sliceChunks(chunks, index * partSize, Math.min(size, (index + 1) * partSize));
        const PartNumber = index + 1;
        const part = await call('UploadPart', key, partSignal, (o) =>
          client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body }), o),
        );
        if (!part.ETag) throw new Error(`UploadPart ${PartNumber} of ${key} returned no ETag`);
        etags[index] = part.ETag;
      } catch (error) {
        failure ??= { error: signal?.aborted ? signal.reason : error };
        stop.abort();
      }
    }
  };
  try {
    // The workers never reject, so every part has settled before the upload is aborted.
    await Promise.all(Array.from({ length: Math.min(PART_CONCURRENCY, count) }, worker));
    if (failure) throw failure.error;
    const Parts = etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 }));
    await call('CompleteMultipartUpload', key, signal, (o) =>
      client.send(
        new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts } }),
        o,
      ),
    );
  } catch (err) {
    // Without the caller's signal: the cleanup must run even (especially) when it was aborted.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }))
      .catch((abortError: unknown) =>
        target.logger?.warn(
          { key, uploadId: UploadId, err: abortError },
          'could not abort a failed multipart upload; its parts stay until a lifecycle rule removes them',
        ),
      );
    throw err;
  }
}

/** Bytes [start, end) of the chunks laid end to end. */
export function sliceChunks(chunks: readonly Uint8Array[], start: number, end: number): Buffer {
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const chunk of chunks) {
    const from = Math.max(start - at, 0);
    const to = Math.min(end - at, chunk.byteLength);
    if (from < to) pieces.push(chunk.subarray(from, to));
    at += chunk.byteLength;
    if (at >= end) break;
  }
  return Buffer.concat(pieces);
}
