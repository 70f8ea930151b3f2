import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcExport, isReady, metricValue, scrapeMetrics } from '../support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../support/otlp-request';

/**
 * A raw HTTP/2 client on :4317 that sends a call's headers and a length prefix (announcing more
 * than the maximum message, or a message it never finishes), then stalls, was never answered
 * without its own `grpc-timeout`, and its connection stayed forever. Now a call whose request has
 * not arrived within `server.http_server_read_timeout` is answered DEADLINE_EXCEEDED, and every
 * connection is closed at the latest `max_connection_age` + `max_connection_age_grace` after it
 * opened (`keepalive.server_parameters`, as in the Collector), idle ones after
 * `max_connection_idle`. Short values here so the test runs in seconds.
 */

const EXPORT = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const READ_TIMEOUT_MS = 700;
/** Age (±10% jitter) + grace, with room for a loaded machine. */
const CONNECTION_BOUND_MS = 1500 * 1.1 + 1000 + 1500;

interface StalledCall {
  session: http2.ClientHttp2Session;
  /** The gRPC status the server answered, once it does. */
  status: Promise<{ code: number; message: string; afterMs: number }>;
  /** Resolves when the server has closed the connection. */
  closed: Promise<number>;
}

/** Opens a connection, starts an Export with `frame` as its only bytes, and never ends it. */
function stall(address: string, frame?: Buffer): StalledCall {
  const started = Date.now();
  const session = http2.connect(`http://${address}`);
  session.on('error', () => {});
  const closed = new Promise<number>((resolve) => session.on('close', () => resolve(Date.now() - started)));
  const stream = session.request({
    ':method': 'POST',
    ':path': EXPORT,
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  stream.on('error', () => {});
  const status = new Promise<{ code: number; message: string; afterMs: number }>((resolve) => {
    const take = (headers: http2.IncomingHttpHeaders) => {
      if (headers['grpc-status'] === undefined) return;
      resolve({
        code: Number(headers['grpc-status']),
        message: decodeURIComponent(String(headers['grpc-message'] ?? '')),
        afterMs: Date.now() - started,
      });
    };
    stream.on('response', take);
    stream.on('trailers', take);
  });
  if (frame) stream.write(frame);
  return { session, status, closed };
}

/** A gRPC length prefix: not compressed, `length` bytes to follow. */
function prefix(length: number): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(length, 1);
  return header;
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms))]);

describe('stalled gRPC calls and connections', () => {
  let server: TestLoupe;
  const exportOk = async () => {
    const body = encodeTraceRequest([
      { service: 'healthy', spans: [simpleSpan(newTraceId(), 'ok', Date.now())] },
    ]);
    return (await grpcExport(server.grpc, body)).code;
  };

  beforeAll(async () => {
    server = await startTestLoupe({
      server: { http: { readTimeoutMs: READ_TIMEOUT_MS } },
      receivers: {
        grpc: {
          keepalive: { maxConnectionAgeMs: 1500, maxConnectionAgeGraceMs: 1000, maxConnectionIdleMs: 1000 },
        },
      },
    });
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('answers a frame announcing 100 MiB at once, and closes its connection within the bound', async () => {
    const call = stall(server.grpc, prefix(100 * 1024 * 1024));
    const status = await within(call.status, 2000, 'no status');
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(status.message).toContain('larger than max');
    // Another client's export goes through meanwhile.
    expect(await exportOk()).toBe(grpc.status.OK);
    const closedAfter = await within(call.closed, CONNECTION_BOUND_MS + 1000, 'connection still open');
    expect(closedAfter).toBeLessThanOrEqual(CONNECTION_BOUND_MS);
  });

  it('answers DEADLINE_EXCEEDED to a message left unfinished, naming the setting', async () => {
    const call = stall(server.grpc, Buffer.concat([prefix(1000), Buffer.alloc(10)]));
    const status = await within(call.status, 3000, 'a stalled call was never answered');
    expect(status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(status.message).toContain('server.http_server_read_timeout');
    expect(status.afterMs).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 50);
    await within(call.closed, CONNECTION_BOUND_MS + 1000, 'connection still open');
    const exposition = await scrapeMetrics(server.api);
    expect(
      metricValue(exposition, 'loupe_connections_dropped_total', {
        listener: 'otlp_grpc',
        reason: 'read_timeout',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('answers a call that sent headers only, the same way', async () => {
    const call = stall(server.grpc);
    const status = await within(call.status, 3000, 'a call with headers only was never answered');
    expect(status.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await within(call.closed, CONNECTION_BOUND_MS + 1000, 'connection still open');
  });

  it('closes a connection that never starts a call after max_connection_idle', async () => {
    const started = Date.now();
    const session = http2.connect(`http://${server.grpc}`);
    session.on('error', () => {});
    await within(new Promise((resolve) => session.on('close', resolve)), 4000, 'idle connection still open');
    expect(Date.now() - started).toBeLessThan(CONNECTION_BOUND_MS);
  });

  it('stays up: exports still succeed', async () => {
    expect(await exportOk()).toBe(grpc.status.OK);
    expect(await isReady(server.api)).toBe(true);
  });
});
