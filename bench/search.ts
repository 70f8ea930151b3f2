import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BenchFigure, printFigureTable } from './figure';
import {
  rssOf,
  runBenchScript,
  scrapeTotals,
  spawnLoupe,
  stopLoupe,
  untilReady,
  writeBenchConfig,
} from './loupe-server';
import { measureSearchBuild } from './search-build';
import { COMMON_SERVICE, SearchData, TRACE_SPACING_US } from './search-data';

/**
 * The search benchmark (part of `npm run bench`; alone: `BENCH_ONLY=search npm run bench` or
 * `npx tsx bench/search.ts`). Starts Loupe as its own process, ingests BENCH_SEARCH_TRACES traces
 * × BENCH_SEARCH_SPANS_PER_TRACE spans over OTLP/HTTP protobuf from a load-generator process,
 * flushes them to blocks (SIGTERM), restarts Loupe on those blocks and times TraceQL searches and
 * tag values beside a full scan and `/api/echo`, checking every answer. Layout: docs/benchmarks.md,
 * "Search".
 */

export interface SearchBenchOptions {
  traces?: number;
  spansPerTrace?: number;
  /** Timed runs of each query (≥ 20). */
  runs?: number;
  /** Ingester `max_block_bytes`; undefined leaves Tempo's default (500 MiB). */
  maxBlockBytes?: number;
}

export interface SearchFigure {
  figure: BenchFigure;
  /** The target with ✓/✗, or ''. */
  target: string;
}

export interface SearchBenchResult {
  figures: SearchFigure[];
  /** One line on what was measured. */
  heading: string;
  /** Answers that were wrong (empty when all were right). */
  problems: string[];
}

const PORTS = { http: 13400, grpc: 13417, otlp: 13418 };
const API = `http://127.0.0.1:${PORTS.http}`;
const CONCURRENCY = 16;
const SEED = 4242;
const WARMUPS = 3;
/** Tempo's (and Loupe's) default `ingester.max_block_bytes`. */
const TEMPO_MAX_BLOCK_BYTES = 500 * 1024 * 1024;

const benchBegan = performance.now();
/** Progress on stderr (the tables go to stdout): a long run shows where it is and what it has measured. */
function progress(message: string): void {
  process.stderr.write(
    `[search bench +${Math.round((performance.now() - benchBegan) / 1000)}s] ${message}\n`,
  );
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const mark = (ok: boolean) => (ok ? '✓' : '✗');

interface LoadResult {
  requests: number;
  spans: number;
  rawBytes: number;
  seconds: number;
  spansPerSec: number;
  failures: number;
  generatorSpansPerSec: number;
  loadGeneratorCpuSeconds: number;
}

interface SearchAnswer {
  traces: {
    traceID: string;
    rootServiceName: string;
    startTimeUnixNano: string;
    durationMs: number;
    spanSets?: { matched: number }[];
    serviceStats?: Record<string, { spanCount: number; errorCount?: number }>;
  }[];
  metrics: {
    inspectedTraces: number;
    inspectedSpans: string;
    inspectedBytes: string;
    totalBlocks: number;
    inspectedBlocks: number;
  };
}

/** The server process and its resident set, sampled every 250 ms into the current phase's peak. */
class Server {
  child?: ChildProcess;
  private readonly peaks = new Map<string, number>();
  private phase = 'start';
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly configPath: string) {
    this.timer = setInterval(() => this.sample(), 250);
  }

  /** Starts Loupe; resolves with the milliseconds until `/ready` answered. */
  async start(): Promise<number> {
    const began = performance.now();
    // Set at the spawn, not once ready: the 250 ms RSS timer samples the start too.
    this.child = spawnLoupe(this.configPath);
    await untilReady(this.child, PORTS.http, 600_000);
    return performance.now() - began;
  }

  /** SIGTERM (flushes everything into blocks); resolves with the milliseconds until exit. */
  async stop(): Promise<number> {
    const began = performance.now();
    await stopLoupe(this.child!);
    return performance.now() - began;
  }

  /** Samples from now on count towards `phase`'s peak. */
  enter(phase: string): void {
    this.sample();
    this.phase = phase;
    this.sample();
  }

  /** The resident set now, bytes. */
  rss(): number {
    return rssOf(this.child);
  }

  peak(phase: string): number {
    return this.peaks.get(phase) ?? 0;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const rss = this.rss();
    this.peaks.set(this.phase, Math.max(this.peaks.get(this.phase) ?? 0, rss));
  }
}

const runLoadGenerator = (args: (string | number)[]) =>
  runBenchScript<LoadResult>('bench/search-load-generator.ts', args);
const scrape = () => scrapeTotals(PORTS.http);

/** One timed GET; the body is read before the clock stops and parsed after. */
async function timed(url: string): Promise<{ ms: number; body: string }> {
  const began = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  const ms = performance.now() - began;
  if (!res.ok) throw new Error(`${url} → ${res.status}: ${body.slice(0, 300)}`);
  return { ms, body };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Bytes of the blocks' files, the search sidecar's (search.parquet, search-summary.json) apart. */
function blockBytes(tenantDir: string): { blocks: number; search: number; rest: number } {
  let search = 0;
  let rest = 0;
  let blocks = 0;
  for (const block of readdirSync(tenantDir, { withFileTypes: true })) {
    if (!block.isDirectory()) continue;
    blocks++;
    for (const entry of readdirSync(join(tenantDir, block.name), { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const size = statSync(join(entry.parentPath, entry.name)).size;
      if (entry.name === 'search.parquet' || entry.name === 'search-summary.json') search += size;
      else rest += size;
    }
  }
  return { blocks, search, rest };
}

const pad = (id: string) => id.padStart(32, '0');

export async function runSearchBench(options: SearchBenchOptions = {}): Promise<SearchBenchResult> {
  const traces = options.traces ?? 1_000_000;
  const spansPerTrace = options.spansPerTrace ?? 10;
  const runs = Math.max(20, options.runs ?? 25);
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-search-'));
  // No per-tenant limits (writeBenchConfig's): 1M traces are sent as fast as Loupe takes them
  // (Tempo's defaults: 15 MB/s, 10,000 live traces).
  const configPath = writeBenchConfig({
    ports: PORTS,
    dataDir,
    idlePeriod: '2s',
    maxBlockBytes: options.maxBlockBytes,
    extra: `querier:
  search:
    # The full-scan baseline reads every span; Tempo's default 30s would cut it short here.
    query_timeout: 10m
`,
  });
  // Data ends a minute before now; everything is inside Grafana's default search ranges of hours.
  const startMs = Math.floor((Date.now() - traces * (TRACE_SPACING_US / 1000) - 60_000) / 1000) * 1000;
  const data = new SearchData({ traces, spansPerTrace, seed: SEED, startMs, chosen: runs + WARMUPS });
  const problems: string[] = [];
  const server = new Server(configPath);
  try {
    // Ingest, then let the block builder finish what ingest cut (counters stop moving).
    const firstStartMs = await server.start();
    const idleRss = server.rss();
    server.enter('ingest');
    progress(`ingesting ${fmt(traces)} traces × ${spansPerTrace} spans`);
    const load = await runLoadGenerator([
      PORTS.otlp,
      traces,
      spansPerTrace,
      CONCURRENCY,
      SEED,
      startMs,
      runs + WARMUPS,
    ]);
    progress(
      `ingested ${fmt(load.spans)} spans in ${fmt(load.seconds, 1)} s: ${fmt(load.spansPerSec)} spans/s ` +
        `(${load.failures} failed requests); RSS peak ${fmt(server.peak('ingest') / 1e6)} MB; waiting for block building`,
    );
    if (load.failures > 0) problems.push(`${load.failures} of ${load.requests} ingest requests failed`);
    // Drained when every trace has gone idle into the head block and no full block is still
    // being built: what is left (less than max_block_bytes) is the head, flushed by SIGTERM.
    const maxBlockBytes = options.maxBlockBytes ?? TEMPO_MAX_BLOCK_BYTES;
    const drainBegan = performance.now();
    let metrics = await scrape();
    while (
      (metrics.get('loupe_ingester_live_traces') ?? 0) > 0 ||
      (metrics.get('loupe_wal_backlog_bytes') ?? 0) >= maxBlockBytes
    ) {
      await new Promise((r) => setTimeout(r, 2_000));
      metrics = await scrape();
    }
    const drainMs = performance.now() - drainBegan;
    progress(
      `blocks built ${fmt(drainMs / 1000, 1)} s after ingest: ${fmt(metrics.get('loupe_ingester_spans_flushed_total') ?? 0)} spans ` +
        `in ${fmt(metrics.get('loupe_ingester_block_build_seconds_sum') ?? 0, 1)} s of build time; RSS peak ${fmt(server.peak('ingest') / 1e6)} MB; SIGTERM`,
    );
    server.enter('flush');
    const shutdownMs = await server.stop(); // SIGTERM flushes the rest into blocks
    server.enter('restart');
    const restartMs = await server.start(); // and the blocks load from disk
    const restartRss = server.rss();

    const tenantDir = join(dataDir, 'blocks', 'single-tenant');
    const bytes = blockBytes(tenantDir);
    progress(
      `flushed in ${fmt(shutdownMs / 1000, 1)} s (RSS peak ${fmt(server.peak('flush') / 1e6)} MB), restarted in ${fmt(restartMs / 1000, 1)} s; ` +
        `${bytes.blocks} blocks, ${fmt((bytes.search + bytes.rest) / 1e6, 1)} MB (search ${fmt(bytes.search / 1e6, 1)} MB) ` +
        `of ${fmt(load.rawBytes / 1e6, 1)} MB raw; searching`,
    );

    // Expected answers, from the data's definition.
    const newest = (wanted: (i: number) => boolean) => {
      const ids: string[] = [];
      for (let i = traces - 1; i >= 0 && ids.length < 20; i--) if (wanted(i)) ids.push(data.facts(i).traceId);
      return ids;
    };
    const commonExpected = newest((i) => data.facts(i).callsCommonService);
    const errorsExpected = newest((i) => data.facts(i).errorSpans >= 3);
    const range = `start=${Math.floor(startMs / 1000) - 60}&end=${Math.ceil(Date.now() / 1000) + 3600}`;
    const search = (q: string, limit = 20) =>
      `${API}/api/search?q=${encodeURIComponent(q)}&limit=${limit}&spss=3&${range}`;
    const fullScanQuery = '{ name =~ "no-such-name.*" }';
    const FULL_SCAN_RUNS = 5;
    const commonQuery = `{ resource.service.name = "${COMMON_SERVICE}" }`;
    const errorsQuery = '{ status = error } | count() > 2';
    const tagValuesUrl = `${API}/api/v2/search/tag/span.customer_id/values`;

    const sameIds = (what: string, got: SearchAnswer, expected: string[]) => {
      const ids = got.traces.map((t) => pad(t.traceID));
      if (ids.join() !== expected.join()) {
        problems.push(
          `${what}: got [${ids.slice(0, 3).join(', ')}…] (${ids.length}), expected [${expected.slice(0, 3).join(', ')}…] (${expected.length})`,
        );
      }
    };
    const newestFirst = (what: string, got: SearchAnswer) => {
      for (let k = 1; k < got.traces.length; k++) {
        if (BigInt(got.traces[k].startTimeUnixNano) > BigInt(got.traces[k - 1].startTimeUnixNano)) {
          problems.push(`${what}: trace ${k} starts after trace ${k - 1} (not newest first)`);
          return;
        }
      }
    };
    const checkRare = (k: number, body: string) => {
      const got = JSON.parse(body) as SearchAnswer;
      const facts = data.facts(data.chosen[k]);
      const ids = got.traces.map((t) => pad(t.traceID));
      if (ids.length !== 1 || ids[0] !== facts.traceId) {
        problems.push(`rare ${facts.customerId}: got [${ids.join(', ')}], expected [${facts.traceId}]`);
      }
      return got;
    };
    const checkCommon = (body: string) => {
      const got = JSON.parse(body) as SearchAnswer;
      if (got.traces.length !== 20) problems.push(`common: ${got.traces.length} traces, expected 20`);
      newestFirst('common', got);
      sameIds('common', got, commonExpected);
      return got;
    };
    const checkErrors = (body: string) => {
      const got = JSON.parse(body) as SearchAnswer;
      for (const t of got.traces) {
        if (!t.spanSets?.some((set) => set.matched >= 3))
          problems.push(`errors: trace ${t.traceID} has no span set with ≥ 3 matches`);
      }
      newestFirst('errors', got);
      sameIds('errors', got, errorsExpected);
      return got;
    };
    let fullScanSpans = 0;
    const checkFullScan = (body: string) => {
      const got = JSON.parse(body) as SearchAnswer;
      if (got.traces.length !== 0) problems.push(`full scan: ${got.traces.length} traces, expected none`);
      fullScanSpans = Number(got.metrics.inspectedSpans);
      if (fullScanSpans < load.spans)
        problems.push(`full scan inspected ${fmt(fullScanSpans)} of ${fmt(load.spans)} spans`);
      return got;
    };
    let tagValueCount = 0;
    let tagValuesCapped = false;
    const checkTagValues = (body: string) => {
      const got = JSON.parse(body) as {
        tagValues: { type: string; value: string }[];
        metrics?: { capped?: boolean };
      };
      tagValueCount = got.tagValues.length;
      tagValuesCapped = got.metrics?.capped === true;
      const bad = got.tagValues.find((v) => v.type !== 'string' || !/^cust-\d{7}$/.test(v.value));
      if (bad) problems.push(`tag values: unexpected value ${JSON.stringify(bad)}`);
      if (tagValueCount === 0) problems.push('tag values: none');
    };

    server.enter('search');
    // The first search after the restart, cold (block summaries not read yet).
    const first = await timed(
      search(`{ span.customer_id = "${data.facts(data.chosen[runs]).customerId}" && duration > 1s }`),
    );
    checkRare(runs, first.body);
    // Warm-ups, then the timed runs, interleaved so a noisy neighbour hits every query alike.
    const times = {
      rare: [] as number[],
      common: [] as number[],
      errors: [] as number[],
      full: [] as number[],
      tags: [] as number[],
      echo: [] as number[],
    };
    let rareBlocks = 0;
    let rareSpans = 0;
    let commonSpans = 0;
    let errorSpans = 0;
    let blocksTotal = 0;
    for (let round = -(WARMUPS - 1); round < runs; round++) {
      // Warm-ups take the newest extra customers; timed runs alternate between old and new data.
      const k = round < 0 ? runs + WARMUPS + round : round % 2 === 0 ? round / 2 : runs - 1 - (round - 1) / 2;
      const record = (list: number[], ms: number) => round >= 0 && list.push(ms);
      const rare = await timed(
        search(`{ span.customer_id = "${data.facts(data.chosen[k]).customerId}" && duration > 1s }`),
      );
      record(times.rare, rare.ms);
      const rareAnswer = checkRare(k, rare.body);
      rareBlocks = Math.max(rareBlocks, rareAnswer.metrics.inspectedBlocks);
      rareSpans = Math.max(rareSpans, Number(rareAnswer.metrics.inspectedSpans));
      blocksTotal = rareAnswer.metrics.totalBlocks;
      const common = await timed(search(commonQuery));
      record(times.common, common.ms);
      commonSpans = Number(checkCommon(common.body).metrics.inspectedSpans);
      const errors = await timed(search(errorsQuery));
      record(times.errors, errors.ms);
      errorSpans = Number(checkErrors(errors.body).metrics.inspectedSpans);
      // The full scan is the slow baseline (about a minute at 10M spans): a few timed runs are enough.
      let fullMs = Number.NaN;
      if (round >= 0 && round < FULL_SCAN_RUNS) {
        const full = await timed(search(fullScanQuery));
        fullMs = full.ms;
        record(times.full, full.ms);
        checkFullScan(full.body);
      }
      const tags = await timed(tagValuesUrl);
      record(times.tags, tags.ms);
      checkTagValues(tags.body);
      record(times.echo, (await timed(`${API}/api/echo`)).ms);
      progress(
        `round ${round}: rare ${fmt(rare.ms)} ms, common ${fmt(common.ms)} ms, errors ${fmt(errors.ms)} ms, ` +
          `full scan ${Number.isNaN(fullMs) ? '–' : fmt(fullMs)} ms, tag values ${fmt(tags.ms)} ms; RSS peak ${fmt(server.peak('search') / 1e6)} MB`,
      );
    }
    server.enter('after');
    await server.stop();
    progress('searches done; block building in process, with and without the sidecar');
    const inProcess = measureSearchBuild(Math.min(traces, 20_000), spansPerTrace);

    const p = (list: number[]) => ({ p50: percentile(list, 0.5), p95: percentile(list, 0.95) });
    const rare = p(times.rare);
    const common = p(times.common);
    const errors = p(times.errors);
    const full = p(times.full);
    const tags = p(times.tags);
    const echo = p(times.echo);
    const built = metrics.get('loupe_ingester_spans_flushed_total') ?? 0;
    const buildSeconds = metrics.get('loupe_ingester_block_build_seconds_sum') ?? 0;
    const blockTotal = bytes.search + bytes.rest;
    const MB = 1e6;
    const GB = 1024 ** 3;
    const searchRss = server.peak('search');
    const ingestRss = server.peak('ingest');
    const of = `1 of ${fmt(traces)} traces`;
    const figures: SearchFigure[] = [
      {
        figure: {
          label: `rare \`{ span.customer_id = "…" && duration > 1s }\` (${of}), p50`,
          value: rare.p50,
          unit: 'ms',
          baseline: full.p50,
          baselineLabel: 'full scan p50',
        },
        target: `≤ 100 ms ${mark(rare.p50 <= 100)}; ≥ 20× faster than the full scan ${mark(full.p50 / rare.p50 >= 20)} (${fmt(full.p50 / rare.p50)}×)`,
      },
      {
        figure: {
          label: `rare, p95 (read ≤ ${rareBlocks} of ${blocksTotal} blocks, ≤ ${fmt(rareSpans)} spans)`,
          value: rare.p95,
          unit: 'ms',
          baseline: full.p95,
          baselineLabel: 'full scan p95',
        },
        target: '',
      },
      {
        figure: {
          label: `common \`${commonQuery}\` limit 20, p50`,
          value: common.p50,
          unit: 'ms',
          baseline: full.p50,
          baselineLabel: 'full scan p50',
        },
        target: `≤ 100 ms ${mark(common.p50 <= 100)}`,
      },
      {
        figure: {
          label: `common, p95 (${fmt(commonSpans)} spans inspected)`,
          value: common.p95,
          unit: 'ms',
          baseline: full.p95,
          baselineLabel: 'full scan p95',
        },
        target: '',
      },
      {
        figure: {
          label: `errors \`${errorsQuery}\`, p50`,
          value: errors.p50,
          unit: 'ms',
          baseline: full.p50,
          baselineLabel: 'full scan p50',
        },
        target: '',
      },
      {
        figure: {
          label: `errors, p95 (${fmt(errorSpans)} spans inspected)`,
          value: errors.p95,
          unit: 'ms',
          baseline: full.p95,
          baselineLabel: 'full scan p95',
        },
        target: '',
      },
      {
        figure: {
          label: `full scan \`${fullScanQuery}\`, p50 (inspected ${fmt(fullScanSpans)} spans, ${bytes.blocks} blocks)`,
          value: full.p50,
          unit: 'ms',
          baseline: echo.p50,
          baselineLabel: '/api/echo p50',
        },
        target: '',
      },
      {
        figure: {
          label: 'full scan, p95',
          value: full.p95,
          unit: 'ms',
          baseline: echo.p95,
          baselineLabel: '/api/echo p95',
        },
        target: '',
      },
      {
        figure: {
          label: `tag values \`span.customer_id\` (${fmt(traces)} distinct; ${fmt(tagValueCount)} returned${tagValuesCapped ? ', capped' : ''}), p50`,
          value: tags.p50,
          unit: 'ms',
          baseline: echo.p50,
          baselineLabel: '/api/echo p50',
        },
        target: `≤ 200 ms ${mark(tags.p50 <= 200)}`,
      },
      {
        figure: {
          label: 'tag values, p95',
          value: tags.p95,
          unit: 'ms',
          baseline: echo.p95,
          baselineLabel: '/api/echo p95',
        },
        target: '',
      },
      {
        figure: {
          label: `first search after the restart (cold: rare query)`,
          value: first.ms,
          unit: 'ms',
          baseline: rare.p50,
          baselineLabel: 'rare p50',
        },
        target: '',
      },
      {
        figure: {
          label: `block bytes including search data (${bytes.blocks} blocks)`,
          value: blockTotal / MB,
          unit: 'MB',
          baseline: load.rawBytes / MB,
          baselineLabel: 'raw OTLP protobuf',
        },
        target: `≤ 20% ${mark(blockTotal <= 0.2 * load.rawBytes)}`,
      },
      {
        figure: {
          label: `of which search.parquet + search-summary.json (loupe-v2: every span, with its search columns; ${fmt((100 * bytes.search) / blockTotal, 1)}% of block bytes)`,
          value: bytes.search / MB,
          unit: 'MB',
          baseline: load.rawBytes / MB,
          baselineLabel: 'raw OTLP protobuf',
        },
        target: '',
      },
      {
        figure: {
          label: `ingest, OTLP/HTTP protobuf, c=${CONCURRENCY}, ${data.tracesPerRequest * spansPerTrace}-span requests, search data built`,
          value: Math.round(load.spansPerSec),
          unit: 'spans/s',
          baseline: Math.round(load.generatorSpansPerSec),
          baselineLabel: 'request generation alone',
        },
        target: `≥ 80k spans/s ${mark(load.spansPerSec >= 80_000)}`,
      },
      {
        figure: {
          label: `block building with its search data (worker; ${fmt(built)} spans in ${fmt(buildSeconds, 1)} s of build time)`,
          value: Math.round(built / Math.max(buildSeconds, 1e-9)),
          unit: 'spans/s',
          baseline: Math.round(load.spansPerSec),
          baselineLabel: 'ingest',
        },
        target: '',
      },
      {
        figure: {
          label: `block building at SIGTERM (last head block: ${fmt(load.spans - built)} spans in ${fmt(shutdownMs / 1000, 1)} s until exit, wall clock)`,
          value: Math.round(((load.spans - built) * 1000) / shutdownMs),
          unit: 'spans/s',
          baseline: Math.round(load.spansPerSec),
          baselineLabel: 'ingest',
        },
        target: '',
      },
      {
        figure: {
          label: `block building in process, each span once, search data included (${fmt(inProcess.spans)} spans, CPU time of one thread; ${fmt(inProcess.blockBytes / inProcess.spans, 1)} B/span vs ${fmt(inProcess.twoCopiesBytes / inProcess.spans, 1)} B/span)`,
          value: Math.round(inProcess.blockSpansPerSec),
          unit: 'spans/s',
          baseline: Math.round(inProcess.twoCopiesSpansPerSec),
          baselineLabel: 'same traces, loupe-v1 pages + search sidecar',
        },
        target: '',
      },
      {
        figure: {
          label: 'server RSS peak during the searches',
          value: searchRss / MB,
          unit: 'MB',
          baseline: restartRss / MB,
          baselineLabel: 'after the restart, before searching',
        },
        target: `≤ 1 GB ${mark(searchRss <= GB)}`,
      },
      {
        figure: {
          label: 'server RSS peak during ingest (and its block building)',
          value: ingestRss / MB,
          unit: 'MB',
          baseline: idleRss / MB,
          baselineLabel: 'started, idle',
        },
        target: `≤ 1 GB ${mark(ingestRss <= GB)}`,
      },
      {
        figure: {
          label: 'server RSS peak during the SIGTERM flush (last head block)',
          value: server.peak('flush') / MB,
          unit: 'MB',
          baseline: ingestRss / MB,
          baselineLabel: 'ingest peak',
        },
        target: '',
      },
      {
        figure: {
          label: `restart until \`/ready\` (${bytes.blocks} blocks on disk)`,
          value: Math.round(restartMs),
          unit: 'ms',
          baseline: Math.round(firstStartMs),
          baselineLabel: 'first start, empty',
        },
        target: '',
      },
    ];
    const heading =
      `Search — ${fmt(load.spans)} spans (${fmt(traces)} traces × ${spansPerTrace}), ${fmt(load.rawBytes / MB)} MB of OTLP, ` +
      `${bytes.blocks} blocks, ${runs} timed runs per query after ${WARMUPS - 1} warm-up rounds (and one cold rare query), ` +
      `load generator ${fmt(load.loadGeneratorCpuSeconds, 1)} CPU s over ${fmt(load.seconds, 1)} s, ` +
      `${fmt(drainMs / 1000, 1)} s after ingest until the blocks it filled were built, ` +
      `max_block_bytes ${options.maxBlockBytes ? fmt(options.maxBlockBytes) : "Tempo's default (500 MiB)"}`;
    return { figures, heading, problems };
  } finally {
    server.close();
    if (server.child && server.child.exitCode === null && server.child.signalCode === null)
      server.child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printSearchBench(result: SearchBenchResult): void {
  if (printFigureTable(result)) {
    console.log(
      '\nEvery answer checked: rare = the one expected trace, common and errors = the newest 20 expected traces, newest first.',
    );
  }
}

/** BENCH_SEARCH_TRACES, BENCH_SEARCH_SPANS_PER_TRACE, BENCH_SEARCH_RUNS, BENCH_SEARCH_MAX_BLOCK_BYTES. */
export function searchBenchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SearchBenchOptions {
  const num = (name: string) => (env[name] ? Number(env[name]) : undefined);
  return {
    traces: num('BENCH_SEARCH_TRACES'),
    spansPerTrace: num('BENCH_SEARCH_SPANS_PER_TRACE'),
    runs: num('BENCH_SEARCH_RUNS'),
    maxBlockBytes: num('BENCH_SEARCH_MAX_BLOCK_BYTES'),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runSearchBench(searchBenchOptionsFromEnv());
  printSearchBench(result);
  if (result.problems.length > 0) process.exitCode = 1;
}
