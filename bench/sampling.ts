import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from '../server/integration/support/otlp-request';
import { newProbabilisticSampler } from '../server/sampling/probabilistic';
import { type BenchFigure, printFigureTable } from './figure';
import { rssOf, runBenchScript, startLoupe, stopLoupe, waitFor, writeBenchConfig } from './loupe-server';
import { SearchData, TRACE_SPACING_US } from './search-data';

/**
 * The tail-sampling benchmark (part of `npm run bench`; alone: `BENCH_ONLY=sampling npm run bench`
 * or `npx tsx bench/sampling.ts`). Loupe runs as its own process, fed over OTLP/HTTP protobuf by a
 * load-generator process (`bench/search-load-generator.ts`: 3% of traces with errors, a few %
 * lasting 1.3 s, the rest at most 900 ms). Measures, each beside a baseline of the same run:
 * 1. ingest spans/s with errors + latency ≥ 1 s + 5% probabilistic, rounds alternating with the
 *    same load into Loupe without sampling (fresh data directory per round), medians;
 * 2. the fraction of spans that reach blocks, beside the fraction the data says should;
 * 3. VmRSS with 100,000 traces waiting for a decision, beside the same traces live without sampling;
 * 4. decision delay after a trace's root span: the server's histogram (trigger root_wait) and a
 *    client's clock (root span sent → `GET /api/v2/traces/<id>` answers 404 "not kept").
 * Layout: docs/benchmarks.md, "Tail sampling".
 */

export interface SamplingBenchOptions {
  /** Traces per ingest round (BENCH_SAMPLING_TRACES, default 100,000). */
  traces?: number;
  spansPerTrace?: number;
  /** Rounds per side, sampling off and on taking turns (BENCH_SAMPLING_ROUNDS, default 3, at least 2). */
  rounds?: number;
  /** Traces waiting in the memory part (BENCH_SAMPLING_MEMORY_TRACES, default 100,000). */
  memoryTraces?: number;
  /** Rounds per side of the memory part (BENCH_SAMPLING_MEMORY_ROUNDS, default 2). */
  memoryRounds?: number;
  /** Dropped traces timed from the client (BENCH_SAMPLING_PROBES, default 200). */
  probes?: number;
  /** Where the ingest rounds' Loupe processes write `--cpu-prof` profiles (BENCH_SAMPLING_CPU_PROF). */
  cpuProfileDir?: string;
}

export interface SamplingBenchResult {
  figures: { figure: BenchFigure; target: string }[];
  heading: string;
  problems: string[];
}

const PORTS = { http: 13500, grpc: 13517, otlp: 13518 };
const API = `http://127.0.0.1:${PORTS.http}`;
const CONCURRENCY = 16;
const SEED = 5151;
/** Share of traces whose root lasts 1.3 s (`SearchData`'s "chosen" traces). */
const SLOW_SHARE = 0.03;
const PERCENTAGE = 5;
const IDLE_MS = 2_000;
const IDLE = `${IDLE_MS / 1000}s`;
const DECISION_WAIT_MS = 1_000;
const PROBE_POLL_MS = 20;
const PROBE_WORKERS = 10;
const MB = 1e6;

const POLICIES_YAML = `  policies:
    - name: errors
      type: status_code
      status_code:
        status_codes: [ERROR]
    - name: slow
      type: latency
      latency:
        threshold_ms: 1000
    - name: five-percent
      type: probabilistic
      probabilistic:
        sampling_percentage: ${PERCENTAGE}
`;

const began = performance.now();
function progress(message: string): void {
  process.stderr.write(`[sampling bench +${Math.round((performance.now() - began) / 1000)}s] ${message}\n`);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

interface ConfigOptions {
  idle: string;
  maxBlockDuration: string;
  /** The `sampling:` keys after `policies`; undefined: sampling off. */
  sampling?: string;
}

function writeConfig(dataDir: string, o: ConfigOptions): string {
  // No per-tenant limits (writeBenchConfig's): the load is sent as fast as Loupe takes it, and the
  // memory part holds 100,000 live traces (Tempo's defaults: 15 MB/s, 10,000 live traces).
  return writeBenchConfig({
    ports: PORTS,
    dataDir,
    idlePeriod: o.idle,
    maxBlockBytes: 12_000_000,
    maxBlockDuration: o.maxBlockDuration,
    extra: `# Compaction is not what is measured: it would run in the slower rounds only (cycles of 30 s).
compactor:
  disabled: true
${o.sampling === undefined ? '' : `sampling:\n${POLICIES_YAML}${o.sampling}`}`,
  });
}

/** The ingest rounds' sampling: decisions a second after the root span, during the run. */
const INGEST_SAMPLING = `  decision_wait: 1s
  max_wait: 10s
`;
/** The memory part's: nothing is decided for minutes, so every trace waits. */
const MEMORY_SAMPLING = `  decision_wait: 5m
  max_wait: 10m
  max_waiting_bytes: 1073741824
`;

/** Loupe's stderr passes through less the inspector's notices (the memory part attaches to it). */
const startServer = (configPath: string, nodeFlags: string[] = []) =>
  startLoupe(configPath, PORTS.http, 120_000, { nodeFlags, hideInspectorNotices: true });

/** User + system CPU seconds of a process, all its threads (`/proc/<pid>/stat`, 100 ticks a second). */
function cpuSecondsOf(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface LoadResult {
  spans: number;
  rawBytes: number;
  seconds: number;
  spansPerSec: number;
  failures: number;
  loadGeneratorCpuSeconds: number;
}

function runLoadGenerator(traces: number, spansPerTrace: number, startMs: number): Promise<LoadResult> {
  const args = [PORTS.otlp, traces, spansPerTrace, CONCURRENCY, SEED, startMs, slowCount(traces)];
  return runBenchScript('bench/search-load-generator.ts', args);
}

const slowCount = (traces: number) => Math.round(traces * SLOW_SHARE);

/** `/metrics` as series: name, labels, value. */
interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(): Promise<Series[]> {
  const text = await (await fetch(`${API}/metrics`)).text();
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

function sum(series: Series[], name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const s of series) {
    if (s.name !== name) continue;
    if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Cumulative bucket counts of a histogram for one label set, by upper bound. */
function buckets(series: Series[], name: string, labels: Record<string, string>): Map<number, number> {
  const out = new Map<number, number>();
  for (const s of series) {
    if (s.name !== `${name}_bucket`) continue;
    if (!Object.entries(labels).every(([k, v]) => s.labels[k] === v)) continue;
    const le = s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(s.labels.le);
    out.set(le, (out.get(le) ?? 0) + s.value);
  }
  return out;
}

/** Prometheus' `histogram_quantile`: linear inside the bucket holding the quantile. */
function histogramQuantile(
  q: number,
  cumulative: Map<number, number>,
): { value: number; lower: number; upper: number } {
  const bounds = [...cumulative.keys()].sort((a, b) => a - b);
  const total = cumulative.get(Number.POSITIVE_INFINITY) ?? 0;
  if (total === 0) return { value: Number.NaN, lower: 0, upper: 0 };
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const bound of bounds) {
    const count = cumulative.get(bound)!;
    if (count >= rank) {
      if (bound === Number.POSITIVE_INFINITY) return { value: prevBound, lower: prevBound, upper: bound };
      const inBucket = count - prevCount;
      const value = prevBound + (bound - prevBound) * (inBucket > 0 ? (rank - prevCount) / inBucket : 0);
      return { value, lower: prevBound, upper: bound };
    }
    prevBound = bound;
    prevCount = count;
  }
  return { value: prevBound, lower: prevBound, upper: prevBound };
}

/**
 * Spans and traces in the blocks' `meta.json` files, less blocks another block was compacted from
 * (they keep their meta.json until `compacted_block_retention`; the compactor is off here anyway).
 */
function blockTotals(dataDir: string): { blocks: number; spans: number; traces: number } {
  const tenantDir = join(dataDir, 'blocks', 'single-tenant');
  const totals = { blocks: 0, spans: 0, traces: 0 };
  if (!existsSync(tenantDir)) return totals;
  const metas = new Map<string, { totalSpans: number; totalTraces: number; compactedFrom?: string[] }>();
  for (const entry of readdirSync(tenantDir, { withFileTypes: true })) {
    const metaPath = join(tenantDir, entry.name, 'meta.json');
    if (entry.isDirectory() && existsSync(metaPath))
      metas.set(entry.name, JSON.parse(readFileSync(metaPath, 'utf8')));
  }
  const compacted = new Set([...metas.values()].flatMap((m) => m.compactedFrom ?? []));
  for (const [blockId, meta] of metas) {
    if (compacted.has(blockId)) continue;
    totals.blocks++;
    totals.spans += meta.totalSpans;
    totals.traces += meta.totalTraces;
  }
  return totals;
}

/** What the policies must keep, from the data alone: errors, the slow traces, IDs hashing under 5%. */
function expectation(traces: number, spansPerTrace: number, startMs: number) {
  const data = new SearchData({ traces, spansPerTrace, seed: SEED, startMs, chosen: slowCount(traces) });
  const slow = new Set(data.chosen);
  const hash = newProbabilisticSampler('', PERCENTAGE);
  let errors = 0;
  let slowOnly = 0;
  let hashedRest = 0;
  for (let i = 0; i < traces; i++) {
    if (data.facts(i).errorSpans > 0) errors++;
    else if (slow.has(i)) slowOnly++;
    else if (hash.sampled(data.traceIdOf(i))) hashedRest++;
  }
  const rest = traces - errors - slowOnly;
  return {
    errors,
    slow: slow.size,
    slowOnly,
    hashedRest,
    keptTraces: errors + slowOnly + hashedRest,
    keptSpans: (errors + slowOnly + hashedRest) * spansPerTrace,
    /** errors + slow + 5% of the rest, as a fraction of traces (= of spans: every trace has the same count). */
    nominal: (errors + slowOnly + (rest * PERCENTAGE) / 100) / traces,
    exact: (errors + slowOnly + hashedRest) / traces,
  };
}

interface IngestRound {
  sampled: boolean;
  load: LoadResult;
  /** From the end of ingest until every trace was decided and cut (live traces 0). */
  settleMs: number;
  /** Loupe's CPU seconds (every thread) during ingest, and from its start until everything was cut. */
  ingestCpuSeconds: number;
  cpuSeconds: number;
  metrics: Series[];
  blocks: { blocks: number; spans: number; traces: number };
}

async function ingestRound(
  sampled: boolean,
  traces: number,
  spansPerTrace: number,
  startMs: number,
  nodeFlags: string[],
): Promise<IngestRound> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-sampling-'));
  let server: ChildProcess | undefined;
  try {
    const config = writeConfig(dataDir, {
      idle: IDLE,
      maxBlockDuration: '1m',
      sampling: sampled ? INGEST_SAMPLING : undefined,
    });
    server = await startServer(config, nodeFlags);
    const cpuBefore = cpuSecondsOf(server);
    const load = await runLoadGenerator(traces, spansPerTrace, startMs);
    const ingestCpuSeconds = cpuSecondsOf(server) - cpuBefore;
    const ingestEnded = performance.now();
    let metrics: Series[] = [];
    // The live-traces gauge moves on the ingester's tick: read it once a tick has seen every trace idle.
    await sleep(IDLE_MS + 1_000);
    await waitFor(
      async () => {
        metrics = await scrape();
        const settled = sum(metrics, 'loupe_ingester_live_traces') === 0;
        if (!sampled) return settled;
        return settled && sum(metrics, 'loupe_sampling_traces_total') >= traces;
      },
      120_000,
      'every trace to be decided and cut',
    );
    const settleMs = performance.now() - ingestEnded;
    const cpuSeconds = cpuSecondsOf(server) - cpuBefore;
    // SIGTERM: Loupe decides what still waits, flushes everything into blocks and exits.
    await stopLoupe(server);
    return {
      sampled,
      load,
      settleMs,
      ingestCpuSeconds,
      cpuSeconds,
      metrics,
      blocks: blockTotals(dataDir),
    };
  } finally {
    if (server) await stopLoupe(server, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface MemoryRound {
  sampled: boolean;
  idleRss: number;
  /** VmRSS before and after forced full GCs (median of 3 readings each). */
  rssBeforeGc: number;
  rss: number;
  /** V8 heap in use after forced full GCs, before ingest and with every trace live. */
  idleHeapUsed: number;
  heapUsed: number;
  waiting: number;
  waitingBytes: number;
  live: number;
  load: LoadResult;
}

const INSPECTOR_PORT = 13529;

/** Full GCs in the Loupe process (through its inspector), then its V8 heap usage. */
function heapAfterGc(): Promise<{ usedSize: number; totalSize: number }> {
  return runBenchScript('bench/heap-usage.ts', [INSPECTOR_PORT], ['--experimental-websocket']);
}

async function rssMedian(child: ChildProcess): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    await sleep(1_000);
    samples.push(rssOf(child));
  }
  return median(samples);
}

async function memoryRound(
  sampled: boolean,
  traces: number,
  spansPerTrace: number,
  startMs: number,
): Promise<MemoryRound> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-sampling-mem-'));
  let server: ChildProcess | undefined;
  try {
    const config = writeConfig(dataDir, {
      idle: '10m',
      maxBlockDuration: '1h',
      sampling: sampled ? MEMORY_SAMPLING : undefined,
    });
    server = await startServer(config, [`--inspect=127.0.0.1:${INSPECTOR_PORT}`]);
    await sleep(2_000);
    const idleRss = rssOf(server);
    const idleHeap = await heapAfterGc();
    const load = await runLoadGenerator(traces, spansPerTrace, startMs);
    // The gauges move on the ingester's tick (every 10 s with these periods).
    let metrics: Series[] = [];
    await waitFor(
      async () => {
        metrics = await scrape();
        const live = sum(metrics, 'loupe_ingester_live_traces') === traces;
        return sampled ? live && sum(metrics, 'loupe_sampling_traces_waiting') === traces : live;
      },
      60_000,
      `${fmt(traces)} live${sampled ? ' and waiting' : ''} traces`,
      () =>
        `live ${sum(metrics, 'loupe_ingester_live_traces')}, waiting ${sum(metrics, 'loupe_sampling_traces_waiting')}; load generator: ${JSON.stringify(load)}`,
    );
    const rssBeforeGc = await rssMedian(server);
    const heap = await heapAfterGc();
    const rss = await rssMedian(server);
    metrics = await scrape();
    return {
      sampled,
      idleRss,
      rssBeforeGc,
      rss,
      idleHeapUsed: idleHeap.usedSize,
      heapUsed: heap.usedSize,
      waiting: sum(metrics, 'loupe_sampling_traces_waiting'),
      waitingBytes: sum(metrics, 'loupe_sampling_waiting_bytes'),
      live: sum(metrics, 'loupe_ingester_live_traces'),
      load,
    };
  } finally {
    // Nothing to keep: no flush on the way out.
    if (server) await stopLoupe(server, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface ProbeResult {
  /** Root span sent → 404 "not kept", ms, one per probe. */
  latencies: number[];
  /** Reads answering 200 (the trace, readable while it waits) before the 404. */
  readsWhileWaiting: number;
  metrics: Series[];
  problems: string[];
}

/**
 * Dropped traces timed from the client: a fast trace without errors whose ID hashes over 5%
 * sends its two children, then its root; the clock runs from sending the root until
 * `GET /api/v2/traces/<id>` answers 404 with `x-loupe-not-kept: sampling`. Ten at a time, each
 * after a random pause, so the ingester's tick phase is sampled evenly.
 */
async function probeDecisions(count: number): Promise<ProbeResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-sampling-probe-'));
  let server: ChildProcess | undefined;
  const hash = newProbabilisticSampler('', PERCENTAGE);
  const latencies: number[] = [];
  const problems: string[] = [];
  let readsWhileWaiting = 0;
  const post = async (body: Buffer) => {
    const res = await fetch(`http://127.0.0.1:${PORTS.otlp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(body),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`probe push → ${res.status}`);
  };
  const probe = async (): Promise<number | undefined> => {
    let traceId = newTraceId();
    while (hash.sampled(traceId)) traceId = newTraceId();
    const t0 = Date.now() - 200;
    const root = simpleSpan(traceId, 'GET /api/orders/{id}', t0, {
      kind: 2,
      durationMs: 60,
      attributes: { 'http.method': 'GET', 'http.route': '/api/orders/{id}', 'http.status_code': 200 },
    });
    const children = [
      simpleSpan(traceId, 'SELECT orders', t0 + 5, {
        kind: 3,
        durationMs: 20,
        parentSpanId: root.spanId,
        attributes: { 'db.system': 'postgresql' },
      }),
      simpleSpan(traceId, 'render', t0 + 30, { durationMs: 25, parentSpanId: root.spanId }),
    ];
    const resource = (spans: typeof children) => [
      { service: 'probe', attributes: { 'deployment.environment': 'bench' }, spans },
    ];
    await post(encodeTraceRequest(resource(children)));
    const rootBody = encodeTraceRequest(resource([root]));
    const sent = performance.now();
    await post(rootBody);
    const id = hex(traceId);
    for (;;) {
      const res = await fetch(`${API}/api/v2/traces/${id}`);
      await res.arrayBuffer();
      if (res.status === 404 && res.headers.get('x-loupe-not-kept') === 'sampling')
        return performance.now() - sent;
      if (res.status === 200) readsWhileWaiting++;
      else {
        problems.push(`probe ${id}: GET answered ${res.status} before "not kept"`);
        return undefined;
      }
      if (performance.now() - sent > 30_000) {
        problems.push(`probe ${id}: no "not kept" answer within 30 s`);
        return undefined;
      }
      await sleep(PROBE_POLL_MS);
    }
  };
  try {
    const config = writeConfig(dataDir, { idle: IDLE, maxBlockDuration: '1m', sampling: INGEST_SAMPLING });
    server = await startServer(config);
    for (let i = 0; i < 3; i++) await probe(); // warm up
    readsWhileWaiting = 0;
    problems.length = 0;
    const before = await scrape();
    let started = 0;
    await Promise.all(
      Array.from({ length: PROBE_WORKERS }, async () => {
        while (started < count) {
          started++;
          await sleep(Math.random() * 1_000);
          const ms = await probe();
          if (ms !== undefined) latencies.push(ms);
        }
      }),
    );
    const after = await scrape();
    // The probes' own decisions: the histogram after minus before.
    const metrics = after.map((s) => ({
      ...s,
      value:
        s.value -
        (before.find((b) => b.name === s.name && JSON.stringify(b.labels) === JSON.stringify(s.labels))
          ?.value ?? 0),
    }));
    return { latencies, readsWhileWaiting, metrics, problems };
  } finally {
    if (server) await stopLoupe(server, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runSamplingBench(options: SamplingBenchOptions = {}): Promise<SamplingBenchResult> {
  const traces = options.traces ?? 100_000;
  const spansPerTrace = options.spansPerTrace ?? 10;
  const rounds = Math.max(2, options.rounds ?? 3);
  const memoryTraces = options.memoryTraces ?? 100_000;
  const memoryRounds = Math.max(1, options.memoryRounds ?? 2);
  const probes = options.probes ?? 200;
  const load1Before = loadavg()[0];
  const problems: string[] = [];
  // Traces start 1 ms apart and end a minute before the run, as in the search bench.
  const startMs = Date.now() - 60_000 - Math.ceil((Math.max(traces, memoryTraces) * TRACE_SPACING_US) / 1000);
  const expected = expectation(traces, spansPerTrace, startMs);
  progress(
    `data: ${fmt(traces)} traces, ${fmt(expected.errors)} with errors, ${fmt(expected.slow)} slow, ` +
      `${fmt(expected.hashedRest)} of the rest hash under ${PERCENTAGE}%: ${fmt(100 * expected.exact, 2)}% to keep`,
  );
  // One directory per round, holding a profile per thread Node profiled.
  const profileFlags = (name: string) =>
    options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, name)}`] : [];

  // 1 and 2: ingest, sampling off and on taking turns.
  const ingest: IngestRound[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const sampled of [false, true]) {
      const flags = profileFlags(`round-${r + 1}-sampling-${sampled ? 'on' : 'off'}`);
      const round = await ingestRound(sampled, traces, spansPerTrace, startMs, flags);
      ingest.push(round);
      progress(
        `ingest round ${r + 1}, sampling ${sampled ? 'on ' : 'off'}: ${fmt(round.load.spansPerSec)} spans/s, ` +
          `Loupe CPU ${fmt(round.ingestCpuSeconds, 1)} s during ingest, ${fmt(round.cpuSeconds, 1)} s until all was cut, ` +
          `${fmt(round.blocks.spans)} spans in ${round.blocks.blocks} blocks, settled ${fmt(round.settleMs / 1000, 1)} s after ingest (load ${fmt(loadavg()[0], 1)})`,
      );
      if (round.load.failures > 0)
        problems.push(`ingest round ${r + 1}: ${round.load.failures} failed requests`);
      const sent = round.load.spans;
      if (!sampled && round.blocks.spans !== sent)
        problems.push(`sampling off, round ${r + 1}: ${round.blocks.spans} spans in blocks of ${sent} sent`);
      if (sampled) {
        const keptSpans = sum(round.metrics, 'loupe_sampling_spans_total', { decision: 'kept' });
        const keptTraces = sum(round.metrics, 'loupe_sampling_traces_total', { decision: 'kept' });
        if (keptTraces !== expected.keptTraces)
          problems.push(
            `sampling on, round ${r + 1}: kept ${keptTraces} traces, the data says ${expected.keptTraces}`,
          );
        if (round.blocks.spans !== keptSpans)
          problems.push(
            `sampling on, round ${r + 1}: ${round.blocks.spans} spans in blocks, loupe_sampling_spans_total says ${keptSpans} kept`,
          );
      }
    }
  }
  const off = ingest.filter((r) => !r.sampled);
  const on = ingest.filter((r) => r.sampled);
  const offRate = median(off.map((r) => r.load.spansPerSec));
  const onRate = median(on.map((r) => r.load.spansPerSec));
  const list = (rs: IngestRound[]) => rs.map((r) => fmt(r.load.spansPerSec)).join(' / ');
  const sentSpans = on[0].load.spans;
  const cpuPer100k = (rs: IngestRound[], pick: (r: IngestRound) => number) =>
    median(rs.map((r) => (pick(r) * 100_000) / r.load.spans));
  const cpuOn = cpuPer100k(on, (r) => r.cpuSeconds);
  const cpuOff = cpuPer100k(off, (r) => r.cpuSeconds);
  const cpuOnIngest = cpuPer100k(on, (r) => r.ingestCpuSeconds);
  const cpuOffIngest = cpuPer100k(off, (r) => r.ingestCpuSeconds);
  const storedFraction = median(on.map((r) => r.blocks.spans / r.load.spans));
  const keptMetricFraction = median(
    on.map((r) => sum(r.metrics, 'loupe_sampling_spans_total', { decision: 'kept' }) / r.load.spans),
  );
  const policyShare = (policy: string) =>
    median(
      on.map((r) => sum(r.metrics, 'loupe_sampling_traces_total', { policy, decision: 'kept' }) / traces),
    );
  // Decision delay under ingest load: every sampled round's histogram together.
  const delay = new Map<number, number>();
  for (const r of on)
    for (const [le, n] of buckets(r.metrics, 'loupe_sampling_decision_delay_seconds', {
      trigger: 'root_wait',
    }))
      delay.set(le, (delay.get(le) ?? 0) + n);
  const delayP99 = histogramQuantile(0.99, delay);
  const delayP50 = histogramQuantile(0.5, delay);
  const triggers = ['root_wait', 'idle', 'max_wait', 'span_cap', 'memory', 'shutdown']
    .map(
      (trigger) =>
        [
          trigger,
          on.reduce((n, r) => n + sum(r.metrics, 'loupe_sampling_decisions_total', { trigger }), 0),
        ] as const,
    )
    .filter(([, n]) => n > 0)
    .map(([trigger, n]) => `${trigger} ${fmt(n)}`)
    .join(', ');

  // 3: memory with every trace waiting.
  const memory: MemoryRound[] = [];
  for (let r = 0; r < memoryRounds; r++) {
    for (const sampled of [false, true]) {
      const round = await memoryRound(sampled, memoryTraces, spansPerTrace, startMs);
      memory.push(round);
      progress(
        `memory round ${r + 1}, sampling ${sampled ? 'on ' : 'off'}: RSS ${fmt(round.rssBeforeGc / MB)} MB, after GC ${fmt(round.rss / MB)} MB ` +
          `(idle ${fmt(round.idleRss / MB)} MB), heap used ${fmt(round.heapUsed / MB, 1)} MB (idle ${fmt(round.idleHeapUsed / MB, 1)} MB), ` +
          `${fmt(round.live)} live, ${fmt(round.waiting)} waiting, ${fmt(round.waitingBytes / MB, 1)} MB of summaries`,
      );
      if (sampled && round.waiting !== memoryTraces)
        problems.push(`memory: ${round.waiting} traces waiting, expected ${memoryTraces}`);
    }
  }
  const memOff = memory.filter((r) => !r.sampled);
  const memOn = memory.filter((r) => r.sampled);
  const rssOff = median(memOff.map((r) => r.rss));
  const rssOn = median(memOn.map((r) => r.rss));
  const heapOff = median(memOff.map((r) => r.heapUsed));
  const heapOn = median(memOn.map((r) => r.heapUsed));
  // Heap per trace over the idle server's: everything a waiting (or live) trace holds in memory.
  const perTraceOn = median(memOn.map((r) => (r.heapUsed - r.idleHeapUsed) / memoryTraces));
  const perTraceOff = median(memOff.map((r) => (r.heapUsed - r.idleHeapUsed) / memoryTraces));
  const rssBeforeGcOff = median(memOff.map((r) => r.rssBeforeGc));
  const rssBeforeGcOn = median(memOn.map((r) => r.rssBeforeGc));
  const waitingBytes = median(memOn.map((r) => r.waitingBytes));
  const idleOff = median(memOff.map((r) => r.idleRss));
  const idleOn = median(memOn.map((r) => r.idleRss));

  // 4: decision delay from the client's side.
  progress(`probes: ${probes} dropped traces, ${PROBE_WORKERS} at a time`);
  const probe = await probeDecisions(probes);
  problems.push(...probe.problems);
  const probeDelay = buckets(probe.metrics, 'loupe_sampling_decision_delay_seconds', {
    trigger: 'root_wait',
  });
  const probeHistP99 = histogramQuantile(0.99, probeDelay);
  const load1After = loadavg()[0];

  const bucketText = (q: { lower: number; upper: number }) =>
    `bucket ${fmt(q.lower, 2)}–${fmt(q.upper, 2)} s`;
  const figures: { figure: BenchFigure; target: string }[] = [
    {
      figure: {
        label: `ingest, OTLP/HTTP protobuf, c=16, 100-span requests, sampling on (errors + latency ≥ 1 s + ${PERCENTAGE}%), median of ${on.length} rounds (${list(on)})`,
        value: onRate,
        unit: 'spans/s',
        baseline: offRate,
        baselineLabel: `sampling off, median of ${off.length} rounds (${list(off)})`,
      },
      target: `≥ 90% of sampling off ${mark(onRate >= 0.9 * offRate)}`,
    },
    {
      figure: {
        label: `Loupe CPU (all threads) from the start of ingest until every trace was decided and cut, per 100k spans, sampling on, median (during ingest alone: ${fmt(cpuOnIngest, 2)} s)`,
        value: cpuOn,
        unit: 'CPU s',
        baseline: cpuOff,
        baselineLabel: `sampling off (during ingest alone: ${fmt(cpuOffIngest, 2)} s)`,
      },
      target: '',
    },
    {
      figure: {
        label: `spans stored (block meta.json totals after SIGTERM) / spans sent, sampling on (${fmt(median(on.map((r) => r.blocks.spans)))} of ${fmt(sentSpans)})`,
        value: 100 * storedFraction,
        unit: '%',
        baseline: 100 * expected.exact,
        baselineLabel: `expected from the data (${fmt(expected.errors)} error + ${fmt(expected.slowOnly)} slow + ${fmt(expected.hashedRest)} hashed-under-${PERCENTAGE}% traces of ${fmt(traces)})`,
      },
      target: `= expected ${mark(on.every((r) => r.blocks.spans === expected.keptSpans))}`,
    },
    {
      figure: {
        label: `spans kept per loupe_sampling_spans_total (traces kept by errors ${fmt(100 * policyShare('errors'), 2)}%, slow ${fmt(100 * policyShare('slow'), 2)}%, five-percent ${fmt(100 * policyShare('five-percent'), 2)}%)`,
        value: 100 * keptMetricFraction,
        unit: '%',
        baseline: 100 * expected.nominal,
        baselineLabel: `errors ${fmt((100 * expected.errors) / traces, 2)}% + slow ${fmt((100 * expected.slowOnly) / traces, 2)}% + ${PERCENTAGE}% of the rest`,
      },
      target: '',
    },
    {
      figure: {
        label: `VmRSS with ${fmt(memoryTraces)} traces waiting for a decision, after full GCs (loupe_sampling_traces_waiting ${memOn.map((r) => fmt(r.waiting)).join(' / ')}; before the GCs ${fmt(rssBeforeGcOn / MB)} MB; idle before ingest ${fmt(idleOn / MB)} MB)`,
        value: rssOn / MB,
        unit: 'MB',
        baseline: rssOff / MB,
        baselineLabel: `sampling off, the same traces live (before the GCs ${fmt(rssBeforeGcOff / MB)} MB; idle ${fmt(idleOff / MB)} MB)`,
      },
      target: '',
    },
    {
      figure: {
        label: `V8 heap in use after full GCs, ${fmt(memoryTraces)} traces waiting`,
        value: heapOn / MB,
        unit: 'MB',
        baseline: heapOff / MB,
        baselineLabel: 'sampling off, the same traces live',
      },
      target: '',
    },
    {
      figure: {
        label: `V8 heap per waiting trace, sampling on (heap with every trace waiting − the idle server's; sampling off, per live trace: ${fmt(perTraceOff)} B)`,
        value: perTraceOn,
        unit: 'B',
        baseline: waitingBytes / memoryTraces,
        baselineLabel: `loupe_sampling_waiting_bytes (${fmt(waitingBytes / MB, 1)} MB) / traces`,
      },
      target: '',
    },
    {
      figure: {
        label: `decision delay, trigger root_wait, p99 (server histogram, during ingest; ${bucketText(delayP99)}; p50 ${fmt(1000 * delayP50.value)} ms; decisions: ${triggers})`,
        value: 1000 * delayP99.value,
        unit: 'ms',
        baseline: DECISION_WAIT_MS,
        baselineLabel: 'decision_wait',
      },
      target: '',
    },
    {
      figure: {
        label: `root span sent → GET answers 404 x-loupe-not-kept, p50 (client, ${fmt(probe.latencies.length)} dropped traces, no other load on that Loupe, polled every ${PROBE_POLL_MS} ms)`,
        value: percentile(probe.latencies, 0.5),
        unit: 'ms',
        baseline: DECISION_WAIT_MS,
        baselineLabel: 'decision_wait',
      },
      target: '',
    },
    {
      figure: {
        label: `root span sent → 404 not kept, p99 (max ${fmt(Math.max(...probe.latencies))} ms; server histogram for the same traces: p99 ${fmt(probeHistP99.value, 2)} s, ${bucketText(probeHistP99)})`,
        value: percentile(probe.latencies, 0.99),
        unit: 'ms',
        baseline: DECISION_WAIT_MS,
        baselineLabel: 'decision_wait',
      },
      target: '',
    },
  ];
  const seconds = (performance.now() - began) / 1000;
  const heading =
    `Tail sampling — ${fmt(traces)} traces × ${spansPerTrace} spans per ingest round (${fmt(sentSpans)} spans, ` +
    `${fmt(on[0].load.rawBytes / MB)} MB of OTLP), ${rounds} rounds per side taking turns, fresh data directory each; ` +
    `trace_idle_period ${IDLE}, decision_wait ${DECISION_WAIT_MS / 1000}s; memory: ${fmt(memoryTraces)} traces, ` +
    `${memoryRounds} round(s) per side, trace_idle_period 10m, decision_wait 5m; ${fmt(probe.latencies.length)} probes ` +
    `(${fmt(probe.readsWhileWaiting)} reads answered 200 while waiting); load average ${fmt(load1Before, 1)} at the start, ` +
    `${fmt(load1After, 1)} at the end; ${fmt(seconds)} s`;
  return { figures, heading, problems };
}

export function printSamplingBench(result: SamplingBenchResult): void {
  if (printFigureTable(result)) {
    console.log(
      '\nEvery round checked: sampling off stored every span sent; sampling on kept exactly the traces the data says, and the blocks hold exactly the spans loupe_sampling_spans_total counts as kept.',
    );
  }
}

/**
 * BENCH_SAMPLING_TRACES, BENCH_SAMPLING_SPANS_PER_TRACE, BENCH_SAMPLING_ROUNDS,
 * BENCH_SAMPLING_MEMORY_TRACES, BENCH_SAMPLING_MEMORY_ROUNDS, BENCH_SAMPLING_PROBES,
 * BENCH_SAMPLING_CPU_PROF.
 */
export function samplingBenchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SamplingBenchOptions {
  const num = (name: string) => (env[name] ? Number(env[name]) : undefined);
  return {
    traces: num('BENCH_SAMPLING_TRACES'),
    spansPerTrace: num('BENCH_SAMPLING_SPANS_PER_TRACE'),
    rounds: num('BENCH_SAMPLING_ROUNDS'),
    memoryTraces: num('BENCH_SAMPLING_MEMORY_TRACES'),
    memoryRounds: num('BENCH_SAMPLING_MEMORY_ROUNDS'),
    probes: num('BENCH_SAMPLING_PROBES'),
    cpuProfileDir: env.BENCH_SAMPLING_CPU_PROF || undefined,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runSamplingBench(samplingBenchOptionsFromEnv());
  printSamplingBench(result);
  if (result.problems.length > 0) process.exitCode = 1;
}
