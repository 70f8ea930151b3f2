import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * The queue stand-in: an in-memory message broker in the launcher's process, over HTTP.
 * `POST /topics/<topic>` `{headers, payload}` → 202 `{id}`; `GET /topics/<topic>?max=10&wait_ms=1000`
 * → the oldest messages (removed: one consumer group per topic), waiting up to `wait_ms` for one
 * to arrive. Like a real broker it is infrastructure, not a traced service: the trace context
 * travels in the message headers, and the services' messaging client (telemetry/queue.ts) makes
 * the PRODUCER and CONSUMER spans.
 */

interface StoredMessage {
  id: string;
  headers: Record<string, string>;
  payload: unknown;
}

/** Messages kept per topic at most; older ones are dropped (nobody consuming). */
const MAX_BACKLOG = 10_000;

export interface QueueBroker {
  /** Answers waiting consumers with nothing and closes the server. */
  close(): Promise<void>;
}

export async function startQueueBroker(port: number): Promise<QueueBroker> {
  const topics = new Map<string, StoredMessage[]>();
  const waiting = new Map<string, Set<() => void>>();
  let nextId = 1;

  const backlog = (topic: string) => {
    let list = topics.get(topic);
    if (!list) {
      list = [];
      topics.set(topic, list);
    }
    return list;
  };
  const wake = (topic: string) => {
    for (const resolve of waiting.get(topic) ?? []) resolve();
    waiting.get(topic)?.clear();
  };
  const waitFor = (topic: string, ms: number) =>
    new Promise<void>((resolve) => {
      const set = waiting.get(topic) ?? new Set();
      waiting.set(topic, set);
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      }
      set.add(done);
    });

  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://queue');
    const topic = /^\/topics\/([\w.-]+)$/.exec(url.pathname)?.[1];
    if (url.pathname === '/health') return reply(res, 200, { status: 'ok' });
    if (!topic) return reply(res, 404, { error: 'unknown path' });
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { headers, payload } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StoredMessage;
      const message = { id: `m-${nextId++}`, headers: headers ?? {}, payload };
      const list = backlog(topic);
      list.push(message);
      if (list.length > MAX_BACKLOG) list.shift();
      wake(topic);
      return reply(res, 202, { id: message.id });
    }
    const max = Number(url.searchParams.get('max') ?? 10);
    const waitMs = Math.min(Number(url.searchParams.get('wait_ms') ?? 0), 5_000);
    if (backlog(topic).length === 0 && waitMs > 0) await waitFor(topic, waitMs);
    return reply(res, 200, backlog(topic).splice(0, max));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => reply(res, 400, { error: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const topic of waiting.keys()) wake(topic);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
