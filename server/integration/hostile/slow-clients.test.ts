import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchTrace, isReady, metricValue, postTraces, scrapeMetrics } from '../support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from '../support/otlp-request';

/**
 * Slow and silent clients held Loupe's HTTP listeners forever: an OTLP/HTTP body trickled a byte
 * a second was still open after 150 s, partial headers on :3200 lasted Node's 60 s, and 300 idle
 * connections all stayed. Tempo's `server.http_server_read_timeout`, `…_idle_timeout` and dskit's
 * `http_listen_conn_limit` now apply to :3200 and :4318 alike (short here, so this runs in seconds).
 */

const sockets: Socket[] = [];

/** A raw connection: what it received, and a promise settled when the server closes it. */
function open(base: string) {
  const { port } = new URL(base);
  const socket = connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  const state = { received: '' };
  socket.on('data', (d) => {
    state.received += d.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state, closed, connected };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms))]);

const dropped = async (server: TestLoupe, labels: Record<string, string>) =>
  metricValue(await scrapeMetrics(server.api), 'loupe_connections_dropped_total', labels);

afterAll(() => {
  for (const socket of sockets) socket.destroy();
});

describe('slow clients, with short timeouts', () => {
  let server: TestLoupe;
  const traceId = newTraceId();

  beforeAll(async () => {
    server = await startTestLoupe({
      server: {
        http: { readTimeoutMs: 800, readHeaderTimeoutMs: 500, writeTimeoutMs: 500, idleTimeoutMs: 500 },
      },
    });
    const body = encodeTraceRequest([
      { service: 'before', spans: [simpleSpan(traceId, 'kept', Date.now())] },
    ]);
    expect((await postTraces(server.otlp, body)).status).toBe(200);
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('cuts off an OTLP/HTTP body trickled one byte at a time, with a 408', async () => {
    const client = open(server.otlp);
    client.socket.write(
      'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\n',
    );
    const trickle = setInterval(() => client.socket.writable && client.socket.write('\x0a'), 100);
    await within(client.closed, 4000, 'trickled body still open after 4 s');
    clearInterval(trickle);
    expect(client.state.received).toMatch(/^HTTP\/1\.1 408/);
    expect(await dropped(server, { listener: 'otlp_http', reason: 'read_timeout' })).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('drops partial headers on :3200 within the header timeout', async () => {
    const client = open(server.api);
    client.socket.write('GET /api/echo HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    await within(client.closed, 3000, 'partial headers still open after 3 s');
    expect(client.state.received).toMatch(/^HTTP\/1\.1 408/);
    expect(await dropped(server, { listener: 'api', reason: 'read_timeout' })).toBeGreaterThanOrEqual(1);
  });

  it('closes 300 connections that never send a byte, on both listeners', async () => {
    const idle = Array.from({ length: 300 }, (_, i) => open(i % 2 ? server.api : server.otlp));
    await within(Promise.all(idle.map((c) => c.closed)), 5000, 'idle connections still open after 5 s');
  });

  it('closes a kept-alive connection left idle', async () => {
    const client = open(server.api);
    client.socket.write('GET /ready HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(client.closed, 4000, 'idle keep-alive connection still open after 4 s');
    expect(client.state.received).toMatch(/^HTTP\/1\.1 200/);
  });

  it('stays up: the trace accepted before is still there, and new pushes go through', async () => {
    expect(await isReady(server.api)).toBe(true);
    const answer = await fetchTrace(server.api, hex(traceId), 'v2-json');
    expect(answer.httpStatus).toBe(200);
    expect(answer.spans.map((s) => s.name)).toEqual(['kept']);
    const body = encodeTraceRequest([
      { service: 'after', spans: [simpleSpan(newTraceId(), 'new', Date.now())] },
    ]);
    expect((await postTraces(server.otlp, body)).status).toBe(200);
  });
});

describe('the connection cap (server.http_listen_conn_limit)', () => {
  let server: TestLoupe;
  const CAP = 10;

  beforeAll(async () => {
    server = await startTestLoupe({ server: { http: { maxConnections: CAP } } });
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it.each(['api', 'otlp'] as const)('closes connections past the cap on %s as they arrive', async (which) => {
    const base = server[which];
    const held = Array.from({ length: CAP }, () => open(base));
    await Promise.all(held.map((c) => c.connected));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = open(base);
    await within(refused.closed, 2000, 'a connection past the cap is still open');
    expect(refused.state.received).toBe('');
    const listener = which === 'api' ? 'api' : 'otlp_http';
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await dropped(server, { listener, reason: 'max_connections' })).toBe(1);
    expect(await isReady(server.api)).toBe(true);
  });
});
