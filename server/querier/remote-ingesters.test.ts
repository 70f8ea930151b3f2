import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { UnflushedTraceRef } from '../query/unflushed-source';
import { encodeUnflushedTraces } from '../query/unflushed-wire';
import { RemoteIngesters } from './remote-ingesters';

/**
 * The querier's side of several ingesters, against small HTTP servers that answer as an
 * ingester's internal routes do: what it merges, what it learns, what it does when one is gone.
 */
interface FakeIngester {
  instance: string;
  refs: UnflushedTraceRef[];
  parts: Map<string, string[]>;
  blocks: string[];
  tenants: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(fake: FakeIngester): Promise<string> {
  const server = createServer((req, res) => {
    fake.tenants.push(String(req.headers['x-scope-orgid']));
    if (req.url === '/internal/v1/unflushed/refs') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ instance: fake.instance, refs: fake.refs, blocks: fake.blocks }));
      return;
    }
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const keys = (JSON.parse(body) as { keys: string[] }).keys;
      const traces = new Map(
        keys
          .filter((k) => fake.parts.has(k))
          .map((k) => [k, { parts: (fake.parts.get(k) ?? []).map((p) => Buffer.from(p)), truncated: false }]),
      );
      res.end(encodeUnflushedTraces({ instance: fake.instance, traces, blocks: fake.blocks }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const ref = (key: string, startMs: number, endMs: number, spanCount: number): UnflushedTraceRef => ({
  key,
  startMs,
  endMs,
  spanCount,
  partlyFlushed: false,
});

function fake(instance: string, overrides: Partial<FakeIngester> = {}): FakeIngester {
  return { instance, refs: [], parts: new Map(), blocks: [], tenants: [], ...overrides };
}

function client(addresses: string[]) {
  const events = { learned: [] as string[][], polls: 0, errors: [] as string[] };
  const remote = new RemoteIngesters({
    addresses: async () => addresses,
    learnBlocks: async (_tenant, ids) => {
      events.learned.push([...ids].sort());
    },
    pollBlocks: async () => {
      events.polls++;
    },
    timeoutMs: 2000,
    onError: (address) => events.errors.push(address),
  });
  return { remote, events };
}

describe('RemoteIngesters', () => {
  it('merges a trace held by two ingesters into one ref that must be judged whole, and joins its parts', async () => {
    const a = fake('a', {
      refs: [ref('k1', 100, 200, 2), ref('k2', 50, 60, 1)],
      parts: new Map([['k1', ['a1', 'a2']]]),
      blocks: ['block-a'],
    });
    const b = fake('b', {
      refs: [ref('k1', 90, 250, 3)],
      parts: new Map([['k1', ['b1']]]),
      blocks: ['block-b'],
    });
    const { remote, events } = client([await serve(a), await serve(b)]);

    const refs = await remote.unflushedRefs('tenant-x');
    expect(refs.find((r) => r.key === 'k1')).toEqual({
      key: 'k1',
      startMs: 90,
      endMs: 250,
      spanCount: 5,
      partlyFlushed: true,
    });
    expect(refs.find((r) => r.key === 'k2')?.partlyFlushed).toBe(false);
    const traces = await remote.unflushedTraces('tenant-x', ['k1', 'k2']);
    expect(
      traces
        .get('k1')
        ?.parts.map((p) => Buffer.from(p).toString())
        .sort(),
    ).toEqual(['a1', 'a2', 'b1']);
    expect(traces.has('k2')).toBe(false);
    // Blocks both ingesters flushed lately are learned before each answer is used.
    expect(events.learned).toEqual([
      ['block-a', 'block-b'],
      ['block-a', 'block-b'],
    ]);
    expect(a.tenants).toEqual(['tenant-x', 'tenant-x']);
  });

  it('answers from the ingesters that answer, and polls the bucket once when one that answered before goes away', async () => {
    const a = fake('a', { refs: [ref('k1', 1, 2, 1)] });
    const { remote, events } = client([await serve(a), '127.0.0.1:1']);
    expect((await remote.unflushedRefs('t')).map((r) => r.key)).toEqual(['k1']);
    expect(events.errors).toEqual(['127.0.0.1:1']);
    // Never seen answering: nothing it flushed can be newer than this querier's own load.
    expect(events.polls).toBe(0);

    await new Promise<void>((r) => servers[0].close(() => r()));
    servers.length = 0;
    expect(await remote.unflushedRefs('t')).toEqual([]);
    expect(events.polls).toBe(1);
    await remote.unflushedRefs('t');
    expect(events.polls).toBe(1);
  });

  it('polls the bucket when an ingester answers as a new instance (it restarted)', async () => {
    const a = fake('first');
    const { remote, events } = client([await serve(a)]);
    await remote.unflushedRefs('t');
    expect(events.polls).toBe(0);
    a.instance = 'second';
    await remote.unflushedRefs('t');
    expect(events.polls).toBe(1);
  });
});
