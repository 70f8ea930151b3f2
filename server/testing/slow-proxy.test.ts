import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SlowProxy, startSlowProxy } from './slow-proxy';

/** The proxy in front of a small HTTP server that echoes what it is sent, at once. */

let upstream: Server;
let proxy: SlowProxy;
let requests = 0;
/** An answer not held back, even on a busy machine. */
const QUICK_MS = 500;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    requests++;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const address = upstream.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  proxy = await startSlowProxy(`http://127.0.0.1:${address.port}`);
});

afterAll(async () => {
  await proxy?.close();
  await new Promise((resolve) => upstream?.close(resolve));
});

afterEach(() => proxy.restore());

async function timedPost(body: string, signal?: AbortSignal): Promise<{ ms: number; text: string }> {
  const began = performance.now();
  const res = await fetch(`${proxy.url}/echo`, { method: 'POST', body, signal });
  const text = await res.text();
  return { ms: performance.now() - began, text };
}

describe('SlowProxy', () => {
  it('passes requests and answers through unchanged', async () => {
    const answer = await timedPost('hello');
    expect(answer.text).toBe('POST /echo hello');
    expect(answer.ms).toBeLessThan(QUICK_MS);
  });

  it('delays every answer by the time asked, and no more', async () => {
    proxy.delayResponses(600);
    const answers = await Promise.all(['a', 'b', 'c'].map((body) => timedPost(body)));
    expect(answers.map((a) => a.text)).toEqual(['POST /echo a', 'POST /echo b', 'POST /echo c']);
    for (const { ms } of answers) {
      expect(ms).toBeGreaterThanOrEqual(595);
      expect(ms).toBeLessThan(2_000);
    }
    proxy.delayResponses(0);
    expect((await timedPost('quick')).ms).toBeLessThan(QUICK_MS);
  });

  it('holds answers while stalled, sends them on restore, and counts a request given up on', async () => {
    const before = requests;
    const abandonedBefore = proxy.stats.abandoned;
    proxy.stallResponses();
    const waiting = timedPost('held');
    const client = new AbortController();
    const givenUp = timedPost('given up', client.signal).catch((err: unknown) => err);
    await sleep(300);
    // The requests reached the server; their answers did not reach the client.
    expect(requests - before).toBe(2);
    client.abort();
    expect(await givenUp).toBeInstanceOf(Error);
    await sleep(50);
    expect(proxy.stats.abandoned - abandonedBefore).toBe(1);

    proxy.restore();
    const answer = await waiting;
    expect(answer.text).toBe('POST /echo held');
    expect(answer.ms).toBeGreaterThanOrEqual(295);
  });

  it('a stall turned into a delay lets held answers go after that delay', async () => {
    proxy.stallResponses();
    const waiting = timedPost('later');
    await sleep(100);
    proxy.delayResponses(200);
    const answer = await waiting;
    expect(answer.text).toBe('POST /echo later');
    expect(answer.ms).toBeGreaterThanOrEqual(290);
    expect(answer.ms).toBeLessThan(2_000);
  });
});
