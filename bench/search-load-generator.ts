import http from 'node:http';
import { SearchData } from './search-data';

/**
 * The search benchmark's load-generator process: builds each OTLP protobuf request just before it
 * is sent (`SearchData`, a copy and a patch per span), sends them to Loupe over HTTP at a fixed
 * concurrency, and prints one JSON line of results. Nothing is held in memory but the requests
 * in flight, so 10M spans need no more than 1M do.
 * Usage: tsx bench/search-load-generator.ts <otlpHttpPort> <traces> <spansPerTrace> <concurrency> <seed> <startMs> <chosen>
 */
const [port, traces, spansPerTrace, concurrency, seed, startMs, chosen] = process.argv.slice(2).map(Number);

const data = new SearchData({ traces, spansPerTrace, seed, startMs, chosen });

// Same-run baseline: how fast this process builds requests when it does nothing else.
const sample = Math.min(data.requests, 2_000);
let sampleSpans = 0;
for (let r = 0; r < sample; r++) data.request(r); // warm up
const genBegan = performance.now();
for (let r = 0; r < sample; r++) sampleSpans += data.request(r).spans;
const generatorSpansPerSec = (sampleSpans * 1000) / (performance.now() - genBegan);

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });

function send(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/traces',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cpuBefore = process.cpuUsage();
let next = 0;
let failures = 0;
let spans = 0;
let rawBytes = 0;
const began = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < data.requests) {
      const request = data.request(next++);
      spans += request.spans;
      rawBytes += request.body.length;
      if ((await send(request.body)) !== 200) failures++;
    }
  }),
);
const seconds = (performance.now() - began) / 1000;
agent.destroy();
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    requests: data.requests,
    spans,
    rawBytes,
    seconds,
    spansPerSec: spans / seconds,
    failures,
    generatorSpansPerSec,
    loadGeneratorCpuSeconds: (cpu.user + cpu.system) / 1e6,
  }),
);
