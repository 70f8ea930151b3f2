import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { forEachLimited } from '../for-each-limited';
import type { Backend, BackendCallOptions, BackendLogger } from './backend';
import { checkRange, keySegments } from './backend-keys';
import { type HedgeOptions, hedged } from './hedged';
import { createS3Client, normalisePrefix, S3_DEFAULTS, type S3Options, type S3Tuning } from './s3-client';
import { putIfAbsent } from './s3-conditional';
import { type DirectGetOutput, DirectGets } from './s3-direct-get';
import { type Metadata, type SendOptions, writeMultipart } from './s3-multipart';
import { readBody } from './s3-read-body';

export interface S3BackendDeps {
  /** A ready client (tests share one); otherwise one is made from the options and `tuning`. */
  client?: S3Client;
  tuning?: S3Tuning;
  /** Told about requests that only succeeded after retries, and about uploads left unaborted. */
  logger?: BackendLogger;
  /**
   * false sends GETs through the SDK's whole middleware stack, as every other request goes
   * (`s3-direct-get.ts` says why they do not by default); for tests and comparisons.
   */
  directGets?: boolean;
  /** Told each time a slow GET is sent again (`hedgeAtMs`). */
  onHedge?: () => void;
}

/** Reads of one object's body before its error is the caller's. */
const BODY_ATTEMPTS = 3;
/** DeleteObject requests at once when a prefix has to be deleted one object at a time. */
const SINGLE_DELETE_CONCURRENCY = 16;

/**
 * Backend over an S3 bucket (AWS, or anything speaking S3: Ceph radosgw, MinIO, GCS's XML API).
 * Keys are validated as the local backend validates them and stored under the optional prefix.
 * S3 replaces an object atomically on PUT and on completing a multipart upload, which is the
 * whole-object-or-nothing promise `write` makes. Every request takes the call's abort signal; a
 * call refused or interrupted by it rejects with the signal's reason, as every backend does.
 */
export class S3Backend implements Backend {
  readonly bucket: string;
  /** '' or `a/b/`: what every object key of this backend starts with. */
  readonly prefix: string;
  private readonly partSize: number;
  private readonly client: S3Client;
  private readonly logger?: BackendLogger;
  /** Set once the store has refused DeleteObjects: prefixes are then deleted one object at a time. */
  private oneByOne = false;
  private readonly direct: DirectGets | undefined;
  /** Undefined when hedging is off: a GET is then a plain call, with nothing allocated for it. */
  private readonly hedge: Omit<HedgeOptions, 'signal'> | undefined;

  constructor(options: S3Options, deps: S3BackendDeps = {}) {
    if (!(options.partSizeBytes >= S3_DEFAULTS.minPartSizeBytes)) {
      throw new RangeError(`part size ${options.partSizeBytes} is below S3's minimum of 5 MiB`);
    }
    this.bucket = options.bucket;
    this.prefix = normalisePrefix(options.prefix);
    this.partSize = options.partSizeBytes;
    this.client = deps.client ?? createS3Client(options, deps.tuning);
    this.logger = deps.logger;
    const hedge = { atMs: options.hedgeAtMs ?? 0, upTo: options.hedgeUpTo ?? 2, onHedge: deps.onHedge };
    if (hedge.atMs > 0 && hedge.upTo > 1) this.hedge = hedge;
    if (deps.directGets !== false) {
      this.direct = new DirectGets(this.client, this.bucket, `${this.prefix}loupe-direct-get-probe`);
    }
  }

  async read(key: string, { signal }: BackendCallOptions = {}): Promise<Buffer | undefined> {
    const Key = this.objectKey(key);
    try {
      return await this.get(key, Key, undefined, signal);
    } catch (err) {
      if (errorName(err) === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  /** One cheap request (a listing of at most one key) that fails as the store's first real one would. */
  async probe(signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new ListObjectsV2Command({ Bucket: this.bucket, MaxKeys: 1, Prefix: this.prefix || undefined }),
      { abortSignal: signal },
    );
  }

  async readRange(
    key: string,
    offset: number,
    length: number,
    { signal }: BackendCallOptions = {},
  ): Promise<Buffer> {
    checkRange(key, offset, length);
    const Key = this.objectKey(key);
    const pastEnd = () => new RangeError(`${key} ends before ${offset}+${length}`);
    try {
      if (length === 0) {
        // An empty Range header is not valid HTTP; HEAD still says whether the object is there.
        const head = await this.call('HeadObject', key, signal, (o) =>
          this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }), o),
        );
        if (offset > (head.ContentLength ?? 0)) throw pastEnd();
        return Buffer.alloc(0);
      }
      const Range = `bytes=${offset}-${offset + length - 1}`;
      const data = await this.get(key, Key, Range, signal);
      // S3 answers a range running past the end with the bytes it has.
      if (data.length < length) throw pastEnd();
      if (data.length > length) throw new Error(`${key}: asked for ${length} bytes, got ${data.length}`);
      return data;
    } catch (err) {
      const name = errorName(err);
      // 416 from GET when the range starts past the end.
      if (name === 'InvalidRange' || statusOf(err) === 416) throw pastEnd();
      if (name === 'NoSuchKey' || name === 'NotFound') {
        throw new Error(`${key} does not exist in bucket ${this.bucket}`, { cause: err });
      }
      throw err;
    }
  }

  async write(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    { signal }: BackendCallOptions = {},
  ): Promise<void> {
    const Key = this.objectKey(key);
    const chunks = data instanceof Uint8Array ? [data] : data;
    const size = chunks.reduce((total, chunk) => total + chunk.byteLength, 0);
    if (size > this.partSize) {
      const upload = {
        client: this.client,
        bucket: this.bucket,
        partSize: this.partSize,
        logger: this.logger,
      };
      return writeMultipart(upload, (...args) => this.call(...args), { key, Key, chunks, size, signal });
    }
    const Body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    await this.call('PutObject', key, signal, (o) =>
      this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentLength: size }), o),
    );
  }

  async writeIfAbsent(
    key: string,
    data: Uint8Array | readonly Uint8Array[],
    { signal }: BackendCallOptions = {},
  ): Promise<boolean> {
    const chunks = data instanceof Uint8Array ? [data] : data;
    const target = { client: this.client, bucket: this.bucket };
    return putIfAbsent(target, (...args) => this.call(...args), {
      key,
      Key: this.objectKey(key),
      Body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
      signal,
    });
  }

  async list(prefix: string, { signal }: BackendCallOptions = {}): Promise<string[]> {
    const base = prefix === '' || prefix === '/' ? this.prefix : `${this.objectKey(prefix, true)}/`;
    const names = new Set<string>();
    let ContinuationToken: string | undefined;
    do {
      const out = await this.call('ListObjectsV2', prefix, signal, (o) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: base === '' ? undefined : base,
            Delimiter: '/',
            ContinuationToken,
          }),
          o,
        ),
      );
      for (const { Prefix } of out.CommonPrefixes ?? []) if (Prefix) names.add(Prefix.slice(base.length, -1));
      for (const { Key } of out.Contents ?? []) if (Key) names.add(Key.slice(base.length));
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (ContinuationToken);
    // '' is a "folder marker" object some tools create at the prefix itself: not a child.
    names.delete('');
    return [...names].sort();
  }

  async delete(keyOrPrefix: string, { signal }: BackendCallOptions = {}): Promise<void> {
    if (!keyOrPrefix.endsWith('/')) {
      const Key = this.objectKey(keyOrPrefix);
      await this.call('DeleteObject', keyOrPrefix, signal, (o) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }), o),
      );
      return;
    }
    const Prefix = `${this.objectKey(keyOrPrefix, true)}/`;
    let ContinuationToken: string | undefined;
    do {
      // Pages of at most 1000 keys, which is also the most one DeleteObjects takes.
      const out = await this.call('ListObjectsV2', keyOrPrefix, signal, (o) =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken }), o),
      );
      const Objects = (out.Contents ?? []).flatMap(({ Key }) => (Key ? [{ Key }] : []));
      if (Objects.length > 0) await this.deleteKeys(keyOrPrefix, Objects, signal);
      ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  /** Up to 1000 keys in one DeleteObjects request, or one DeleteObject each where the store lacks it. */
  private async deleteKeys(prefix: string, Objects: { Key: string }[], signal?: AbortSignal): Promise<void> {
    if (!this.oneByOne) {
      try {
        const deleted = await this.call('DeleteObjects', prefix, signal, (o) =>
          this.client.send(
            new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } }),
            o,
          ),
        );
        const [first] = deleted.Errors ?? [];
        if (!first) return;
        throw new Error(
          `deleting ${prefix}: ${deleted.Errors?.length} objects not deleted, first ${first.Key}: ${first.Code} ${first.Message}`,
        );
      } catch (err) {
        // GCS's S3-interoperable API long answered DeleteObjects with NotImplemented.
        if (errorName(err) !== 'NotImplemented') throw err;
        this.oneByOne = true;
      }
    }
    await forEachLimited(Objects, SINGLE_DELETE_CONCURRENCY, async ({ Key }) => {
      await this.call('DeleteObject', prefix, signal, (o) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }), o),
      );
    });
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  /**
   * One request: refused at once when the signal is already aborted, and rejected with the
   * signal's reason when it aborts mid-way (the SDK's own AbortError says nothing of why).
   */
  private async call<T extends Metadata>(
    operation: string,
    key: string,
    signal: AbortSignal | undefined,
    send: (options: SendOptions) => Promise<T>,
  ): Promise<T> {
    signal?.throwIfAborted();
    try {
      const out = await send({ abortSignal: signal });
      this.noteRetries(operation, key, out.$metadata);
      return out;
    } catch (err) {
      signal?.throwIfAborted();
      this.noteRetries(operation, key, (err as Partial<Metadata> | undefined)?.$metadata);
      throw err;
    }
  }

  /** Retries are the SDK's (standard mode: backoff with jitter); a run of them is worth a log line. */
  private noteRetries(operation: string, key: string, metadata: Metadata['$metadata'] | undefined): void {
    if (metadata?.attempts !== undefined && metadata.attempts > 1) {
      this.logger?.warn(
        { operation, key, attempts: metadata.attempts, retryDelayMs: metadata.totalRetryDelay },
        'S3 request retried',
      );
    }
  }

  /** GetObject and its body, asked again while it is slow when `hedge_requests_at` is set. */
  private get(key: string, Key: string, Range: string | undefined, signal?: AbortSignal): Promise<Buffer> {
    if (!this.hedge) return this.getOnce(key, Key, Range, signal);
    return hedged((attemptSignal) => this.getOnce(key, Key, Range, attemptSignal), { ...this.hedge, signal });
  }

  /**
   * One GetObject and its body. The SDK's retries end once a response has started, so a body cut
   * off or stalled mid-way (the socket timeout) is fetched again here, a few times.
   */
  private async getOnce(
    key: string,
    Key: string,
    Range: string | undefined,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const route = await this.direct?.route();
    for (let attempt = 1; ; attempt++) {
      const out = await this.call<DirectGetOutput | GetObjectCommandOutput>('GetObject', key, signal, (o) =>
        route && this.direct
          ? this.direct.send(route, Key, Range, o)
          : this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key, Range }), o),
      );
      try {
        return await getBody(out, signal);
      } catch (err) {
        signal?.throwIfAborted();
        if (attempt >= BODY_ATTEMPTS) throw err;
        this.logger?.warn(
          { operation: 'GetObject', key, attempt, err },
          'S3 response body failed; reading it again',
        );
      }
    }
  }

  private objectKey(key: string, isPrefix = false): string {
    return this.prefix + keySegments(key, isPrefix).join('/');
  }
}

/** A GET's body read whole: a Node stream straight into a buffer of its length, anything else as the SDK reads it. */
async function getBody(out: DirectGetOutput | GetObjectCommandOutput, signal?: AbortSignal): Promise<Buffer> {
  const body = out.Body;
  if (body instanceof Readable) return readBody(body, out.ContentLength, signal);
  const bytes = (await body?.transformToByteArray()) ?? new Uint8Array();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function errorName(err: unknown): string | undefined {
  return (err as { name?: string } | undefined)?.name;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
