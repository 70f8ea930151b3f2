import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QueryDeadline } from '../server/query-guards/deadline';
import type { Backend } from '../server/store/backend/backend';
import { LocalBackend } from '../server/store/backend/local-backend';
import { S3Backend } from '../server/store/backend/s3-backend';
import type { S3Options } from '../server/store/backend/s3-client';
import { blockObjectKey, META_OBJECT } from '../server/store/block-keys';
import { writeBlock } from '../server/store/block-writer';
import type { BuiltBlock } from '../server/store/encoding/block-format';
import { forEachLimited } from '../server/store/for-each-limited';
import { SIDECAR_OBJECT } from '../server/store/search/search-layout';
import { STORAGE_DEFAULTS, type StorageConfig } from '../server/store/store-config';
import type { RunningS3 } from '../server/testing/s3';
import { testConfig } from '../server/testing/test-config';
import { parseTraceQL } from '../server/traceql';
import { type BenchFigure, printFigureTable } from './figure';
import {
  BENCH_TENANT,
  buildBenchBlock,
  buildBenchBlocks,
  builtBytes,
  type Dataset,
  makeDataset,
  sliceIntoBlocks,
} from './storage-data';
import {
  type BenchStore,
  benchConfig,
  gets,
  openStore,
  type RequestCounts,
  requestsBetween,
  storedBlockBytes,
} from './storage-store';

/**
 * The storage benchmark (part of `npm run bench`; alone: `BENCH_ONLY=storage npm run bench` or
 * `npx tsx bench/storage.ts`). Blocks of the search benchmark's seeded traces are built in this
 * process and written to a real S3 (Ceph radosgw on loopback, `scripts/start-s3.sh`) and to
 * local disk; Loupe's read and compaction path is composed as `startLoupe` composes it
 * (`bench/storage-store.ts`) and timed against each. Every figure has a same-run baseline:
 * local disk for S3, few blocks for many, block building alone for compaction. Layout:
 * docs/benchmarks.md, "Storage (S3, compaction)".
 *
 * "Cold" is a freshly opened store (a new backend, blocklist and readers: nothing cached in the
 * process; the OS page cache still holds local files); "warm" is the second pass over the same
 * trace IDs in that store.
 */

export interface StorageBenchOptions {
  /** Traces (of 10 spans) of the lookup and search part. */
  traces?: number;
  /** Blocks those traces are cut into. */
  blocks?: number;
  /** Lookups per pass (cold, then warm over the same IDs). */
  lookups?: number;
  /** Lookups per pass where the compaction part's stores are on local disk (cheap: more samples for p99). */
  localLookups?: number;
  /** Small blocks for the compaction part on local disk. */
  smallBlocks?: number;
  /** Traces per small block. */
  smallBlockTraces?: number;
  /** Small blocks for the compaction part on S3 (the first of the local ones). */
  s3SmallBlocks?: number;
  /** Blocks of the few-blocks baseline (the small blocks' traces, on local disk). */
  fewBlocks?: number;
  /** Timed runs of the rare search on each backend (≥ 10). */
  searchRuns?: number;
  /** Port of the bench's own radosgw (scripts/start-s3.sh; the tests' default is 7480). */
  s3Port?: number;
  /** Tempo's `hedge_requests_at` for the S3 stores measured (not the setup's writes); 0 (off) by default. */
  s3HedgeAtMs?: number;
  /** Blocks of the reference-size compaction (Part 3), and traces (of 10 spans) per block. */
  referenceBlocks?: number;
  referenceBlockTraces?: number;
}

export interface StorageFigure {
  figure: BenchFigure;
  /** The target with ✓/✗, or ''. */
  target: string;
}

export interface StorageBenchResult {
  figures: StorageFigure[];
  heading: string;
  /** Wrong answers (empty when all were right). */
  problems: string[];
}

const SPANS_PER_TRACE = 10;
const SEED = 4242;
const SMALL_SEED = 4343;
const HOUR_MS = 3_600_000;
/** Blocks written at once while setting up (each block's objects one after another). */
const SETUP_CONCURRENCY = 32;
/** Sequential GETs of one page for the raw-request floor. */
const FLOOR_REQUESTS = 50;

const benchBegan = performance.now();
function progress(message: string): void {
  process.stderr.write(
    `[storage bench +${Math.round((performance.now() - benchBegan) / 1000)}s] ${message}\n`,
  );
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const blocks = (n: number) => `${fmt(n)} block${n === 1 ? '' : 's'}`;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** A minute into the previous hour: the bench's data is one compaction window, well inside retention. */
export const benchDataStartMs = () => Math.floor(Date.now() / HOUR_MS) * HOUR_MS - HOUR_MS + 60_000;

/** The compaction part's traces (seed 4343, 10 spans each), also `bench/storage-compaction.ts`'s. */
export const compactionDataset = (traces: number, startMs: number): Dataset =>
  makeDataset({ traces, spansPerTrace: SPANS_PER_TRACE, seed: SMALL_SEED, startMs, chosen: 0 });

export function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Setup only: the blocks' objects as files, without the fsyncs of `LocalBackend` (same layout). */
export async function writeLocalBlocks(root: string, blocks: readonly BuiltBlock[]): Promise<void> {
  await forEachLimited(blocks, SETUP_CONCURRENCY, async ({ meta, objects }) => {
    const dir = join(root, meta.tenantId, meta.blockId);
    await mkdir(dir, { recursive: true });
    for (const object of objects) await writeFile(join(dir, object.name), object.data);
    await writeFile(join(dir, META_OBJECT), `${JSON.stringify(meta, null, 2)}\n`);
  });
}

export async function writeS3Blocks(options: S3Options, blocks: readonly BuiltBlock[]): Promise<void> {
  const backend = new S3Backend(options, { tuning: { maxSockets: SETUP_CONCURRENCY } });
  try {
    await forEachLimited(blocks, SETUP_CONCURRENCY, (block) => writeBlock(backend, block));
  } finally {
    backend.close();
  }
}

/**
 * A storage config as Loupe's defaults have it (pool 400/20000), on local disk or S3; `s3HedgeAtMs`
 * is Tempo's `hedge_requests_at` for S3 (0: off).
 */
export function storageConfig(
  dataDir: string,
  where: { localPath: string } | { s3: S3Options },
  s3HedgeAtMs = 0,
): StorageConfig {
  const base = testConfig({}, dataDir).storage;
  const pool = { maxWorkers: STORAGE_DEFAULTS.poolMaxWorkers, queueDepth: STORAGE_DEFAULTS.poolQueueDepth };
  return 'localPath' in where
    ? { ...base, backend: 'local', localPath: where.localPath, pool }
    : { ...base, backend: 's3', s3: { ...where.s3, hedgeAtMs: s3HedgeAtMs }, pool };
}

interface LookupPass {
  ms: number[];
  /** GETs (whole and ranged) per lookup. */
  gets: number[];
  /** Blocks whose trace ID range holds the ID (what the finder considers). */
  candidates: number[];
  /** Ranged GETs per lookup: pages read, one per block whose bloom filter said "maybe". */
  pageReads: number[];
  requests: RequestCounts;
}

/** Trace IDs spread over the data (distinct for these sizes: 7919 is prime). */
function sampleIndices(traces: number, count: number): number[] {
  return Array.from({ length: Math.min(count, traces) }, (_, k) => (k * 7919 + 17) % traces);
}

interface Lookups {
  store: BenchStore;
  dataset: Dataset;
  indices: readonly number[];
  what: string;
}

/**
 * Sequential lookups through each store's `TraceFinder`, each checked against the data. With
 * several stores the lookups take turns (one in each, then the next ID), so a noisy neighbour
 * hits a figure and its baseline alike.
 */
async function lookupPasses(all: readonly Lookups[], problems: string[]): Promise<LookupPass[]> {
  const passes: LookupPass[] = [];
  for (const { store } of all) {
    passes.push({ ms: [], gets: [], candidates: [], pageReads: [], requests: await store.requests() });
  }
  const firsts = passes.map((pass) => pass.requests);
  const rounds = Math.max(...all.map((l) => l.indices.length));
  for (let k = 0; k < rounds; k++) {
    for (let j = 0; j < all.length; j++) {
      const { store, dataset, indices, what } = all[j];
      if (k >= indices.length) continue;
      const pass = passes[j];
      const i = indices[k];
      const id = Buffer.from(dataset.records[i].traceId);
      const hex = id.toString('hex');
      pass.candidates.push(store.blocklist.candidates(BENCH_TENANT, id).length);
      const before = await store.requests();
      const began = performance.now();
      const found = await store.traces.finder.findTraceById(BENCH_TENANT, id, hex);
      pass.ms.push(performance.now() - began);
      const used = requestsBetween(before, await store.requests());
      pass.gets.push(gets(used));
      pass.pageReads.push(used.readRange);
      if (found?.spanCount !== dataset.records[i].spanCount) {
        problems.push(`${what}: trace ${hex} → ${found ? `${found.spanCount} spans` : 'not found'}`);
      }
    }
  }
  for (let j = 0; j < all.length; j++) {
    passes[j].requests = requestsBetween(firsts[j], await all[j].store.requests());
  }
  return passes;
}

const describePass = (pass: LookupPass) =>
  `p50/p99 ${fmt(percentile(pass.ms, 0.5), 1)}/${fmt(percentile(pass.ms, 0.99), 1)} ms (${fmt(mean(pass.gets), 1)} GETs/lookup)`;

interface ColdAndWarm {
  store: BenchStore;
  cold: LookupPass;
  warm: LookupPass;
  /** The partner's passes, taken in turns with these. */
  partnerCold?: LookupPass;
  partnerWarm?: LookupPass;
}

/**
 * Opens a fresh store, then a cold and a warm pass over the same IDs; with a partner (an open
 * store: the baseline), each pass takes turns with the partner's lookups.
 */
async function coldAndWarm(
  config: ReturnType<typeof benchConfig>,
  lookups: Omit<Lookups, 'store'>,
  problems: string[],
  partner?: Lookups,
): Promise<ColdAndWarm> {
  const began = performance.now();
  const store = await openStore(config);
  const openMs = performance.now() - began;
  const self = { ...lookups, store };
  const both = partner ? [self, partner] : [self];
  const [cold, partnerCold] = await lookupPasses(
    both.map((l) => ({ ...l, what: `${l.what}, cold` })),
    problems,
  );
  const [warm, partnerWarm] = await lookupPasses(
    both.map((l) => ({ ...l, what: `${l.what}, warm` })),
    problems,
  );
  progress(
    `${lookups.what}: ${store.blocklist.blocks(BENCH_TENANT).length} blocks loaded in ${fmt(openMs)} ms; ` +
      `cold ${describePass(cold)}, warm ${describePass(warm)}` +
      (partnerWarm ? `; meanwhile ${partner?.what}: warm ${describePass(partnerWarm)}` : ''),
  );
  return { store, cold, warm, partnerCold, partnerWarm };
}

export interface CompactionRun {
  blocksBefore: number;
  blocksAfter: number;
  compactions: number;
  cycles: number;
  /** Spans written into compacted blocks, every level counted. */
  spansWritten: number;
  seconds: number;
  /** CPU of this process (main thread and the block-builder worker) meanwhile. */
  cpuSeconds: number;
  maxLevel: number;
  requests: RequestCounts;
}

/** Compaction cycles (`RunningLoupe.compact`'s) until one compacts nothing. */
export async function compactAll(store: BenchStore, what: string): Promise<CompactionRun> {
  const blocksBefore = store.blocklist.blocks(BENCH_TENANT).length;
  const requestsBefore = await store.requests();
  const failuresBefore = (await store.metrics.compactionFailures.get()).values[0]?.value ?? 0;
  const run: CompactionRun = {
    blocksBefore,
    blocksAfter: blocksBefore,
    compactions: 0,
    cycles: 0,
    spansWritten: 0,
    seconds: 0,
    cpuSeconds: 0,
    maxLevel: 0,
    requests: requestsBefore,
  };
  const initial = new Set(store.blocklist.blocks(BENCH_TENANT).map((b) => b.meta.blockId));
  const cpu = process.cpuUsage();
  const began = performance.now();
  let reported = began;
  for (;;) {
    const known = new Set(store.blocklist.blocks(BENCH_TENANT).map((b) => b.meta.blockId));
    await store.traces.compact(Date.now());
    run.cycles++;
    const live = store.blocklist.blocks(BENCH_TENANT);
    if (live.every((b) => known.has(b.meta.blockId))) break;
    if (performance.now() - reported > 10_000) {
      reported = performance.now();
      progress(
        `${what}: ${run.cycles} cycles, ${live.length} blocks left after ${fmt((reported - began) / 1000, 1)} s`,
      );
    }
  }
  run.seconds = (performance.now() - began) / 1000;
  run.cpuSeconds = cpuSeconds(cpu);
  run.blocksAfter = store.blocklist.blocks(BENCH_TENANT).length;
  // Every block the cycles wrote: those still listed, and those compacted again since (set apart).
  const written = [
    ...store.blocklist.blocks(BENCH_TENANT),
    ...store.blocklist.compactedBlocks(BENCH_TENANT).map((c) => c.entry),
  ].filter((b) => !initial.has(b.meta.blockId));
  run.compactions = written.length;
  for (const { meta } of written) {
    run.spansWritten += meta.totalSpans;
    run.maxLevel = Math.max(run.maxLevel, meta.compactionLevel ?? 0);
  }
  run.requests = requestsBetween(requestsBefore, await store.requests());
  const failures = ((await store.metrics.compactionFailures.get()).values[0]?.value ?? 0) - failuresBefore;
  if (failures > 0) throw new Error(`${what}: ${failures} compaction(s) failed (see the log on stderr)`);
  progress(
    `${what}: ${run.blocksBefore} → ${run.blocksAfter} blocks in ${fmt(run.compactions)} compactions ` +
      `(${run.cycles} cycles, level ≤ ${run.maxLevel}), ${fmt(run.spansWritten)} spans written in ${fmt(run.seconds, 1)} s ` +
      `(${fmt(run.cpuSeconds, 1)} CPU s): ${fmt(run.spansWritten / run.seconds)} spans/s`,
  );
  return run;
}

/** Sequential ranged reads of the start of one block's data: the backend's floor for a lookup. */
async function rangedReadFloor(backend: Backend, block: BuiltBlock): Promise<number[]> {
  // loupe-v1's pages are `data`; loupe-v2's spans are its Parquet file.
  const data = block.meta.format === 'loupe-v1' ? 'data' : SIDECAR_OBJECT;
  const key = blockObjectKey(block.meta.tenantId, block.meta.blockId, data);
  const length = Math.min(40_000, block.meta.dataBytes);
  const ms: number[] = [];
  for (let i = 0; i < FLOOR_REQUESTS; i++) {
    const began = performance.now();
    await backend.readRange(key, 0, length);
    ms.push(performance.now() - began);
  }
  return ms;
}

const p50 = (values: readonly number[]) => percentile(values, 0.5);
const p99 = (values: readonly number[]) => percentile(values, 0.99);

export async function runStorageBench(options: StorageBenchOptions = {}): Promise<StorageBenchResult> {
  const traces = options.traces ?? 100_000;
  const blockCount = options.blocks ?? 200;
  const lookups = options.lookups ?? 200;
  const localLookups = options.localLookups ?? 600;
  const smallBlocks = options.smallBlocks ?? 2_000;
  const smallBlockTraces = options.smallBlockTraces ?? 5;
  const s3SmallBlocks = Math.min(smallBlocks, options.s3SmallBlocks ?? 200);
  const fewBlocks = options.fewBlocks ?? 4;
  const searchRuns = Math.max(10, options.searchRuns ?? 20);
  const s3HedgeAtMs = options.s3HedgeAtMs ?? 0;
  const referenceBlocks = options.referenceBlocks ?? 120;
  const referenceBlockTraces = options.referenceBlockTraces ?? 350;
  // The bench's own radosgw: tests running meanwhile share theirs (7480), not this one.
  process.env.LOUPE_TEST_S3_PORT ??= String(options.s3Port ?? 7490);
  const { startS3 } = await import('../server/testing/s3');

  const problems: string[] = [];
  const figures: StorageFigure[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'loupe-bench-storage-'));
  const buckets: string[] = [];
  let s3: RunningS3 | undefined;
  const open: BenchStore[] = [];
  /** Stores kept open across steps (the few-blocks baseline). */
  const kept: BenchStore[] = [];
  const closeAll = async () => {
    for (const store of open.splice(0)) await store.close();
  };
  try {
    progress(`starting S3 (scripts/start-s3.sh ${process.env.LOUPE_TEST_S3_PORT})`);
    s3 = await startS3();
    const running = s3;
    const newBucket = async () => {
      const bucket = await running.newBucket();
      buckets.push(bucket);
      return running.options({ bucket });
    };
    const startMs = benchDataStartMs();

    // ---------- Part 1: trace by ID and search over `blockCount` blocks, S3 against local disk ----------
    progress(`building ${fmt(traces)} traces × ${SPANS_PER_TRACE} spans into ${blockCount} blocks`);
    const big = makeDataset({
      traces,
      spansPerTrace: SPANS_PER_TRACE,
      seed: SEED,
      startMs,
      chosen: searchRuns + 1,
    });
    let built: BuiltBlock[] = await buildBenchBlocks(sliceIntoBlocks(big.records, blockCount));
    const bigLocalPath = join(dataDir, 'lookup-local');
    const bigS3 = await newBucket();
    progress(`writing ${built.length} blocks (${fmt(builtBytes(built) / 1e6, 1)} MB) to local disk and S3`);
    await writeLocalBlocks(bigLocalPath, built);
    await writeS3Blocks(bigS3, built);
    const s3Floor = await (async () => {
      const backend = new S3Backend(bigS3);
      try {
        return await rangedReadFloor(backend, built[0]);
      } finally {
        backend.close();
      }
    })();
    const localFloor = await rangedReadFloor(new LocalBackend(bigLocalPath), built[0]);
    const pageFloorBytes = Math.min(40_000, built[0].meta.dataBytes);
    built = [];

    const bigIndices = sampleIndices(traces, lookups);
    // Both stores fresh; the cold pass, then the warm one, each with local and S3 taking turns.
    const localStore = await openStore(
      benchConfig(storageConfig(dataDir, { localPath: bigLocalPath }), dataDir),
    );
    open.push(localStore);
    const s3Store = await openStore(benchConfig(storageConfig(dataDir, { s3: bigS3 }, s3HedgeAtMs), dataDir));
    open.push(s3Store);
    const bigLookups = [
      { store: localStore, dataset: big, indices: bigIndices, what: `local, ${blockCount} blocks` },
      { store: s3Store, dataset: big, indices: bigIndices, what: `S3, ${blockCount} blocks` },
    ];
    const [localCold, s3Cold] = await lookupPasses(bigLookups, problems);
    const [localWarm, s3Warm] = await lookupPasses(bigLookups, problems);
    const local = { store: localStore, cold: localCold, warm: localWarm };
    const remote = { store: s3Store, cold: s3Cold, warm: s3Warm };
    progress(
      `${blockCount} blocks: local cold ${describePass(local.cold)}, warm ${describePass(local.warm)}; ` +
        `S3 cold ${describePass(remote.cold)}, warm ${describePass(remote.warm)}`,
    );

    // Rare search on both: one first search (nothing of the search data read yet), then a pass over
    // `searchRuns` customers (each in a block not searched before: its Parquet footer and indexes
    // are read), then the same customers again (warm). Local and S3 take turns, query by query.
    const searchPasses = {
      cold: { local: [] as number[], s3: [] as number[] },
      warm: { local: [] as number[], s3: [] as number[] },
    };
    const searchGets = { cold: { local: 0, s3: 0 }, warm: { local: 0, s3: 0 } };
    const firstSearch = { local: 0, s3: 0 };
    const range = { startMs: startMs - 60_000, endMs: Date.now() + HOUR_MS };
    const rareSearch = async (k: number, name: 'local' | 's3', store: BenchStore) => {
      const facts = big.data.facts(big.data.chosen[k]);
      const query = parseTraceQL(`{ span.customer_id = "${facts.customerId}" && duration > 1s }`);
      const before = await store.requests();
      const began = performance.now();
      const result = await store.search.search.search(
        BENCH_TENANT,
        { query, limit: 20, ...range },
        QueryDeadline.unbounded(),
      );
      const ms = performance.now() - began;
      const ids = result.hits.map((hit) => hit.trace.traceId.padStart(32, '0'));
      if (ids.length !== 1 || ids[0] !== facts.traceId)
        problems.push(`rare search on ${name} (${facts.customerId}): got [${ids.join(', ')}]`);
      return { ms, gets: gets(requestsBetween(before, await store.requests())) };
    };
    const stores = [
      ['local', local.store],
      ['s3', remote.store],
    ] as const;
    for (const [name, store] of stores) firstSearch[name] = (await rareSearch(searchRuns, name, store)).ms;
    for (const pass of ['cold', 'warm'] as const) {
      for (let round = 0; round < searchRuns; round++) {
        // Alternately old and new data.
        const k = round % 2 === 0 ? round / 2 : searchRuns - 1 - (round - 1) / 2;
        for (const [name, store] of stores) {
          const { ms, gets: used } = await rareSearch(k, name, store);
          searchPasses[pass][name].push(ms);
          searchGets[pass][name] += used;
        }
      }
    }
    const searchTimes = searchPasses.warm;
    progress(
      `rare search p50, first pass / warm: local ${fmt(p50(searchPasses.cold.local), 1)} / ${fmt(p50(searchTimes.local), 1)} ms, ` +
        `S3 ${fmt(p50(searchPasses.cold.s3), 1)} / ${fmt(p50(searchTimes.s3), 1)} ms (first search: ${fmt(firstSearch.local)} / ${fmt(firstSearch.s3)} ms)`,
    );
    await closeAll();

    // ---------- Part 2: compaction of many small blocks, and lookups before and after ----------
    const smallTraces = smallBlocks * smallBlockTraces;
    progress(
      `building ${fmt(smallTraces)} traces into ${fmt(smallBlocks)} small blocks and ${fewBlocks} big ones`,
    );
    const small = compactionDataset(smallTraces, startMs);
    const smallBuilt = await buildBenchBlocks(sliceIntoBlocks(small.records, smallBlocks));
    const buildCpu = process.cpuUsage();
    const fewBuilt = sliceIntoBlocks(small.records, fewBlocks).map(buildBenchBlock);
    const fewBuildSpansPerSec = small.spans / cpuSeconds(buildCpu);
    const smallLocalPath = join(dataDir, 'small-local');
    const fewLocalPath = join(dataDir, 'few-local');
    const smallS3 = await newBucket();
    const s3Small = smallBuilt.slice(0, s3SmallBlocks);
    const s3SmallTraces = s3Small.reduce((n, b) => n + b.meta.totalTraces, 0);
    const s3SmallSpans = s3Small.reduce((n, b) => n + b.meta.totalSpans, 0);
    progress(`writing ${fmt(smallBlocks)} small blocks locally, ${fmt(s3SmallBlocks)} of them to S3`);
    await writeLocalBlocks(smallLocalPath, smallBuilt);
    await writeLocalBlocks(fewLocalPath, fewBuilt);
    await writeS3Blocks(smallS3, s3Small);
    const smallBytesBefore = builtBytes(smallBuilt);
    const s3SmallBytesBefore = builtBytes(s3Small);
    const fewBytes = builtBytes(fewBuilt);
    smallBuilt.length = 0;
    fewBuilt.length = 0;

    const smallIndices = sampleIndices(smallTraces, localLookups);
    const s3SmallIndices = sampleIndices(s3SmallTraces, lookups);
    // The baseline: the same traces as a few blocks on local disk, opened once and warmed; its
    // lookups then take turns with each store measured against it.
    const fewStore = await openStore(
      benchConfig(storageConfig(dataDir, { localPath: fewLocalPath }), dataDir),
    );
    kept.push(fewStore);
    const fewLookups = {
      store: fewStore,
      dataset: small,
      indices: smallIndices,
      what: `local, ${fewBlocks} blocks (baseline)`,
    };
    const [fewCold] = await lookupPasses([fewLookups], problems);
    const [fewWarm] = await lookupPasses([fewLookups], problems);
    progress(`${fewLookups.what}: cold ${describePass(fewCold)}, warm ${describePass(fewWarm)}`);

    const localConfig = benchConfig(storageConfig(dataDir, { localPath: smallLocalPath }), dataDir);
    const smallLookups = { dataset: small, indices: smallIndices };
    const localBefore = await coldAndWarm(
      localConfig,
      { ...smallLookups, what: `local, ${fmt(smallBlocks)} small blocks` },
      problems,
      fewLookups,
    );
    open.push(localBefore.store);
    const localCompaction = await compactAll(localBefore.store, 'local compaction');
    await closeAll();
    const localAfter = await coldAndWarm(
      localConfig,
      { ...smallLookups, what: 'local, compacted' },
      problems,
      fewLookups,
    );
    open.push(localAfter.store);
    const localAfterBlocks = localAfter.store.blocklist.blocks(BENCH_TENANT).map((b) => b.meta.blockId);
    const localBytesAfter = await storedBlockBytes(
      { localPath: smallLocalPath },
      BENCH_TENANT,
      localAfterBlocks,
    );
    await closeAll();

    const s3Config = benchConfig(storageConfig(dataDir, { s3: smallS3 }, s3HedgeAtMs), dataDir);
    const s3Lookups = { dataset: small, indices: s3SmallIndices };
    // As many baseline lookups as S3 ones, taking turns with them.
    const fewForS3 = { ...fewLookups, indices: smallIndices.slice(0, s3SmallIndices.length) };
    const s3Before = await coldAndWarm(
      s3Config,
      { ...s3Lookups, what: `S3, ${fmt(s3SmallBlocks)} small blocks` },
      problems,
      fewForS3,
    );
    open.push(s3Before.store);
    const s3Compaction = await compactAll(s3Before.store, 'S3 compaction');
    await closeAll();
    const s3After = await coldAndWarm(s3Config, { ...s3Lookups, what: 'S3, compacted' }, problems, fewForS3);
    open.push(s3After.store);
    const s3AfterBlocks = s3After.store.blocklist.blocks(BENCH_TENANT).map((b) => b.meta.blockId);
    const s3BytesAfter = await storedBlockBytes(
      { client: running.client, bucket: smallS3.bucket },
      BENCH_TENANT,
      s3AfterBlocks,
    );
    await closeAll();
    for (const store of kept.splice(0)) await store.close();

    // ---------- Part 3: compaction of blocks the size the reference config cuts ----------
    // `max_block_bytes: 1_000_000` of raw OTLP is ~350 of these traces (3,500 spans) a block.
    const referenceTraces = referenceBlocks * referenceBlockTraces;
    progress(`building ${fmt(referenceTraces)} traces into ${fmt(referenceBlocks)} reference-size blocks`);
    const reference = compactionDataset(referenceTraces, startMs);
    const referenceBuilt = await buildBenchBlocks(sliceIntoBlocks(reference.records, referenceBlocks));
    const referenceBuildCpu = process.cpuUsage();
    const referenceFew = sliceIntoBlocks(reference.records, fewBlocks).map(buildBenchBlock);
    const referenceBuildSpansPerSec = reference.spans / cpuSeconds(referenceBuildCpu);
    const referenceFewBytes = builtBytes(referenceFew);
    referenceFew.length = 0;
    const referencePath = join(dataDir, 'reference-local');
    await writeLocalBlocks(referencePath, referenceBuilt);
    const referenceBytesBefore = builtBytes(referenceBuilt);
    referenceBuilt.length = 0;
    const referenceStore = await openStore(
      benchConfig(storageConfig(dataDir, { localPath: referencePath }), dataDir),
    );
    open.push(referenceStore);
    const referenceCompaction = await compactAll(referenceStore, 'local compaction, reference-size blocks');
    const referenceBytesAfter = await storedBlockBytes(
      { localPath: referencePath },
      BENCH_TENANT,
      referenceStore.blocklist.blocks(BENCH_TENANT).map((b) => b.meta.blockId),
    );
    await closeAll();

    // ---------- Figures ----------
    const B = `${blockCount} blocks`;
    const perCandidate = (pass: LookupPass) =>
      Math.max(...pass.gets.map((g, i) => g / Math.max(1, pass.candidates[i])));
    const perBlockRead = (pass: LookupPass) => {
      const read = pass.pageReads.reduce((a, b) => a + b, 0);
      return read === 0 ? 0 : pass.gets.reduce((a, b) => a + b, 0) / read;
    };
    const lookupRows = (
      name: string,
      s3Pass: LookupPass,
      localPass: LookupPass,
      targets: { p99?: string } = {},
    ): StorageFigure[] => [
      {
        figure: {
          label: `trace by ID, S3, ${name}, p50 (${B}, ${fmt(s3Pass.ms.length)} lookups)`,
          value: p50(s3Pass.ms),
          unit: 'ms',
          baseline: p50(localPass.ms),
          baselineLabel: `local disk, ${name}, p50`,
        },
        target: '',
      },
      {
        figure: {
          label: `trace by ID, S3, ${name}, p99`,
          value: p99(s3Pass.ms),
          unit: 'ms',
          baseline: p99(localPass.ms),
          baselineLabel: `local disk, ${name}, p99`,
        },
        target: targets.p99 ?? '',
      },
    ];
    const warmS3PerCandidate = perCandidate(remote.warm);
    figures.push(
      ...lookupRows('cold pass', remote.cold, local.cold),
      {
        figure: {
          label: 'of which the first lookup of the cold pass (reads every candidate block’s bloom shard)',
          value: remote.cold.ms[0],
          unit: 'ms',
          baseline: local.cold.ms[0],
          baselineLabel: 'local disk',
        },
        target: '',
      },
      ...lookupRows('warm (second pass)', remote.warm, local.warm, {
        p99: `≤ 50 ms ${mark(p99(remote.warm.ms) <= 50)}`,
      }),
      {
        figure: {
          label: `backend GETs per lookup, S3, cold pass (mean; candidate blocks per lookup: ${fmt(mean(remote.cold.candidates), 1)})`,
          value: mean(remote.cold.gets),
          unit: 'GETs',
          baseline: mean(remote.warm.gets),
          baselineLabel: 'warm pass',
        },
        target: '',
      },
      {
        figure: {
          label:
            `backend GETs per lookup, S3, warm (mean; max ${fmt(Math.max(...remote.warm.gets))}; ` +
            `${fmt(mean(remote.warm.pageReads), 2)} blocks read per lookup, ${fmt(perBlockRead(remote.warm), 2)} GETs each; ` +
            `max ${fmt(warmS3PerCandidate, 3)} GETs per candidate block)`,
          value: mean(remote.warm.gets),
          unit: 'GETs',
          baseline: mean(local.warm.gets),
          baselineLabel: 'local disk, warm, reads',
        },
        target: `≤ 1 GET per candidate block ${mark(warmS3PerCandidate <= 1 && perBlockRead(remote.warm) <= 1)}`,
      },
      {
        figure: {
          label: `one ranged GET of ${fmt(pageFloorBytes / 1000)} KB, S3, p50 (${FLOOR_REQUESTS} sequential; the floor of a warm lookup)`,
          value: p50(s3Floor),
          unit: 'ms',
          baseline: p50(localFloor),
          baselineLabel: 'local disk pread, p50',
        },
        target: '',
      },
      {
        figure: {
          label: `rare search \`{ span.customer_id = "…" && duration > 1s }\`, S3, warm (second pass), p50 (1 of ${fmt(traces)} traces, ${B}, ${searchRuns} customers; ${fmt(searchGets.warm.s3 / searchRuns, 1)} GETs per search)`,
          value: p50(searchTimes.s3),
          unit: 'ms',
          baseline: p50(searchTimes.local),
          baselineLabel: 'local disk, warm, p50',
        },
        target: '',
      },
      {
        figure: {
          label: 'rare search, S3, warm, p95',
          value: percentile(searchTimes.s3, 0.95),
          unit: 'ms',
          baseline: percentile(searchTimes.local, 0.95),
          baselineLabel: 'local disk, warm, p95',
        },
        target: '',
      },
      {
        figure: {
          label: `rare search, S3, first pass (each customer's block not searched before), p50 (${fmt(searchGets.cold.s3 / searchRuns, 1)} GETs per search)`,
          value: p50(searchPasses.cold.s3),
          unit: 'ms',
          baseline: p50(searchPasses.cold.local),
          baselineLabel: 'local disk, first pass, p50',
        },
        target: '',
      },
      {
        figure: {
          label: 'first search of a fresh store (cold: every block’s search summary read)',
          value: firstSearch.s3,
          unit: 'ms',
          baseline: firstSearch.local,
          baselineLabel: 'local disk',
        },
        target: '',
      },
    );

    const fewLabel = `local disk, ${fewBlocks} blocks, warm p99 (taking turns)`;
    const compactedRows = (
      backend: string,
      before: ColdAndWarm,
      after: ColdAndWarm,
      blocksBefore: number,
      blocksAfter: number,
    ): StorageFigure[] => {
      const baselineBefore = p99(before.partnerWarm!.ms);
      const baselineAfter = p99(after.partnerWarm!.ms);
      return [
        {
          figure: {
            label: `trace by ID, ${backend}, ${fmt(blocksBefore)} small blocks before compaction, warm p99 (p50 ${fmt(p50(before.warm.ms), 1)} ms; ${fmt(mean(before.warm.gets), 1)} GETs/lookup)`,
            value: p99(before.warm.ms),
            unit: 'ms',
            baseline: baselineBefore,
            baselineLabel: fewLabel,
          },
          target: '',
        },
        {
          figure: {
            label: `trace by ID, ${backend}, after compaction (${blocks(blocksAfter)}), warm p99 (p50 ${fmt(p50(after.warm.ms), 1)} ms; ${fmt(mean(after.warm.gets), 1)} GETs/lookup)`,
            value: p99(after.warm.ms),
            unit: 'ms',
            baseline: baselineAfter,
            baselineLabel: fewLabel,
          },
          target: `≤ 2× ${mark(p99(after.warm.ms) <= 2 * baselineAfter)}`,
        },
      ];
    };
    const compactionRow = (
      backend: string,
      run: CompactionRun,
      baseline: number,
      baselineLabel: string,
      withTarget = false,
    ) => ({
      figure: {
        label:
          `compaction, ${backend}: ${fmt(run.blocksBefore)} → ${fmt(run.blocksAfter)} blocks, ${fmt(run.compactions)} compactions ` +
          `(levels ≤ ${run.maxLevel}), ${fmt(run.spansWritten)} spans written in ${fmt(run.seconds, 1)} s (${fmt(run.cpuSeconds, 1)} CPU s; ` +
          `${fmt(run.requests.read + run.requests.readRange)} GETs, ${fmt(run.requests.write)} PUTs)`,
        value: Math.round(run.spansWritten / run.seconds),
        unit: 'spans/s',
        baseline: Math.round(baseline),
        baselineLabel,
      },
      // Judged on blocks of the reference config's size; tiny blocks are bound by fixed costs per compaction.
      target: withTarget ? `≥ 100k spans/s ${mark(run.spansWritten / run.seconds >= 100_000)}` : '',
    });
    const localSpansPerSec = localCompaction.spansWritten / localCompaction.seconds;
    figures.push(
      ...compactedRows(
        'local disk',
        localBefore,
        localAfter,
        localCompaction.blocksBefore,
        localCompaction.blocksAfter,
      ),
      ...compactedRows('S3', s3Before, s3After, s3Compaction.blocksBefore, s3Compaction.blocksAfter),
      {
        figure: {
          label: `trace by ID, S3, after compaction, cold pass p99 (first lookup ${fmt(s3After.cold.ms[0])} ms)`,
          value: p99(s3After.cold.ms),
          unit: 'ms',
          baseline: p99(fewCold.ms),
          baselineLabel: `local disk, ${fewBlocks} blocks, its own cold pass, p99`,
        },
        target: '',
      },
      compactionRow(
        `local disk, ${fmt(referenceBlocks)} blocks of ${fmt(referenceBlockTraces)} traces (the reference config's 1 MB)`,
        referenceCompaction,
        referenceBuildSpansPerSec,
        `building the same spans as ${fewBlocks} blocks in process (CPU)`,
        true,
      ),
      {
        figure: {
          label: `bytes per span after that compaction (${fmt(referenceBlocks)} → ${blocks(referenceCompaction.blocksAfter)}; before: ${fmt(referenceBytesBefore / reference.spans, 1)} B)`,
          value: referenceBytesAfter / reference.spans,
          unit: 'B',
          baseline: referenceFewBytes / reference.spans,
          baselineLabel: `the same traces built as ${fewBlocks} blocks`,
        },
        target: '',
      },
      compactionRow(
        `local disk, ${fmt(smallBlocks)} blocks of ${fmt(smallBlockTraces)} traces`,
        localCompaction,
        fewBuildSpansPerSec,
        `building the same spans as ${fewBlocks} blocks in process (CPU)`,
      ),
      compactionRow('S3', s3Compaction, localSpansPerSec, 'local disk compaction'),
      {
        figure: {
          label: `bytes per span, ${fmt(smallBlocks)} small blocks of ${smallBlockTraces} traces (before compaction)`,
          value: smallBytesBefore / small.spans,
          unit: 'B',
          baseline: small.rawBytes / small.spans,
          baselineLabel: 'raw OTLP protobuf',
        },
        target: '',
      },
      {
        figure: {
          label: `bytes per span after compaction, local disk (${blocks(localCompaction.blocksAfter)})`,
          value: localBytesAfter / small.spans,
          unit: 'B',
          baseline: smallBytesBefore / small.spans,
          baselineLabel: 'before compaction',
        },
        target: '',
      },
      {
        figure: {
          label: `bytes per span after compaction, S3 (${fmt(s3SmallBlocks)} → ${blocks(s3Compaction.blocksAfter)})`,
          value: s3BytesAfter / s3SmallSpans,
          unit: 'B',
          baseline: s3SmallBytesBefore / s3SmallSpans,
          baselineLabel: 'before compaction',
        },
        target: '',
      },
      {
        figure: {
          label: `bytes per span, the same traces built as ${fewBlocks} blocks`,
          value: fewBytes / small.spans,
          unit: 'B',
          baseline: small.rawBytes / small.spans,
          baselineLabel: 'raw OTLP protobuf',
        },
        target: '',
      },
    );

    const heading =
      `Storage (S3, compaction) — lookups and search: ${fmt(traces)} traces × ${SPANS_PER_TRACE} spans in ${blockCount} blocks, ` +
      `${fmt(lookups)} lookups per pass (${fmt(localLookups)} on the compaction part's local stores); compaction: ${fmt(smallBlocks)} blocks of ${smallBlockTraces} traces on local disk ` +
      `(${fmt(small.spans)} spans), the first ${fmt(s3SmallBlocks)} of them on S3 (${fmt(s3SmallSpans)} spans); ` +
      `few-blocks baseline: the same ${fmt(smallTraces)} traces as ${fewBlocks} blocks on local disk; ` +
      `S3: radosgw on 127.0.0.1:${process.env.LOUPE_TEST_S3_PORT}; ${fmt((performance.now() - benchBegan) / 1000)} s in all`;
    return { figures, heading, problems };
  } finally {
    await closeAll().catch(() => {});
    for (const store of kept.splice(0)) await store.close().catch(() => {});
    if (s3) {
      progress(`cleaning up: ${buckets.length} buckets, S3, ${dataDir}`);
      // Stopping the bench's own radosgw drops its in-memory objects; a kept one gets its buckets dropped.
      if (process.env.LOUPE_TEST_S3_KEEP === '1') {
        for (const bucket of buckets) await s3.dropBucket(bucket).catch(() => {});
      }
      await s3.stop().catch(() => {});
    }
    rmSync(dataDir, { recursive: true, force: true });
    progress('done');
  }
}

export function printStorageBench(result: StorageBenchResult): void {
  if (printFigureTable(result)) {
    console.log('\nEvery answer checked: each lookup found its trace whole, each rare search its one trace.');
  }
}

/**
 * BENCH_STORAGE_TRACES, BENCH_STORAGE_BLOCKS, BENCH_STORAGE_LOOKUPS, BENCH_STORAGE_LOCAL_LOOKUPS, BENCH_STORAGE_SMALL_BLOCKS,
 * BENCH_STORAGE_SMALL_BLOCK_TRACES, BENCH_STORAGE_S3_SMALL_BLOCKS, BENCH_STORAGE_FEW_BLOCKS,
 * BENCH_STORAGE_SEARCH_RUNS, BENCH_STORAGE_S3_PORT, BENCH_STORAGE_S3_HEDGE_AT_MS,
 * BENCH_STORAGE_REFERENCE_BLOCKS, BENCH_STORAGE_REFERENCE_BLOCK_TRACES.
 */
export function storageBenchOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): StorageBenchOptions {
  const num = (name: string) => (env[name] ? Number(env[name]) : undefined);
  return {
    traces: num('BENCH_STORAGE_TRACES'),
    blocks: num('BENCH_STORAGE_BLOCKS'),
    lookups: num('BENCH_STORAGE_LOOKUPS'),
    localLookups: num('BENCH_STORAGE_LOCAL_LOOKUPS'),
    smallBlocks: num('BENCH_STORAGE_SMALL_BLOCKS'),
    smallBlockTraces: num('BENCH_STORAGE_SMALL_BLOCK_TRACES'),
    s3SmallBlocks: num('BENCH_STORAGE_S3_SMALL_BLOCKS'),
    fewBlocks: num('BENCH_STORAGE_FEW_BLOCKS'),
    searchRuns: num('BENCH_STORAGE_SEARCH_RUNS'),
    s3Port: num('BENCH_STORAGE_S3_PORT'),
    s3HedgeAtMs: num('BENCH_STORAGE_S3_HEDGE_AT_MS'),
    referenceBlocks: num('BENCH_STORAGE_REFERENCE_BLOCKS'),
    referenceBlockTraces: num('BENCH_STORAGE_REFERENCE_BLOCK_TRACES'),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await runStorageBench(storageBenchOptionsFromEnv());
  printStorageBench(result);
  if (result.problems.length > 0) process.exitCode = 1;
}
