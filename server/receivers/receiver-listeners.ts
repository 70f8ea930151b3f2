import type * as grpc from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { listenApp } from '../http-util/listen';
import { droppedConnections, type HttpServerLimits, type ListenerName } from '../http-util/listener-limits';
import type { SelfMetrics } from '../self-metrics/self-metrics';
import { listenGrpc } from './otlp-grpc';

/** Listeners that started: the bound port of each, by name, and one call that stops them all. */
export interface RunningListeners<Name extends string> {
  ports: Partial<Record<Name, number>>;
  /** Stops taking requests; calls under way finish. */
  close(): Promise<void>;
}

/** Where a receiver listens, as its config gives it. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** What `startListeners` hands its `start` callback: each call starts one listener. */
export interface ReceiverListeners<Name extends string> {
  /**
   * Serves a receiver's Fastify app with the server's HTTP timeouts and connection cap; its
   * dropped connections are counted under `listener`.
   */
  http(name: Name, app: FastifyInstance, at: ListenAddress, listener: ListenerName): Promise<void>;
  /** Serves a receiver's gRPC server (its read timeout was set when it was made: `readTimedOut`). */
  grpc(name: Name, server: grpc.Server, at: ListenAddress): Promise<void>;
  /** For a gRPC server's `onReadTimeout`: counts each call dropped under `listener`. */
  readTimedOut(listener: ListenerName): () => void;
}

/**
 * Runs `start`, which starts receivers' listeners one after the other; each one's port is
 * recorded under its name and its closer kept (before it listens, so a half-started one is
 * closed too). If any fails to start (a port in use), those that did are stopped before the
 * error is thrown: a failed start leaves nothing listening.
 */
export async function startListeners<Name extends string>(
  deps: { limits: HttpServerLimits; metrics: SelfMetrics },
  start: (listeners: ReceiverListeners<Name>) => Promise<void>,
): Promise<RunningListeners<Name>> {
  const dropped = droppedConnections(deps.metrics);
  const ports: Partial<Record<Name, number>> = {};
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    await Promise.all(closers.map((closeOne) => closeOne()));
  };
  const listeners: ReceiverListeners<Name> = {
    async http(name, app, at, listener) {
      closers.push(() => app.close());
      ports[name] = await listenApp(app, at.host, at.port, {
        limits: deps.limits,
        onDrop: (reason) => dropped.inc({ listener, reason }),
      });
    },
    async grpc(name, server, at) {
      closers.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
      ports[name] = await listenGrpc(server, at.host, at.port);
    },
    readTimedOut: (listener) => () => dropped.inc({ listener, reason: 'read_timeout' }),
  };
  try {
    await start(listeners);
  } catch (err) {
    await close();
    throw err;
  }
  return { ports, close };
}
