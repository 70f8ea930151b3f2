import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROMETHEUS_PROXY_PATH } from '../metrics-generator/metrics-config';

export interface PrometheusProxyOptions {
  /** Base URL of the external Prometheus, without a trailing slash. */
  prometheusUrl: string;
}

const TIMEOUT_MS = 60_000;

/**
 * Forwards `/loupe/proxy/prometheus/api/v1/*` to a configured Prometheus, so the UI can query it
 * from the same origin. Only the read API is forwarded (GET and POST); other paths are 404.
 */
export async function prometheusProxyRoutes(
  app: FastifyInstance,
  opts: PrometheusProxyOptions,
): Promise<void> {
  const forward = async (request: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const path = request.params['*'];
    if (!/^api\/v1\/[a-z_/:A-Z0-9.-]*$/.test(path) || path.includes('..')) {
      return reply
        .code(404)
        .send({ status: 'error', errorType: 'not_found', error: `not proxied: /${path}` });
    }
    const queryIndex = request.url.indexOf('?');
    const search = queryIndex >= 0 ? request.url.slice(queryIndex) : '';
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
      upstream = await fetch(`${opts.prometheusUrl}/${path}${search}`, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      return reply.code(502).send({
        status: 'error',
        errorType: 'unavailable',
        error: `Prometheus at ${opts.prometheusUrl} is unreachable: ${(err as Error).message}`,
      });
    }
    const text = await upstream.text();
    return reply
      .code(upstream.status)
      .type(upstream.headers.get('content-type') ?? 'application/json')
      .send(text);
  };
  app.get(`${PROMETHEUS_PROXY_PATH}/*`, forward);
  app.post(`${PROMETHEUS_PROXY_PATH}/*`, forward);
}
