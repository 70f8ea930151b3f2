import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { startLoupe } from '../server/loupe';
import { ProtoWriter } from '../server/otlp/proto-writer';
import { otlpProtoTypes } from '../server/otlp/protobuf-root';
import { tempDataDir, testConfig } from '../server/testing/test-config';
import { type BenchFigure, figureRow } from './figure';

export interface LogsBenchResult {
  figures: BenchFigure[];
}

export interface LogsBenchOptions {
  /** `http://host:port` of the OTLP/HTTP receiver. */
  otlpUrl: string;
  /** `http://host:port` of the query API (:3200). */
  apiUrl: string;
  /** Lines to ingest; default 1,000,000. */
  lines?: number;
  /** query_range requests timed; default 20. */
  queries?: number;
}

const LINES_PER_REQUEST = 1_000;
const CONCURRENCY = 8;
/** One line in this many carries the needle the filter looks for. */
const NEEDLE_EVERY = 100_000;
const SPREAD_MS = 50 * 60_000;

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

/** An ExportLogsServiceRequest of `count` logfmt lines of service `bench`, written with ProtoWriter. */
function buildRequest(first: number, count: number, total: number, startMs: number): Buffer {
  const w = new ProtoWriter(count * 160);
  w.openMessage(1); // resource_logs
  w.openMessage(1).openMessage(1).stringField(1, 'service.name'); // resource.attributes[0]
  w.openMessage(2).stringField(1, 'bench').closeMessage().closeMessage().closeMessage();
  w.openMessage(2); // scope_logs
  w.openMessage(1).stringField(1, 'bench-logger').closeMessage();
  for (let i = first; i < first + count; i++) {
    const nanos = BigInt(Math.floor(startMs + (i * SPREAD_MS) / total)) * 1_000_000n + BigInt(i % 1_000_000);
    const needle = i % NEEDLE_EVERY === 42 ? ' tag=needle-42' : '';
    const line = `level=info msg="request handled" path=/api/items/${i % 1000} status=200 duration=${i % 500}ms request_id=${i}${needle}`;
    w.openMessage(2); // log_records
    w.tag(1, 1).fixed64Big(nanos);
    w.varintField(2, 9);
    w.stringField(3, 'INFO');
    w.openMessage(5).stringField(1, line).closeMessage();
    w.closeMessage();
  }
  w.closeMessage().closeMessage();
  return Buffer.from(w.finish());
}

/**
 * (1) Log lines/s ingested over OTLP/HTTP protobuf (1,000 lines a request, 8 in flight), beside
 * the baseline of decoding the same requests with protobufjs in this process. (2) `query_range`
 * latency (p50/p99) of a line filter that must scan every line of the million, beside the
 * latency of `/ready` on the same server (the HTTP floor). The server must allow the ingest
 * rate (`logs.ingestion_rate_mb` / `ingestion_burst_size_mb` well above the defaults).
 */
export async function runLogsBench(opts: LogsBenchOptions): Promise<LogsBenchResult> {
  const total = opts.lines ?? 1_000_000;
  const queries = opts.queries ?? 20;
  const startMs = Date.now() - SPREAD_MS - 60_000;
  const requests: Buffer[] = [];
  for (let first = 0; first < total; first += LINES_PER_REQUEST) {
    requests.push(buildRequest(first, Math.min(LINES_PER_REQUEST, total - first), total, startMs));
  }

  const decodeStarted = performance.now();
  const type = otlpProtoTypes().ExportLogsServiceRequest;
  for (const request of requests) type.decode(request);
  const decodeLinesPerSec = total / ((performance.now() - decodeStarted) / 1000);

  let next = 0;
  let failures = 0;
  const ingestStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const body = requests[next++];
        const res = await fetch(`${opts.otlpUrl}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-protobuf' },
          body: new Uint8Array(body),
        });
        await res.arrayBuffer();
        if (!res.ok) failures++;
      }
    }),
  );
  const ingestLinesPerSec =
    ((requests.length - failures) * LINES_PER_REQUEST) / ((performance.now() - ingestStarted) / 1000);
  if (failures > 0)
    throw new Error(
      `${failures} of ${requests.length} log pushes failed (is the ingestion rate limit raised?)`,
    );

  const search = new URLSearchParams({
    query: '{service_name="bench"} |= "needle-42"',
    start: `${startMs - 1000}000000`,
    end: `${Date.now() + 1000}000000`,
    limit: '100',
  });
  const time = async (url: string, check?: (body: string) => void) => {
    const started = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    const ms = performance.now() - started;
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${body}`);
    check?.(body);
    return ms;
  };
  const expected = Math.ceil((total - 42) / NEEDLE_EVERY);
  const checkMatches = (body: string) => {
    const found = (JSON.parse(body) as { data: { result: { values: unknown[] }[] } }).data.result.reduce(
      (n, s) => n + s.values.length,
      0,
    );
    if (found !== expected) throw new Error(`line filter found ${found} lines, expected ${expected}`);
  };
  const cold = await time(`${opts.apiUrl}/loki/api/v1/query_range?${search}`, checkMatches);
  const filterMs: number[] = [];
  const readyMs: number[] = [];
  for (let i = 0; i < queries; i++) {
    filterMs.push(await time(`${opts.apiUrl}/loki/api/v1/query_range?${search}`, checkMatches));
    readyMs.push(await time(`${opts.apiUrl}/ready`));
  }
  const lines = `${(total / 1e6).toLocaleString('en')}M lines`;
  return {
    figures: [
      {
        label: 'logs: OTLP protobuf lines ingested/s',
        value: Math.round(ingestLinesPerSec),
        unit: 'lines/s',
        baseline: Math.round(decodeLinesPerSec),
        baselineLabel: 'decode only (protobufjs)',
      },
      {
        label: `logs: query_range line filter over ${lines}, first run`,
        value: round(cold),
        unit: 'ms',
        baseline: round(percentile(readyMs, 0.5)),
        baselineLabel: '/ready',
      },
      {
        label: `logs: query_range line filter over ${lines}, p50`,
        value: round(percentile(filterMs, 0.5)),
        unit: 'ms',
        baseline: round(percentile(readyMs, 0.5)),
        baselineLabel: '/ready',
      },
      {
        label: `logs: query_range line filter over ${lines}, p99`,
        value: round(percentile(filterMs, 0.99)),
        unit: 'ms',
        baseline: round(percentile(readyMs, 0.99)),
        baselineLabel: '/ready',
      },
    ],
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** `npx tsx bench/logs.ts [lines]`: runs against a Loupe started in this process. */
async function standalone(): Promise<void> {
  const dataDir = tempDataDir('loupe-logs-bench-');
  const config = testConfig({}, dataDir);
  config.logs.limits.ingestionRateBytesPerSecond = 1e12;
  config.logs.limits.ingestionBurstBytes = 1e12;
  const loupe = await startLoupe(config, pino({ level: 'warn' }));
  try {
    const result = await runLogsBench({
      otlpUrl: `http://127.0.0.1:${loupe.ports.otlpHttp}`,
      apiUrl: `http://127.0.0.1:${loupe.ports.http}`,
      lines: process.argv[2] ? Number(process.argv[2]) : undefined,
    });
    for (const f of result.figures) console.log(`| ${figureRow(f).join(' | ')} |`);
  } finally {
    await loupe.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  standalone().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
