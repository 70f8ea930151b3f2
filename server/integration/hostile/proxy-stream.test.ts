import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady, metricValue, scrapeMetrics } from '../support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';

/**
 * `/loupe/proxy/prometheus/*` read the whole upstream answer into a string before sending it: a
 * 200 MB answer cost over 1 GB of memory. Answers are now streamed as they arrive, and at most
 * `metrics.prometheus_proxy_max_response_size` bytes are passed on: an answer announcing more is
 * refused with a 502 naming the key; one that grows past it while streaming is cut.
 */

const MiB = 1024 * 1024;
const CAP = 1 * MiB;
const HEAD = '{"status":"success","data":{"resultType":"vector","result":[';

let upstream: Server;
let loupe: TestLoupe;
/** Bytes the chunked answer managed to write before its reader went away. */
let chunkedWritten = 0;
let chunkedClosed: Promise<void> = Promise.resolve();
let releaseGate: () => void = () => {};

/** Writes 64 KiB chunks until 200 MB or until the connection closes, whichever comes first. */
function endlessAnswer(res: ServerResponse): void {
  let closed!: () => void;
  chunkedClosed = new Promise((resolve) => {
    closed = resolve;
  });
  res.on('close', closed);
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const more = () => {
    while (!res.destroyed && chunkedWritten < 200 * MiB) {
      chunkedWritten += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  more();
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const mode = new URL(req.url ?? '/', 'http://upstream').searchParams.get('mode');
  if (mode === 'gate') {
    // The first bytes now, the rest only once the test has seen the first bytes arrive.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(HEAD);
    releaseGate = () => res.end(']}}');
  } else if (mode === 'announced') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * MiB) });
    res.write(HEAD);
  } else endlessAnswer(res);
}

const proxy = (mode: string) => `${loupe.api}/loupe/proxy/prometheus/api/v1/query?query=up&mode=${mode}`;
const refusals = async (reason: string) =>
  metricValue(await scrapeMetrics(loupe.api), 'loupe_metrics_proxy_responses_refused_total', { reason });

beforeAll(async () => {
  upstream = createServer(handle);
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  loupe = await startTestLoupe({
    metrics: { prometheusUrl: `http://127.0.0.1:${port}/prom`, prometheusProxyMaxResponseBytes: CAP },
  });
});

afterAll(async () => {
  await loupe?.loupe.stop();
  if (loupe) removeDir(loupe.dataDir);
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('the Prometheus proxy and large answers', () => {
  it('streams: the first bytes reach the client before the upstream has finished', async () => {
    // Held whole, nothing (not even the status) would arrive before the upstream ends.
    const res = await fetch(proxy('gate'), { signal: AbortSignal.timeout(3000) });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString()).toBe(HEAD);
    releaseGate();
    let text = Buffer.from(first.value!).toString();
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      text += Buffer.from(part.value).toString();
    }
    expect(JSON.parse(text)).toEqual({ status: 'success', data: { resultType: 'vector', result: [] } });
  });

  it('refuses an answer announcing more than the limit with a 502 naming it', async () => {
    const res = await fetch(proxy('announced'), { signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(502);
    const body = (await res.json()) as { status: string; error: string };
    expect(body.status).toBe('error');
    expect(body.error).toContain(`answered ${200 * MiB} bytes, over the proxy's limit of ${CAP}`);
    expect(body.error).toContain('metrics.prometheus_proxy_max_response_size');
    expect(await refusals('response_too_large')).toBe(1);
  });

  it('cuts a chunked answer that grows past the limit, and stops reading the upstream', async () => {
    const res = await fetch(proxy('chunked'));
    expect(res.status).toBe(200);
    let received = 0;
    const reader = res.body!.getReader();
    const read = (async () => {
      for (let part = await reader.read(); !part.done; part = await reader.read())
        received += part.value.length;
    })();
    await expect(read).rejects.toThrow();
    expect(received).toBeLessThanOrEqual(CAP);
    await chunkedClosed;
    // Kernel buffers hold a few MiB at most; without the cut the upstream writes all 200 MB.
    expect(chunkedWritten).toBeLessThan(32 * MiB);
    expect(await refusals('response_cut')).toBe(1);
    expect(await isReady(loupe.api)).toBe(true);
  });
});
