import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import { shutdownTelemetry } from '../telemetry/instrument';
import { log } from '../telemetry/log';
import { type Endpoint, endpointUrl, type ServiceName } from '../topology';

/**
 * What every demo service shares: a plain `node:http` server with a small router, JSON in and
 * out, an access log line per request, calls to the other services with `fetch`, and a clean
 * stop (finish the requests in flight, flush the OpenTelemetry SDK, exit) on SIGTERM or SIGINT.
 * The spans come from the auto-instrumentations (http for the server side, undici for `fetch`);
 * the kit only names the server span after its route, as a web framework's instrumentation would.
 */

/** Ends a request with this status and `{ "error": message, "code": code }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = 'error',
  ) {
    super(message);
  }
}

export interface Request {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface Reply {
  status: number;
  body: unknown;
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });

export interface Route {
  method: 'GET' | 'POST';
  /** `/orders/:id`: a `:name` segment matches anything and lands in `params`. */
  path: string;
  handle: (request: Request) => Promise<Reply>;
}

interface ServiceOptions {
  routes: Route[];
  /** Runs on stop, after the server has stopped taking requests and before the SDK is flushed. */
  onStop?: () => Promise<void> | void;
}

function match(route: Route, method: string, path: string): Record<string, string> | undefined {
  if (route.method !== method) return undefined;
  const want = route.path.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'request body is not JSON', 'bad_request');
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const body = JSON.stringify(reply.body ?? {});
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

async function handle(routes: Route[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const url = new URL(req.url ?? '/', 'http://service');
  const method = req.method ?? 'GET';
  if (url.pathname === '/health') return send(res, ok({ status: 'ok' }));
  let route: Route | undefined;
  let params: Record<string, string> | undefined;
  for (const candidate of routes) {
    params = match(candidate, method, url.pathname);
    if (params) {
      route = candidate;
      break;
    }
  }
  // The http instrumentation names the server span `GET /orders/:id` and sets http.route from this.
  const rpc = getRPCMetadata(context.active());
  if (route && rpc?.type === RPCType.HTTP) rpc.route = route.path;
  let reply: Reply;
  try {
    if (!route || !params) throw new HttpError(404, `no route for ${method} ${url.pathname}`, 'not_found');
    reply = await route.handle({ params, query: url.searchParams, body: await readJson(req) });
  } catch (err) {
    if (err instanceof HttpError)
      reply = { status: err.status, body: { error: err.message, code: err.code } };
    else {
      const error = err instanceof Error ? err : new Error(String(err));
      log.error('unhandled error', { route: route?.path }, error);
      reply = { status: 500, body: { error: error.message, code: 'internal' } };
    }
  }
  // Logged before the answer goes out, while the server span is still open.
  const line = `${method} ${route?.path ?? url.pathname} ${reply.status}`;
  const fields = { duration_ms: Math.round(performance.now() - started) };
  if (reply.status >= 500) log.error(line, fields);
  else if (reply.status >= 400) log.warn(line, fields);
  else log.info(line, fields);
  send(res, reply);
}

/** Listens on the port of this service's URL (from the launcher) and stops cleanly on a signal. */
export function startService(name: ServiceName, options: ServiceOptions): void {
  const port = Number(new URL(endpointUrl(name)).port);
  const server = createServer((req, res) => {
    handle(options.routes, req, res).catch((err) => {
      console.error(err);
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal' } });
    });
  });
  server.listen(port, '127.0.0.1', () => console.log(`${name} listening on 127.0.0.1:${port}`));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${name}: ${signal}, stopping`);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
    await options.onStop?.();
    await shutdownTelemetry();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Calls another service (or the gateway) with `fetch`; the answer's status and parsed JSON body. */
export async function call<T = Record<string, unknown>>(
  endpoint: Endpoint,
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${endpointUrl(endpoint)}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** Passes a failed answer of another service on: same status, its message. */
export function fail(from: Endpoint, answer: { status: number; body: unknown }): never {
  const body = (answer.body ?? {}) as { error?: string; code?: string };
  throw new HttpError(answer.status, body.error ?? `${from} answered ${answer.status}`, body.code);
}
