import { createServer, type RequestListener, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigYaml } from '../config/load-config';
import {
  applyHttpServerLimits,
  type DropReason,
  HTTP_SERVER_DEFAULTS,
  type HttpServerLimits,
} from './listener-limits';

/** Short timeouts, so each case settles in about a second. */
const SHORT: HttpServerLimits = {
  readTimeoutMs: 600,
  readHeaderTimeoutMs: 400,
  writeTimeoutMs: 300,
  idleTimeoutMs: 300,
  maxConnections: 0,
};

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(limits: HttpServerLimits, handler: RequestListener = (_req, res) => res.end('ok')) {
  const server = createServer(handler);
  const drops: DropReason[] = [];
  applyHttpServerLimits(server, limits, (reason) => drops.push(reason));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, drops };
}

/** A raw connection that records what it receives and when it was closed. */
function open(port: number) {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const state = { received: '', closedAfterMs: -1 };
  const started = Date.now();
  socket.on('data', (d) => {
    state.received += d.toString('latin1');
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      state.closedAfterMs = Date.now() - started;
      resolve();
    }),
  );
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, state, closed, connected };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(what)), ms))]);

describe('HTTP listener limits', () => {
  it('cuts off a body trickled a byte at a time once the read timeout passes, with a 408', async () => {
    const { port, drops } = await serve(SHORT, (req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const client = open(port);
    client.socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n');
    const trickle = setInterval(() => client.socket.writable && client.socket.write('a'), 100);
    await within(client.closed, 3000, 'trickled body still open after 3 s');
    clearInterval(trickle);
    expect(client.state.received).toMatch(/^HTTP\/1\.1 408/);
    expect(drops).toEqual(['read_timeout']);
  });

  it('drops partial headers and connections that never send a byte', async () => {
    const { port, drops } = await serve(SHORT);
    const partial = open(port);
    partial.socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
    const idle = Array.from({ length: 30 }, () => open(port));
    await within(Promise.all([partial.closed, ...idle.map((c) => c.closed)]), 3000, 'still open after 3 s');
    expect(partial.state.received).toMatch(/^HTTP\/1\.1 408/);
    expect(drops).toHaveLength(31);
  });

  it('closes a kept-alive connection once it has been idle for the idle timeout', async () => {
    const { port } = await serve({ ...SHORT, readTimeoutMs: 10_000, readHeaderTimeoutMs: 10_000 });
    const client = open(port);
    client.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await within(client.closed, 3000, 'idle keep-alive connection still open after 3 s');
    expect(client.state.received).toMatch(/^HTTP\/1\.1 200/);
    expect(client.state.closedAfterMs).toBeGreaterThanOrEqual(250);
  });

  it('closes connections past the cap as they arrive, and takes new ones once others leave', async () => {
    const { port, drops } = await serve({ ...SHORT, readTimeoutMs: 10_000, maxConnections: 5 });
    const held = Array.from({ length: 5 }, () => open(port));
    await Promise.all(held.map((c) => c.connected));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refused = open(port);
    await within(refused.closed, 1000, 'connection past the cap still open');
    expect(refused.state.received).toBe('');
    expect(drops).toEqual(['max_connections']);
    held[0].socket.destroy();
    await held[0].closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('ok');
  });

  it('drops a response the client stops reading, not a slow handler', async () => {
    const big = Buffer.alloc(64 * 1024 * 1024, 'x');
    const { port, drops } = await serve(SHORT, (req, res) => {
      if (req.url === '/slow') setTimeout(() => res.end('late but whole'), 1000);
      else res.end(big);
    });
    const slow = await fetch(`http://127.0.0.1:${port}/slow`);
    expect(await slow.text()).toBe('late but whole');

    const client = open(port);
    client.socket.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
    client.socket.pause();
    const dropped = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (drops.length === 0) return;
        clearInterval(poll);
        resolve();
      }, 20);
    });
    await within(dropped, 5000, 'stalled reader not dropped after 5 s');
    expect(drops).toEqual(['write_timeout']);
    // (A paused socket does not see its peer go.) Reading now finds the answer cut short.
    client.socket.resume();
    await within(client.closed, 5000, 'connection not closed');
    expect(client.state.received.length).toBeLessThan(big.length);
  });
});

describe('server.http_server_* and http_listen_conn_limit', () => {
  it('are read from a Tempo config, the header timeout defaulting to the read timeout', () => {
    const { config, warnings } = parseConfigYaml(
      'server:\n  http_server_read_timeout: 5s\n  http_server_write_timeout: 1m\n  http_server_idle_timeout: 2s\n  http_listen_conn_limit: 0\n',
      'test.yaml',
    );
    expect(warnings.filter((w) => w.includes('server'))).toEqual([]);
    expect(config.server.http).toEqual({
      readTimeoutMs: 5000,
      readHeaderTimeoutMs: 5000,
      writeTimeoutMs: 60_000,
      idleTimeoutMs: 2000,
      maxConnections: 0,
    });
    const header = parseConfigYaml('server:\n  http_server_read_header_timeout: 3s\n', 'test.yaml');
    expect(header.config.server.http).toEqual({ ...HTTP_SERVER_DEFAULTS, readHeaderTimeoutMs: 3000 });
  });
});
