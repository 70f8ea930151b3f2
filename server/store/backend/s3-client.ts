import { S3Client } from '@aws-sdk/client-s3';
import { keySegments } from './backend-keys';

/** Where the S3 backend stores objects and how it reaches them: Tempo's `storage.trace.s3` keys. */
export interface S3Options {
  bucket: string;
  /** `host:port` as Tempo writes it (scheme from `insecure`), or a URL; absent means AWS's endpoint for `region`. */
  endpoint?: string;
  region: string;
  /** Static credentials; without them the AWS SDK's default chain (AWS_* variables, ~/.aws, IMDS) is used. */
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  /** Plain HTTP to an endpoint given without a scheme. */
  insecure: boolean;
  /** Path-style URLs (`endpoint/bucket/key`) even where virtual-hosted ones would be used. */
  forcePathStyle: boolean;
  /** Folder inside the bucket that holds everything (`a/b`), or '' for the bucket root. */
  prefix: string;
  /** Size of each multipart upload part; objects larger than one part are uploaded in parts. */
  partSizeBytes: number;
  /** Tempo's `hedge_requests_at`: a GET not answered after this long is sent again; 0: never. */
  hedgeAtMs?: number;
  /** Tempo's `hedge_requests_up_to`: GETs in all for one read when hedging (default 2). */
  hedgeUpTo?: number;
}

/** The connection's limits; the defaults suit a remote object store. */
export interface S3Tuning {
  /** Attempts per request, retried with the SDK's standard backoff and jitter on 5xx, throttling and timeouts. */
  maxAttempts?: number;
  /** Giving up on opening a connection. */
  connectionTimeoutMs?: number;
  /** Giving up on a request whose response has not started (the upload of its body included). */
  requestTimeoutMs?: number;
  /** Giving up on a connection that has gone quiet, while a response body is read. */
  socketTimeoutMs?: number;
  /** Connections kept to the endpoint; the backend pool bounds operations at `pool.max_workers`. */
  maxSockets?: number;
}

export const S3_DEFAULTS = {
  region: 'us-east-1',
  partSizeBytes: 16 * 1024 * 1024,
  /** S3 refuses parts under 5 MiB (except the last). */
  minPartSizeBytes: 5 * 1024 * 1024,
  maxAttempts: 5,
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 60_000,
  socketTimeoutMs: 30_000,
} as const;

/** An SDK client for these options. */
export function createS3Client(options: S3Options, tuning: S3Tuning = {}): S3Client {
  const agent = { keepAlive: true, maxSockets: tuning.maxSockets ?? 50 };
  const hasKeys = options.accessKey !== undefined && options.accessKey !== '';
  return new S3Client({
    region: options.region,
    ...(options.endpoint === undefined
      ? { tls: !options.insecure }
      : { endpoint: s3EndpointUrl(options.endpoint, options.insecure) }),
    forcePathStyle: usesPathStyle(options),
    credentials: hasKeys
      ? {
          accessKeyId: options.accessKey ?? '',
          secretAccessKey: options.secretKey ?? '',
          sessionToken: options.sessionToken || undefined,
        }
      : undefined,
    maxAttempts: tuning.maxAttempts ?? S3_DEFAULTS.maxAttempts,
    retryMode: 'standard',
    // The SDK's default (since 3.729) streams uploads with trailing CRC32 checksums, which many
    // S3-compatible stores refuse (radosgw 16 answers 411); checksums only where S3 requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: tuning.connectionTimeoutMs ?? S3_DEFAULTS.connectionTimeoutMs,
      requestTimeout: tuning.requestTimeoutMs ?? S3_DEFAULTS.requestTimeoutMs,
      // Without this the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
      socketTimeout: tuning.socketTimeoutMs ?? S3_DEFAULTS.socketTimeoutMs,
      httpAgent: agent,
      httpsAgent: agent,
    },
  });
}

/**
 * The endpoint as a URL. Tempo writes `host:port` and picks the scheme from `insecure`; a URL with
 * its own scheme is taken as it is. Throws a TypeError for anything else.
 */
export function s3EndpointUrl(endpoint: string, insecure: boolean): string {
  const trimmed = endpoint.trim();
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed);
  const url = new URL(hasScheme ? trimmed : `${insecure ? 'http' : 'https'}://${trimmed}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`endpoint ${JSON.stringify(endpoint)} is neither http nor https`);
  }
  if (url.hostname === '' || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new TypeError(`endpoint ${JSON.stringify(endpoint)} is not host:port or a plain URL`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * Tempo's S3 client (minio-go) uses virtual-hosted URLs only for the clouds that serve them and
 * path-style for every other endpoint (MinIO, Ceph, …), whatever `forcepathstyle` says; the AWS
 * SDK would use virtual-hosted URLs everywhere. Doing as Tempo does keeps Tempo files working.
 */
export function usesPathStyle(options: Pick<S3Options, 'endpoint' | 'forcePathStyle' | 'insecure'>): boolean {
  if (options.forcePathStyle || options.endpoint === undefined) return options.forcePathStyle;
  const host = new URL(s3EndpointUrl(options.endpoint, options.insecure)).hostname;
  return !/(^|\.)(amazonaws\.com(\.cn)?|storage\.googleapis\.com|aliyuncs\.com)$/.test(host);
}

/** The prefix as keys start with it: '' or `a/b/`. Throws a BackendKeyError for a prefix no key could have. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : `${keySegments(trimmed).join('/')}/`;
}
