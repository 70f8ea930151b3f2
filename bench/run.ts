import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureDecode } from './decode';
import { figureRow } from './figure';
import { runLogsBench } from './logs';
import { runBenchScript, scrapeTotals, startLoupe, stopLoupe, writeBenchConfig } from './loupe-server';
import { runMetricsBench } from './metrics';
import { runRegexBench } from './regex';
import { printSamplingBench, runSamplingBench, samplingBenchOptionsFromEnv } from './sampling';
import { printSearchBench, runSearchBench, searchBenchOptionsFromEnv } from './search';
import { printStorageBench, runStorageBench, storageBenchOptionsFromEnv } from './storage';

/**
 * `npm run bench`: starts Loupe as its own process, drives it from a separate load-generator
 * process over OTLP/HTTP, and prints every figure beside a baseline measured in the same run.
 */
// BENCH_ONLY=search: the search benchmark alone (bench/search.ts).
if (process.env.BENCH_ONLY === 'search') {
  const search = await runSearchBench(searchBenchOptionsFromEnv());
  printSearchBench(search);
  process.exit(search.problems.length > 0 ? 1 : 0);
}
// BENCH_ONLY=storage: the storage benchmark alone (bench/storage.ts: S3 against local disk, compaction).
if (process.env.BENCH_ONLY === 'storage') {
  const storage = await runStorageBench(storageBenchOptionsFromEnv());
  printStorageBench(storage);
  process.exit(storage.problems.length > 0 ? 1 : 0);
}

// BENCH_ONLY=sampling: the tail-sampling benchmark alone (bench/sampling.ts).
if (process.env.BENCH_ONLY === 'sampling') {
  const sampling = await runSamplingBench(samplingBenchOptionsFromEnv());
  printSamplingBench(sampling);
  process.exit(sampling.problems.length > 0 ? 1 : 0);
}

const TRACES = Number(process.env.BENCH_TRACES ?? 100_000);
const SPANS_PER_TRACE = Number(process.env.BENCH_SPANS_PER_TRACE ?? 10);
const CONCURRENCY = 16;
const LOOKUPS = 2_000;
const PORTS = { http: 13300, grpc: 13317, otlp: 13318 };

const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-'));
// No per-tenant limits (writeBenchConfig's): the load is sent as fast as Loupe takes it (Tempo's
// defaults: 15 MB/s, 10,000 live traces, which would refuse part of it).
const configPath = writeBenchConfig({
  ports: PORTS,
  dataDir,
  idlePeriod: '2s',
  maxBlockBytes: 12_000_000,
  maxBlockDuration: '1m',
  extra: `logs:
  # The logs bench pushes ~100 MB as fast as it can: no per-tenant rate limit here.
  ingestion_rate_mb: 100000
  ingestion_burst_size_mb: 100000
`,
});
const startServer = () => startLoupe(configPath, PORTS.http, 60_000);

const runLoadGenerator = (idsFile: string) =>
  runBenchScript<{ spans: number; rawBytes: number; spansPerSec: number; failures: number }>(
    'bench/load-generator.ts',
    [PORTS.otlp, TRACES, SPANS_PER_TRACE, CONCURRENCY, idsFile],
  );
const scrape = () => scrapeTotals(PORTS.http);

async function latencies(urls: string[]): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  for (const url of urls) {
    const began = performance.now();
    const res = await fetch(url, { headers: { accept: 'application/protobuf' } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} → ${res.status}`);
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

const decode = await measureDecode();
let server = await startServer();
const idsFile = join(dataDir, 'trace-ids.json');
// Sample the WAL on disk while ingest runs: its peak shows whether block building keeps up.
// (A stat of the segment files, not a scrape: /metrics also renders every span-metrics series,
// which at this rate would take the server's time away from ingest.)
let walPeakBytes = 0;
const walDir = join(dataDir, 'wal');
const sampler = setInterval(() => {
  try {
    let bytes = 0;
    for (const name of readdirSync(walDir))
      if (name.endsWith('.wal')) bytes += statSync(join(walDir, name)).size;
    walPeakBytes = Math.max(walPeakBytes, bytes);
  } catch {
    // a segment deleted between readdir and stat
  }
}, 250);
const load = await runLoadGenerator(idsFile);
clearInterval(sampler);
// Let the worker finish cutting what ingest produced, then read its throughput.
await new Promise((r) => setTimeout(r, 3_000));
const metrics = await scrape();
await stopLoupe(server); // SIGTERM flushes everything left into blocks
server = await startServer();

const ids: string[] = JSON.parse(readFileSync(idsFile, 'utf8'));
const sample = Array.from({ length: LOOKUPS }, (_, i) => ids[(i * 7919) % ids.length]);
await latencies(sample.slice(0, 200).map((id) => `http://127.0.0.1:${PORTS.http}/api/traces/${id}`)); // warm up
const lookup = await latencies(sample.map((id) => `http://127.0.0.1:${PORTS.http}/api/v2/traces/${id}`));
const echo = await latencies(
  Array.from({ length: LOOKUPS }, () => `http://127.0.0.1:${PORTS.http}/api/echo`),
);
const blocks = readdirSync(join(dataDir, 'blocks', 'single-tenant')).length;
const blockBytes = dirBytes(join(dataDir, 'blocks', 'single-tenant'));
const logs = await runLogsBench({
  otlpUrl: `http://127.0.0.1:${PORTS.otlp}`,
  apiUrl: `http://127.0.0.1:${PORTS.http}`,
  lines: Number(process.env.BENCH_LOG_LINES ?? 1_000_000),
});
await stopLoupe(server);
const seriesMetrics = await runMetricsBench();
const regexFigures = runRegexBench(Number(process.env.BENCH_REGEX_LINES ?? 1_000_000));

const builtSpans = metrics.get('loupe_ingester_spans_flushed_total') ?? 0;
const buildSeconds = metrics.get('loupe_ingester_block_build_seconds_sum') ?? 0;
const rawPerSpan = load.rawBytes / load.spans;
const blockPerSpan = blockBytes / load.spans;
const rows = [
  [
    'ingest, OTLP/HTTP protobuf, c=16, 100-span requests',
    `${fmt(load.spansPerSec)} spans/s`,
    `decode-only: Loupe's reader ${fmt(decode.splitSpansPerSec)} spans/s, protobufjs ${fmt(decode.protobufjsSpansPerSec)} spans/s`,
    `${fmt((100 * load.spansPerSec) / decode.splitSpansPerSec, 1)}% / ${fmt((100 * load.spansPerSec) / decode.protobufjsSpansPerSec, 1)}%`,
  ],
  [
    'decoder vs protobufjs (same payloads)',
    `${fmt(decode.splitSpansPerSec)} spans/s`,
    `protobufjs ${fmt(decode.protobufjsSpansPerSec)} spans/s`,
    `${fmt(decode.ratio, 1)}×`,
  ],
  [
    'block building (worker, during ingest)',
    `${fmt(builtSpans / Math.max(buildSeconds, 1e-9))} spans/s`,
    `${fmt(builtSpans)} spans in ${fmt(buildSeconds, 2)} s of build time`,
    '',
  ],
  [
    `trace by ID over HTTP (${fmt(TRACES)} traces, ${blocks} blocks)`,
    `p50 ${fmt(lookup.p50, 2)} ms, p99 ${fmt(lookup.p99, 2)} ms`,
    `/api/echo p50 ${fmt(echo.p50, 2)} ms, p99 ${fmt(echo.p99, 2)} ms`,
    `p99 ${fmt(lookup.p99 / echo.p99, 1)}× echo`,
  ],
  [
    'block bytes per span (WAL excluded)',
    `${fmt(blockPerSpan, 1)} B`,
    `raw OTLP protobuf ${fmt(rawPerSpan, 1)} B`,
    `${fmt((100 * blockPerSpan) / rawPerSpan, 1)}% of raw`,
  ],
  [
    'WAL peak during ingest (reported apart from blocks)',
    `${fmt(walPeakBytes / 1e6, 1)} MB on disk`,
    `${fmt(load.rawBytes / 1e6, 1)} MB ingested`,
    '',
  ],
];
console.log(
  `\nLoupe benchmark — ${fmt(load.spans)} spans (${fmt(TRACES)} traces × ${SPANS_PER_TRACE}), ${load.failures} failed requests\n`,
);
console.log('| figure | Loupe | baseline (same run) | ratio |\n| --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
for (const figure of [...logs.figures, ...seriesMetrics.figures, ...regexFigures])
  console.log(`| ${figureRow(figure).join(' | ')} |`);
rmSync(dataDir, { recursive: true, force: true });
// BENCH_ONLY=traces: this first part alone (ingest, block building, trace by ID, bytes, logs, metrics).
if (process.env.BENCH_ONLY === 'traces') process.exit();
const search = await runSearchBench(searchBenchOptionsFromEnv());
printSearchBench(search);
if (search.problems.length > 0) process.exitCode = 1;
const storage = await runStorageBench(storageBenchOptionsFromEnv());
printStorageBench(storage);
if (storage.problems.length > 0) process.exitCode = 1;
const sampling = await runSamplingBench(samplingBenchOptionsFromEnv());
printSamplingBench(sampling);
if (sampling.problems.length > 0) process.exitCode = 1;
