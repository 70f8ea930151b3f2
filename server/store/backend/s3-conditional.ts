import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Metadata, S3Call } from './s3-multipart';

/** PutObject attempts of a conditional write that keeps meeting another one under way (409). */
const CONFLICT_ATTEMPTS = 4;
/** User metadata (`x-amz-meta-…`) naming one conditional write, so a retry can recognise it. */
export const WRITE_ID_METADATA = 'loupe-write-id';

export interface ConditionalTarget {
  client: S3Client;
  bucket: string;
}

export interface ConditionalObject {
  /** The backend key, for messages. */
  key: string;
  /** The object key in the bucket. */
  Key: string;
  Body: Uint8Array;
  signal?: AbortSignal;
}

/**
 * One PutObject with `If-None-Match: *` (AWS S3 since 2024, Ceph radosgw, MinIO): the store
 * creates the object only when the key is free, and answers 412 PreconditionFailed otherwise.
 * Always a single PUT, whatever the size: a multipart upload cannot be made conditional on every
 * store. Resolves true when this call created the object.
 */
export async function putIfAbsent(
  target: ConditionalTarget,
  call: S3Call,
  { key, Key, Body, signal }: ConditionalObject,
): Promise<boolean> {
  const { client, bucket: Bucket } = target;
  // The SDK retries a PUT whose response was lost; the retry then meets the object the first
  // attempt created. This ID tells that object from another writer's.
  const writeId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      await call('PutObject', key, signal, (o) =>
        client.send(
          new PutObjectCommand({
            Bucket,
            Key,
            Body,
            ContentLength: Body.byteLength,
            IfNoneMatch: '*',
            Metadata: { [WRITE_ID_METADATA]: writeId },
          }),
          o,
        ),
      );
      return true;
    } catch (err) {
      const status = statusOf(err);
      if (status === 412 || errorName(err) === 'PreconditionFailed') {
        // Refused at the SDK's first attempt: surely another writer's object.
        const attempts = (err as Partial<Metadata> | undefined)?.$metadata?.attempts ?? 1;
        return attempts > 1 && (await writtenBy(target, call, key, Key, writeId, signal));
      }
      // 409 ConditionalRequestConflict (AWS): another conditional write of the key is under way;
      // asked again once it has ended, the store answers 200 or 412.
      if (status !== 409 || attempt >= CONFLICT_ATTEMPTS) throw err;
      await delay(50 * attempt * (1 + Math.random())).catch(() => {});
      signal?.throwIfAborted();
    }
  }
}

/** Whether the object at `Key` carries this write's ID (it was ours after all). */
async function writtenBy(
  { client, bucket: Bucket }: ConditionalTarget,
  call: S3Call,
  key: string,
  Key: string,
  writeId: string,
  signal: AbortSignal | undefined,
): Promise<boolean> {
  try {
    const head = await call('HeadObject', key, signal, (o) =>
      client.send(new HeadObjectCommand({ Bucket, Key }), o),
    );
    return head.Metadata?.[WRITE_ID_METADATA] === writeId;
  } catch (err) {
    if (errorName(err) === 'NotFound' || statusOf(err) === 404) return false;
    throw err;
  }
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string } | undefined)?.name;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
