import * as grpc from '@grpc/grpc-js';
import type { ConfigGetter } from '../config-reader/types';

/**
 * The OpenTelemetry Collector's `keepalive.server_parameters` of the OTLP/gRPC receiver. 0 means
 * none (infinity), as in the Collector; Loupe's defaults are not infinite, see `GRPC_KEEPALIVE_DEFAULTS`.
 */
export interface GrpcKeepalive {
  /** A connection with no call for this long is sent GOAWAY and closed. */
  maxConnectionIdleMs: number;
  /** A connection older than this (±10%) is sent GOAWAY: its calls finish, new ones reconnect… */
  maxConnectionAgeMs: number;
  /** …and this long after that GOAWAY it is closed, calls still open or not. */
  maxConnectionAgeGraceMs: number;
  /** The server pings a connection silent for this long… */
  timeMs: number;
  /** …and closes it when the ping is not answered within this. */
  timeoutMs: number;
}

/**
 * A connection lives at most age + grace (11 minutes): that is what ends a stream whose client
 * stalled after its headers, since grpc-js answers such a call but keeps its stream open until
 * the connection goes. Pings as the Collector's defaults (2h, 20s).
 */
export const GRPC_KEEPALIVE_DEFAULTS: GrpcKeepalive = {
  maxConnectionIdleMs: 120_000,
  maxConnectionAgeMs: 600_000,
  maxConnectionAgeGraceMs: 60_000,
  timeMs: 2 * 3600_000,
  timeoutMs: 20_000,
};

/** `<grpc receiver>.keepalive.server_parameters.*`, defaults where a key is not set. */
export function buildGrpcKeepalive(get: ConfigGetter, grpcKey: string): GrpcKeepalive {
  const at = `${grpcKey}.keepalive.server_parameters`;
  const d = GRPC_KEEPALIVE_DEFAULTS;
  return {
    maxConnectionIdleMs: get(`${at}.max_connection_idle`, d.maxConnectionIdleMs),
    maxConnectionAgeMs: get(`${at}.max_connection_age`, d.maxConnectionAgeMs),
    maxConnectionAgeGraceMs: get(`${at}.max_connection_age_grace`, d.maxConnectionAgeGraceMs),
    timeMs: get(`${at}.time`, d.timeMs),
    timeoutMs: get(`${at}.timeout`, d.timeoutMs),
  };
}

/** grpc-js server options for `keepalive`; a 0 is left out (grpc-js's own default is "never"). */
export function keepaliveOptions(keepalive: GrpcKeepalive): grpc.ServerOptions {
  const options: grpc.ServerOptions = {};
  const set = (key: string, ms: number) => {
    if (ms > 0) options[key] = ms;
  };
  set('grpc.max_connection_idle_ms', keepalive.maxConnectionIdleMs);
  set('grpc.max_connection_age_ms', keepalive.maxConnectionAgeMs);
  set('grpc.max_connection_age_grace_ms', keepalive.maxConnectionAgeGraceMs);
  set('grpc.keepalive_time_ms', keepalive.timeMs);
  set('grpc.keepalive_timeout_ms', keepalive.timeoutMs);
  return options;
}

/**
 * A server interceptor answering DEADLINE_EXCEEDED to a call whose request has not arrived in
 * full (message and end of stream) within `ms`: a client that sends headers, or part of a
 * message, then stalls, is otherwise never answered unless it set its own `grpc-timeout`.
 * DEADLINE_EXCEEDED is retryable for OTLP exporters, as a stalled network usually is.
 */
export function requestReadDeadline(ms: number, onTimeout: () => void): grpc.ServerInterceptor {
  return (_method, call) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      clearTimeout(timer);
      timer = undefined;
    };
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        timer = setTimeout(() => {
          timer = undefined;
          onTimeout();
          call.sendStatus({
            code: grpc.status.DEADLINE_EXCEEDED,
            details: `the request did not arrive in full within ${ms} ms (server.http_server_read_timeout): the client stalled or sends too slowly`,
          });
        }, ms);
        next({
          onReceiveHalfClose: (done) => {
            stop();
            done();
          },
          onCancel: stop,
        });
      },
      sendStatus(status, next) {
        stop();
        next(status);
      },
    });
  };
}
