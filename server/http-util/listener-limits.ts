import type { Server, ServerResponse } from 'node:http';
import { Counter } from 'prom-client';
import type { ConfigGetter } from '../config-reader/types';
import type { SelfMetrics } from '../self-metrics/self-metrics';

/**
 * Tempo's (dskit's) `server.http_server_*_timeout` and `server.http_listen_conn_limit`, applied to
 * every HTTP listener (:3200 and the OTLP/HTTP receiver). Without them a client trickling a body
 * a byte a second, or holding connections open without a word, kept them forever (Fastify turns
 * Node's request timeout off).
 */
export interface HttpServerLimits {
  /** The whole request, headers and body, must arrive within this (0: no limit). */
  readTimeoutMs: number;
  /** The request headers must arrive within this (at most `readTimeoutMs`; 0: no limit). */
  readHeaderTimeoutMs: number;
  /** A response whose bytes wait this long for a client that does not read them is dropped. */
  writeTimeoutMs: number;
  /** A kept-alive connection with no request for this long is closed. */
  idleTimeoutMs: number;
  /** Open connections per listener; more are closed as they arrive (0: no limit). */
  maxConnections: number;
}

/** Tempo's timeouts (30s, 30s, 120s); the connection cap is Loupe's (dskit has none by default). */
export const HTTP_SERVER_DEFAULTS: HttpServerLimits = {
  readTimeoutMs: 30_000,
  readHeaderTimeoutMs: 30_000,
  writeTimeoutMs: 30_000,
  idleTimeoutMs: 120_000,
  maxConnections: 1000,
};

/** The `server.*` keys' values, defaults where a key is not set. */
export function buildHttpServerLimits(get: ConfigGetter): HttpServerLimits {
  const d = HTTP_SERVER_DEFAULTS;
  const readTimeoutMs = get('server.http_server_read_timeout', d.readTimeoutMs);
  return {
    readTimeoutMs,
    // As Go's ReadHeaderTimeout: unset (or 0), the read timeout applies to the headers too.
    readHeaderTimeoutMs: get('server.http_server_read_header_timeout', 0) || readTimeoutMs,
    writeTimeoutMs: get('server.http_server_write_timeout', d.writeTimeoutMs),
    idleTimeoutMs: get('server.http_server_idle_timeout', d.idleTimeoutMs),
    maxConnections: Math.max(0, get('server.http_listen_conn_limit', d.maxConnections)),
  };
}

/** Which listener dropped a connection: :3200, :4318, :4317, or a Zipkin or Jaeger receiver's. */
export type ListenerName =
  | 'api'
  | 'otlp_http'
  | 'otlp_grpc'
  | 'zipkin'
  | 'jaeger_thrift_http'
  | 'jaeger_grpc';
export type DropReason = 'max_connections' | 'read_timeout' | 'write_timeout';

const counters = new WeakMap<SelfMetrics, Counter<'listener' | 'reason'>>();

/** `loupe_connections_dropped_total`, one per SelfMetrics (both listeners share it). */
export function droppedConnections(metrics: SelfMetrics): Counter<'listener' | 'reason'> {
  let counter = counters.get(metrics);
  if (!counter) {
    counter = new Counter({
      name: 'loupe_connections_dropped_total',
      help: 'Connections or calls dropped by a listener (api, otlp_http, otlp_grpc, zipkin, jaeger_thrift_http, jaeger_grpc), by reason (max_connections, read_timeout, write_timeout).',
      labelNames: ['listener', 'reason'],
      registers: metrics.registers,
    });
    counters.set(metrics, counter);
  }
  return counter;
}

/** Sets `limits` on a Node HTTP server before it listens; `onDrop` hears of every connection dropped. */
export function applyHttpServerLimits(
  server: Server,
  limits: HttpServerLimits,
  onDrop: (reason: DropReason) => void,
): void {
  const read = limits.readTimeoutMs;
  const header = limits.readHeaderTimeoutMs;
  server.requestTimeout = read;
  // Node wants the header timeout within the request timeout; 0 is "none" for either.
  server.headersTimeout = read > 0 && header > 0 ? Math.min(read, header) : read || header;
  // Node checks both timeouts on this beat (30 s by default: a 1 s timeout could take 31 s).
  // Read when the server starts listening, so it has to be set before.
  const shortest = Math.min(...[read, server.headersTimeout].filter((t) => t > 0));
  // (A documented createServer option, writable on the instance; @types/node does not list it.)
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(
    50,
    Math.min(1000, Math.floor(shortest / 4)),
  );
  // As Go's IdleTimeout: without one, the read timeout applies.
  server.keepAliveTimeout = limits.idleTimeoutMs || read;
  if (limits.maxConnections > 0) server.maxConnections = limits.maxConnections;
  server.on('drop', () => onDrop('max_connections'));
  // Node turns both timeouts into this error; Fastify's own handler answers 408 and closes.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timedOut) onDrop('read_timeout');
    // Alone, this listener would stop Node from answering and closing: do what Node would have.
    if (server.listenerCount('clientError') > 1 || socket.destroyed) return;
    const status = timedOut ? '408 Request Timeout' : '400 Bad Request';
    if (socket.writable) socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    socket.destroy();
  });
  if (limits.writeTimeoutMs > 0) {
    server.on('request', (_req, res: ServerResponse) =>
      dropStalledWrites(res, limits.writeTimeoutMs, () => onDrop('write_timeout')),
    );
  }
}

/**
 * Closes the connection once bytes of `res` have waited `ms` for the client to read them. Unlike
 * Go's WriteTimeout this does not bound the handler's own time (queries have their own
 * deadlines, longer than 30 s): a timer that fires with nothing waiting is simply re-armed. Node
 * replaces the socket timeout with the keep-alive one once the response is done.
 */
function dropStalledWrites(res: ServerResponse, ms: number, onDrop: () => void): void {
  res.setTimeout(ms, () => {
    const socket = res.socket;
    if (!socket) return;
    if (socket.writableLength > 0) {
      onDrop();
      socket.destroy();
    } else socket.setTimeout(ms);
  });
}
