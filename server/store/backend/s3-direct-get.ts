import { createHash, createHmac } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, type S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';

/**
 * GetObject without the SDK's middleware stack.
 *
 * A GET through `client.send` runs ~20 middlewares (schema serialisation, endpoint rules, auth
 * scheme selection, user agent, retries, signing, deserialisation), ~1 ms of CPU per request on
 * a 2-core machine shared with the store: through the SDK a 40 KB ranged GET from radosgw on
 * loopback took 2–2.5× what the same GET made with `node:http` did. Reads are what lookups and
 * searches wait on, so they take a shorter road: the request the SDK would send, learnt once
 * per bucket by a dry run of a GetObject that stops after signing (nothing reaches the network),
 * then signed here (SigV4, as the SDK signs it) and sent through the client's own request
 * handler, which keeps its keep-alive agent and its connection, request and socket timeouts and
 * honours the abort signal. Retries use the client's own retry strategy (standard mode: the same
 * backoff with jitter, the same retry quota) and the SDK's rules for what is retried; credentials
 * come from the client's provider (refreshed as the SDK refreshes them); the clock-skew
 * correction is the SDK's. Errors are the SDK's error classes with the store's code as name.
 * Whatever the dry run cannot vouch for (SigV4a, S3 Express sessions, a path the key is not at
 * the end of) keeps going through the SDK.
 */

/** Where one bucket's objects are and how requests for them are signed, as the SDK resolved it. */
export interface DirectRoute {
  protocol: 'http:' | 'https:';
  hostname: string;
  port?: number;
  /** The Host header the SDK sends and signs. */
  host: string;
  /** The path before the URI-encoded object key: `/bucket/` path-style, `/` virtual-hosted. */
  basePath: string;
  /** The signing scope's region and service (`s3`), from the SDK's Authorization header. */
  region: string;
  service: string;
}

/** What a GET answers: the body still to be read, as the SDK's GetObject output has it. */
export interface DirectGetOutput {
  Body: Readable;
  ContentLength?: number;
  $metadata: {
    httpStatusCode?: number;
    requestId?: string;
    extendedRequestId?: string;
    attempts?: number;
    totalRetryDelay?: number;
  };
}

/** A dry run that failed (no credentials yet, say) is tried again after this long; until then GETs use the SDK. */
const RELEARN_AFTER_MS = 10_000;
/** The most of an error response's body read for its code and message. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** SHA-256 of the empty payload: what the SDK sends as `x-amz-content-sha256` on a GET. */
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

type ResponseHeaders = Record<string, string | undefined>;

interface HandlerResponse {
  statusCode: number;
  headers: ResponseHeaders;
  body: Readable;
}

/** Direct GETs of one bucket through one SDK client. */
export class DirectGets {
  private learnt: DirectRoute | null | undefined;
  private learning: Promise<DirectRoute | null> | undefined;
  private retryLearningAt = 0;
  /** The signing key of the last (secret, day, region, service): it changes once a day. */
  private signingKey: { scope: string; secret: string; key: Buffer } | undefined;
  private skewCorrection: boolean | undefined;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    /** An object key (prefix included) the dry run asks for; nothing is sent for it. */
    private readonly probeKey: string,
  ) {}

  /** The route once learnt; undefined while it is not, or when GETs must go through the SDK. */
  async route(): Promise<DirectRoute | undefined> {
    if (this.learnt !== undefined) return this.learnt ?? undefined;
    if (!this.learning) {
      if (Date.now() < this.retryLearningAt) return undefined;
      this.learning = this.learn().then(
        (route) => {
          this.learnt = route;
          return route;
        },
        () => {
          this.learning = undefined;
          this.retryLearningAt = Date.now() + RELEARN_AFTER_MS;
          return null;
        },
      );
    }
    return (await this.learning) ?? undefined;
  }

  /**
   * GetObject of `key` (bytes `range`, e.g. `bytes=0-99`, when given): the response once its
   * headers are in, after the retries the client's strategy allows. Rejects as `client.send`
   * would: an `S3ServiceException` named by the store's error code with `$metadata`, the request
   * handler's `TimeoutError` or network error, or its `AbortError` when the signal aborts.
   */
  async send(
    route: DirectRoute,
    key: string,
    range: string | undefined,
    { abortSignal }: { abortSignal?: AbortSignal } = {},
  ): Promise<DirectGetOutput> {
    const strategy = await this.client.config.retryStrategy();
    // `learn` gives no route for a client with a legacy strategy.
    if (!('acquireInitialRetryToken' in strategy)) throw new Error('direct S3 GETs need a retry strategy v2');
    let token = await untilAborted(strategy.acquireInitialRetryToken(''), abortSignal);
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      try {
        const out = await this.attempt(route, key, range, abortSignal);
        strategy.recordSuccess(token);
        out.$metadata.attempts = attempts + 1;
        out.$metadata.totalRetryDelay = totalRetryDelay;
        return out;
      } catch (err) {
        const error = asError(err);
        try {
          if (abortSignal?.aborted) throw error;
          // Waits the backoff itself, and throws when the error is not retried or attempts are used up.
          token = await untilAborted(
            strategy.refreshRetryTokenForRetry(token, {
              errorType: retryErrorType(error),
              retryAfterHint: retryAfterHint(error),
            }),
            abortSignal,
          );
        } catch (refused) {
          if (refused !== error && abortSignal?.aborted) throw refused;
          const withMetadata = error as Error & { $metadata?: DirectGetOutput['$metadata'] };
          withMetadata.$metadata = { ...withMetadata.$metadata, attempts: attempts + 1, totalRetryDelay };
          throw error;
        }
        attempts = token.getRetryCount();
        const delay = token.getRetryDelay();
        const log = (token as { $retryLog?: { acquisitionDelay?: number } }).$retryLog;
        totalRetryDelay += (log?.acquisitionDelay ?? 0) + delay;
        if (delay > 0) await untilAborted(new Promise((resolve) => setTimeout(resolve, delay)), abortSignal);
      }
    }
  }

  private async attempt(
    route: DirectRoute,
    key: string,
    range: string | undefined,
    abortSignal: AbortSignal | undefined,
  ): Promise<DirectGetOutput> {
    const { config } = this.client;
    const identity: Credentials = await config.credentials();
    this.skewCorrection ??= (await config.disableClockSkewCorrection?.()) !== true;
    const offset = this.skewCorrection ? config.systemClockOffset : 0;
    const path = route.basePath + encodeKey(key);
    const headers = signGet(route, path, range, identity, new Date(Date.now() + offset), (scope, secret) =>
      this.signingKeyFor(scope, secret),
    );
    const sentAt = Date.now();
    const { response } = (await config.requestHandler.handle(
      {
        method: 'GET',
        protocol: route.protocol,
        hostname: route.hostname,
        port: route.port,
        path,
        query: {},
        headers,
      },
      { abortSignal },
    )) as { response: HandlerResponse };
    const status = response.statusCode;
    const responseHeaders = response.headers;
    const $metadata = {
      httpStatusCode: status,
      requestId: responseHeaders['x-amz-request-id'],
      extendedRequestId: responseHeaders['x-amz-id-2'],
    };
    if (status >= 200 && status < 300) {
      if (this.skewCorrection) this.sampleClock(responseHeaders, sentAt);
      const length = Number(responseHeaders['content-length']);
      return {
        Body: response.body,
        ContentLength: responseHeaders['content-length'] !== undefined && length >= 0 ? length : undefined,
        $metadata,
      };
    }
    const error = await responseError(response, $metadata);
    if (this.skewCorrection) {
      const before = config.systemClockOffset;
      const after = this.sampleClock(responseHeaders, sentAt);
      // As the SDK's signer: a correction of 4 minutes or more makes the error worth retrying.
      if (Math.abs(after) >= 240_000 && after !== before) {
        (error.$metadata as { clockSkewCorrected?: boolean }).clockSkewCorrected = true;
      }
    }
    throw error;
  }

  /** The SDK's clock-skew sampling: the offset from the server's Date header, unless a cache answered. */
  private sampleClock(headers: ResponseHeaders, sentAt: number): number {
    const { config } = this.client;
    const date = headers.date;
    if (date === undefined || headers.age !== undefined) return config.systemClockOffset;
    const serverTime = Date.parse(date);
    const now = Date.now();
    if (Number.isNaN(serverTime) || now - sentAt > 900_000) return config.systemClockOffset;
    config.systemClockOffset = serverTime - now;
    return config.systemClockOffset;
  }

  private signingKeyFor(scope: string, secret: string): Buffer {
    const cached = this.signingKey;
    if (cached && cached.scope === scope && cached.secret === secret) return cached.key;
    const key = scope
      .split('/')
      .reduce<Buffer | string>((k, part) => hmac(k, part), `AWS4${secret}`) as Buffer;
    this.signingKey = { scope, secret, key };
    return key;
  }

  /**
   * A GetObject sent through the client with a last middleware that records the signed request
   * and throws instead of sending it: the endpoint, path and signing scope the SDK chose.
   */
  private async learn(): Promise<DirectRoute | null> {
    // A legacy retry strategy (a client made elsewhere) retries in ways this module does not mirror.
    if (!('acquireInitialRetryToken' in (await this.client.config.retryStrategy()))) return null;
    let signed: unknown;
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: this.probeKey });
    command.middlewareStack.add(
      () => async (args) => {
        signed = args.request;
        throw new Error('route learnt; not sent');
      },
      { step: 'finalizeRequest', priority: 'low', name: 'loupeDirectGetRoute' },
    );
    try {
      await this.client.send(command);
    } catch (err) {
      if (signed === undefined) throw err;
    }
    return routeOf(signed as SignedRequest, this.probeKey) ?? null;
  }
}

interface SignedRequest {
  method?: string;
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** The route a signed GetObject of `probeKey` shows, or undefined when it is not one this module can send. */
export function routeOf(request: SignedRequest, probeKey: string): DirectRoute | undefined {
  const { method, protocol, hostname, port, path, query } = request;
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const encoded = encodeKey(probeKey);
  if (method !== 'GET' || (protocol !== 'http:' && protocol !== 'https:') || !hostname) return undefined;
  if (!path?.endsWith(`/${encoded}`)) return undefined;
  // Only GetObject's `x-id`, which S3 does not need: anything else would be part of what is signed.
  if (Object.keys(query ?? {}).some((name) => name !== 'x-id')) return undefined;
  // S3 Express directory buckets sign with session credentials of their own.
  if (headers['x-amz-s3session-token'] !== undefined) return undefined;
  const scope = /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request,/.exec(
    headers.authorization ?? '',
  );
  if (!scope) return undefined;
  return {
    protocol,
    hostname,
    port,
    host: headers.host ?? (port === undefined ? hostname : `${hostname}:${port}`),
    basePath: path.slice(0, path.length - encoded.length),
    region: scope[1],
    service: scope[2],
  };
}

/** An object key as a URI path: every byte but `A-Za-z0-9-_.~` percent-encoded, `/` kept (SigV4's UriEncode). */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/**
 * The headers of a SigV4-signed GET of `path` (already URI-encoded, no query), signed over
 * every header it sends. `signingKey` gives the key for a `day/region/service/aws4_request` scope.
 */
export function signGet(
  route: Pick<DirectRoute, 'host' | 'region' | 'service'>,
  path: string,
  range: string | undefined,
  credentials: Credentials,
  now: Date,
  signingKey: (scope: string, secret: string) => Buffer,
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { host: route.host };
  if (range !== undefined) headers.range = range;
  headers['x-amz-content-sha256'] = EMPTY_SHA256;
  headers['x-amz-date'] = amzDate;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  // Names already lowercase and in order: host, range, x-amz-*.
  const names = Object.keys(headers);
  const signedHeaders = names.join(';');
  let canonical = `GET\n${path}\n\n`;
  for (const name of names) canonical += `${name}:${headers[name].trim()}\n`;
  canonical += `\n${signedHeaders}\n${EMPTY_SHA256}`;
  const scope = `${day}/${route.region}/${route.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  const signature = createHmac('sha256', signingKey(scope, credentials.secretAccessKey))
    .update(stringToSign)
    .digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** The error `client.send` would throw for a non-2xx answer, its body (the store's XML error) read. */
async function responseError(
  response: HandlerResponse,
  $metadata: DirectGetOutput['$metadata'],
): Promise<S3ServiceException> {
  const text = await readErrorBody(response.body);
  const status = response.statusCode;
  const code = xmlValue(text, 'Code') ?? (status === 404 ? 'NotFound' : 'UnknownError');
  const message = xmlValue(text, 'Message') ?? code;
  const requestId = $metadata.requestId ?? xmlValue(text, 'RequestId');
  const meta = { ...$metadata, requestId };
  const $response = { statusCode: status, headers: { ...response.headers } as Record<string, string> };
  const error =
    code === 'NoSuchKey'
      ? new NoSuchKey({ $metadata: meta, message })
      : new S3ServiceException({
          name: code,
          $fault: status >= 500 ? 'server' : 'client',
          $metadata: meta,
          message,
        });
  error.$response = $response;
  return error;
}

/** Up to `ERROR_BODY_LIMIT` bytes of an error body as text; what arrived if the stream fails. */
function readErrorBody(body: Readable): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      body.off('data', onData);
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= ERROR_BODY_LIMIT) {
        body.destroy();
        done();
      }
    };
    body.on('data', onData);
    body.once('end', done);
    body.once('error', done);
    body.once('close', done);
  });
}

function xmlValue(xml: string, element: string): string | undefined {
  const match = new RegExp(`<${element}>([^<]*)</${element}>`).exec(xml);
  if (!match) return undefined;
  return match[1].replace(/&(lt|gt|quot|apos|amp);/g, (_, entity: string) => XML_ENTITIES[entity]);
}

const XML_ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };

/**
 * How the SDK's retry strategy classifies an error, with the SDK's own classifiers (the ones its
 * retry middleware calls), so a direct GET is retried exactly when `client.send`'s would be.
 */
export function retryErrorType(error: unknown): 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR' {
  const e = (error ?? {}) as SdkError;
  if (isThrottlingError(e)) return 'THROTTLING';
  if (isTransientError(e)) return 'TRANSIENT';
  if (isServerError(e)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

interface ErrorShape {
  $response?: { headers?: Record<string, string> };
}

/** The SDK's reading of `Retry-After` (seconds or an HTTP date) and `x-amz-retry-after` (ms). */
function retryAfterHint(error: unknown): Date | undefined {
  const headers = (error as ErrorShape | undefined)?.$response?.headers;
  if (!headers) return undefined;
  const amz = headers['x-amz-retry-after'];
  if (amz !== undefined) return Number.isNaN(Number(amz)) ? undefined : new Date(Date.now() + Number(amz));
  const after = headers['retry-after'];
  if (after === undefined) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(after) ? Number(after) : (Date.parse(after) - Date.now()) / 1000;
  return Number.isNaN(seconds) ? undefined : new Date(Date.now() + seconds * 1000);
}

function asError(err: unknown): Error {
  if (err instanceof Error) return err;
  if (err instanceof Object) return Object.assign(new Error(), err);
  return new Error(String(err));
}

/** `work`, or a rejection with an `AbortError` as soon as the signal aborts (the SDK's `race`). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      const reason: unknown = signal.reason;
      reject(
        Object.assign(new Error('Request aborted'), {
          name: 'AbortError',
          cause: reason instanceof Error ? reason : undefined,
        }),
      );
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
