import { pipeline, Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROMETHEUS_PROXY_PATH } from '../metrics-config';

export interface PrometheusProxyOptions {
  /** Base URL of the external Prometheus, without a trailing slash. */
  prometheusUrl: string;
  /** `metrics.prometheus_proxy_max_response_size`: bytes of an answer passed on at most. */
  maxResponseBytes: number;
  /** Counts answers refused (announced over the cap) or cut (grew past it while streamed). */
  onRefused?: (reason: 'response_too_large' | 'response_cut') => void;
}

const TIMEOUT_MS = 60_000;
/** What may follow the proxy prefix: Prometheus's read API, no `%`, `?`, `#`, `\` or `..`. */
const PROXIED_PATH = /^api\/v1\/[a-z_/:A-Z0-9.-]*$/;

/**
 * Forwards `/loupe/proxy/prometheus/api/v1/*` to a configured Prometheus, so the UI can query it
 * from the same origin. Only the read API is forwarded (GET and POST); other paths are 404.
 *
 * Answers are streamed to the client, at most `maxResponseBytes` of them: an answer announcing
 * more (Content-Length) is refused with a 502 naming the limit; one that grows past it while
 * streaming (chunked) is cut, the connection closed before the end of the body.
 *
 * Every request goes to the configured origin and below its path, and redirects are not
 * followed: a redirect would turn the proxy into a way to fetch any URL the server can reach
 * (an internal service, a cloud metadata endpoint) and hand its body to the browser.
 */
export async function prometheusProxyRoutes(
  app: FastifyInstance,
  opts: PrometheusProxyOptions,
): Promise<void> {
  const base = new URL(`${opts.prometheusUrl}/`);
  const forward = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const path = request.params['*'];
    const target =
      PROXIED_PATH.test(path) && !path.includes('..') ? upstreamUrl(base, path, request.url) : undefined;
    if (!target) {
      return reply
        .code(404)
        .send({ status: 'error', errorType: 'not_found', error: `not proxied: /${path}` });
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (request.method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const raw = request.body as Record<string, string | string[]> | undefined;
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(raw ?? {}))
        for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
      body = form.toString();
    }
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method: request.method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      return reply.code(502).send({
        status: 'error',
        errorType: 'unavailable',
        error: `Prometheus at ${opts.prometheusUrl} is unreachable: ${(err as Error).message}`,
      });
    }
    if (upstream.status >= 300 && upstream.status < 400) {
      await upstream.body?.cancel();
      const location = upstream.headers.get('location') ?? '(no Location header)';
      return reply.code(502).send({
        status: 'error',
        errorType: 'unavailable',
        error: `Prometheus at ${opts.prometheusUrl} answered ${upstream.status} with a redirect to ${location}, which is not followed: set metrics.prometheus_url to the address the redirect ends at`,
      });
    }
    const announced = Number(upstream.headers.get('content-length') ?? Number.NaN);
    if (announced > opts.maxResponseBytes) {
      await upstream.body?.cancel();
      opts.onRefused?.('response_too_large');
      return reply.code(502).send({
        status: 'error',
        errorType: 'execution',
        error: `Prometheus at ${opts.prometheusUrl} answered ${announced} bytes, over the proxy's limit of ${opts.maxResponseBytes} (metrics.prometheus_proxy_max_response_size): narrow the query (shorter range, larger step, fewer series) or raise the limit`,
      });
    }
    reply.code(upstream.status).type(upstream.headers.get('content-type') ?? 'application/json');
    if (!upstream.body) return reply.send('');
    // Streamed as it arrives, never held whole: a 200 MB answer held as text took 1 GB. The
    // pipeline tears down both ends together: a cut, or a client gone, cancels the upstream read.
    const source = Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>);
    const capped = byteCap(opts.maxResponseBytes, () => opts.onRefused?.('response_cut'));
    return reply.send(pipeline(source, capped, () => {}));
  };
  app.get(`${PROMETHEUS_PROXY_PATH}/*`, forward);
  app.post(`${PROMETHEUS_PROXY_PATH}/*`, forward);
}

/**
 * Passes bytes through until more than `maxBytes` went by, then fails: the headers are gone by
 * then, so the only honest signal left is a cut connection (the client sees a truncated body,
 * never a shorter answer that looks complete).
 */
function byteCap(maxBytes: number, onCut: () => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen <= maxBytes) return done(null, chunk);
      onCut();
      done(new Error(`proxied Prometheus answer passed ${maxBytes} bytes; cut`));
    },
  });
}

/**
 * `path` (and the request's query string) resolved below `base`; undefined unless the result is
 * on the same origin and under the same path, whatever the request's characters did.
 */
function upstreamUrl(base: URL, path: string, requestUrl: string): URL | undefined {
  const queryIndex = requestUrl.indexOf('?');
  const target = new URL(path, base);
  if (queryIndex >= 0) target.search = requestUrl.slice(queryIndex);
  const contained = target.origin === base.origin && target.pathname.startsWith(base.pathname);
  return contained ? target : undefined;
}
