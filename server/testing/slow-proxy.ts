import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of a server (S3, in the tests that use it) that can make the
 * server look slow: every byte the server sends back is held for a while (`delayResponses`), or
 * until further notice (`stallResponses`), before the client gets it. Requests reach the server
 * at once and unchanged, so signatures, keep-alive and streaming bodies work as without it.
 */
export interface SlowProxy {
  /** `http://127.0.0.1:PORT`: where clients connect instead of the server. */
  readonly url: string;
  /** Every response byte reaches the client `ms` after the server sent it (0: at once); order is kept. */
  delayResponses(ms: number): void;
  /** Response bytes are held until `restore()`. */
  stallResponses(): void;
  /** Back to passing bytes straight on; whatever is held goes to its client now. */
  restore(): void;
  /** Counters since the proxy started. */
  readonly stats: Readonly<ProxyStats>;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

export interface ProxyStats {
  /** Client connections accepted. */
  connections: number;
  /** Client connections open now. */
  open: number;
  /** Response bytes held back (delayed or stalled) so far. */
  heldBytes: number;
  /**
   * Client connections the client closed while it was waiting for an answer (it had sent bytes
   * since the last response bytes it was given): a request given up on, such as an aborted read.
   */
  abandoned: number;
}

type Mode = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'stall' };

interface Held {
  chunk: Buffer;
  /** When it may go to the client (performance.now() ms); Infinity while stalled. */
  at: number;
}

class Connection {
  private readonly held: Held[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The client sent bytes that no response byte has followed yet. */
  waiting = false;
  /** The server has finished sending: the client's side ends once nothing is held. */
  upstreamEnded = false;

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
  ) {}

  /** A chunk from the server, to go to the client when `at` comes, after those before it. */
  hold(chunk: Buffer, at: number): void {
    this.held.push({ chunk, at });
    this.pump();
  }

  get holding(): boolean {
    return this.held.length > 0;
  }

  /** Sends every chunk whose time has come (in order), and waits for the next one's. */
  pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = performance.now();
    while (this.held.length > 0 && this.held[0].at <= now) {
      const { chunk } = this.held.shift() as Held;
      this.waiting = false;
      if (!this.client.destroyed) this.client.write(chunk);
    }
    if (this.held.length === 0) {
      if (this.upstreamEnded && !this.client.destroyed) this.client.end();
      return;
    }
    const next = this.held[0].at;
    if (Number.isFinite(next)) this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
  }

  /** Brings forward what is held to go out at `release` at the latest (a stall's chunks wait forever until then). */
  retime(release: number): void {
    for (const held of this.held) held.at = Math.min(held.at, release);
    this.pump();
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.held.length = 0;
    this.client.destroy();
    this.upstream.destroy();
  }
}

/** Starts a proxy on 127.0.0.1 (an ephemeral port) to `target` (`http://host:port`). */
export async function startSlowProxy(target: string): Promise<SlowProxy> {
  const { hostname, port } = new URL(target);
  let mode: Mode = { kind: 'pass' };
  const stats: ProxyStats = { connections: 0, open: 0, heldBytes: 0, abandoned: 0 };
  const connections = new Set<Connection>();

  const server: Server = createServer((client) => {
    stats.connections++;
    stats.open++;
    const upstream = connect({ host: hostname, port: Number(port) });
    const conn = new Connection(client, upstream);
    connections.add(conn);
    client.setNoDelay(true);
    upstream.setNoDelay(true);

    client.on('data', (chunk) => {
      conn.waiting = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode.kind === 'pass' && !conn.holding) {
        conn.waiting = false;
        client.write(chunk);
        return;
      }
      stats.heldBytes += chunk.length;
      conn.hold(chunk, mode.kind === 'delay' ? performance.now() + mode.ms : Number.POSITIVE_INFINITY);
    });
    upstream.on('end', () => {
      conn.upstreamEnded = true;
      conn.pump();
    });
    client.on('end', () => upstream.end());
    client.on('close', () => {
      if (conn.waiting || conn.holding) stats.abandoned++;
      stats.open--;
      connections.delete(conn);
      conn.destroy();
    });
    client.on('error', () => conn.destroy());
    upstream.on('error', () => conn.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');

  return {
    url: `http://127.0.0.1:${address.port}`,
    stats,
    delayResponses(ms: number) {
      mode = ms > 0 ? { kind: 'delay', ms } : { kind: 'pass' };
      // What a stall held goes out `ms` from now; what an earlier delay held keeps its time.
      const release = performance.now() + ms;
      for (const conn of connections) conn.retime(release);
    },
    stallResponses() {
      mode = { kind: 'stall' };
    },
    restore() {
      mode = { kind: 'pass' };
      const now = performance.now();
      for (const conn of connections) conn.retime(now);
    },
    async close() {
      for (const conn of connections) conn.destroy();
      connections.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
