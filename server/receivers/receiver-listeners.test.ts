import { createServer, type Server } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HTTP_SERVER_DEFAULTS } from '../http-util/listener-limits';
import { SelfMetrics } from '../self-metrics/self-metrics';
import { startListeners } from './receiver-listeners';

/**
 * Receivers' listeners on real ports: each bound port is reported under its name, one close
 * stops them all, and a listener that cannot start (its port taken) leaves none listening.
 */

const deps = () => ({ limits: HTTP_SERVER_DEFAULTS, metrics: new SelfMetrics() });
const LOCAL = { host: '127.0.0.1', port: 0 };

function helloApp() {
  const app = Fastify();
  app.get('/', async () => 'hello');
  return app;
}

/** A port some other process holds. */
async function takenPort(): Promise<{ port: number; blocker: Server }> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return { port: address.port, blocker };
}

const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/`).then(
    (res) => res.status,
    () => 'refused',
  );

let blocker: Server | undefined;
afterEach(() => {
  blocker?.close();
  blocker = undefined;
});

describe('startListeners', () => {
  it('reports each bound port by name; close stops every listener', async () => {
    const running = await startListeners<'web' | 'rpc'>(deps(), async (listen) => {
      await listen.http('web', helloApp(), LOCAL, 'otlp_http');
      await listen.grpc('rpc', new grpc.Server(), LOCAL);
    });
    const { web, rpc } = running.ports;
    expect(web).toBeGreaterThan(0);
    expect(rpc).toBeGreaterThan(0);
    expect(rpc).not.toBe(web);
    expect(await answers(web ?? 0)).toBe(200);
    await running.close();
    expect(await answers(web ?? 0)).toBe('refused');
  });

  it('a port in use: the error is thrown and what had started is stopped', async () => {
    const taken = await takenPort();
    blocker = taken.blocker;
    let startedPort = 0;
    const starting = startListeners<'first' | 'second'>(deps(), async (listen) => {
      const first = helloApp();
      await listen.http('first', first, LOCAL, 'otlp_http');
      startedPort = (first.server.address() as { port: number }).port;
      await listen.http('second', helloApp(), { host: '127.0.0.1', port: taken.port }, 'zipkin');
    });
    await expect(starting).rejects.toThrow(/EADDRINUSE/);
    expect(startedPort).toBeGreaterThan(0);
    expect(await answers(startedPort)).toBe('refused');
  });
});
