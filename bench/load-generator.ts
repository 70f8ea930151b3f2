import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { generateTraceRequests } from '../fixtures/synthetic-traces';

/**
 * The load-generator process of `npm run bench`: generates realistic OTLP protobuf requests,
 * sends them to Loupe over HTTP at a fixed concurrency, and prints one JSON line of results.
 * Usage: tsx bench/load-generator.ts <otlpHttpPort> <traces> <spansPerTrace> <concurrency> <traceIdsFile>
 */
const [port, traces, spansPerTrace, concurrency, idsFile] = process.argv.slice(2);

const generated = generateTraceRequests({
  traces: Number(traces),
  spansPerTrace: Number(spansPerTrace),
  spansPerRequest: 100,
  seed: 42,
});
writeFileSync(idsFile, JSON.stringify(generated.traceIds));

const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });

function send(body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: Number(port),
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
const began = performance.now();
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (next < generated.requests.length) {
      const body = generated.requests[next++];
      if ((await send(body)) !== 200) failures++;
    }
  }),
);
const seconds = (performance.now() - began) / 1000;
agent.destroy();
console.log(
  JSON.stringify({
    requests: generated.requests.length,
    spans: generated.spanCount,
    rawBytes: generated.rawBytes,
    seconds,
    spansPerSec: generated.spanCount / seconds,
    failures,
    loadGeneratorCpuSeconds: (() => {
      const u = process.cpuUsage(cpuBefore);
      return (u.user + u.system) / 1e6;
    })(),
  }),
);
