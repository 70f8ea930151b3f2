import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateTraceRequests } from '../fixtures/synthetic-traces';
import { combineTraceParts } from '../server/otlp/combine-trace';
import { splitTracesByTraceId } from '../server/otlp/split-traces';
import { LocalBackend } from '../server/store/backend/local-backend';
import { openBlock } from '../server/store/block-reader';
import { buildBlock, writeBlock } from '../server/store/block-writer';
import { DEFAULT_BROTLI_QUALITY, DEFAULT_PAGE_SIZE_BYTES } from '../server/store/encoding/v1/v1-layout';
import type { TraceRecord } from '../server/store/types';

/**
 * Block build and lookup benchmark on synthetic OTLP traffic: the numbers ADR 001 quotes.
 * `tsx bench/block.ts` prints the chosen settings; `--sweep` compares page sizes and qualities;
 * `--combine` compares concatenated fragments with fragments merged by `combineTraceParts`, as
 * the block-builder worker does (`--spans-per-request=N` sets the request size, default 512).
 */

export interface BlockBenchResult {
  spansPerSec: number;
  bytesPerSpan: number;
  rawBytesPerSpan: number;
  ratio: number;
  lookupP50Ms: number;
  lookupP99Ms: number;
}

export interface BlockBenchOptions {
  traces?: number;
  /** Exact count, or an inclusive [min, max] range drawn per trace. */
  spansPerTrace?: number | [number, number];
  seed?: number;
  pageSizeBytes?: number;
  brotliQuality?: number;
  lookups?: number;
}

/** 48 spans per trace on average, as in docs/block-format-measurements.md. */
const SPANS_PER_TRACE: [number, number] = [5, 91];

interface Corpus {
  traces: TraceRecord[];
  spanCount: number;
  rawBytes: number;
  /** Traces that arrived in more than one request. */
  multiPartTraces: number;
  /** Spans in the traces that arrived in more than one request. */
  multiPartSpans: number;
  /** CPU time spent in `combineTraceParts` (0 when fragments are concatenated). */
  combineCpuMs: number;
}

interface CorpusOptions {
  /** Merge a trace's fragments with `combineTraceParts`, as the block-builder worker does. */
  combine?: boolean;
  spansPerRequest?: number;
}

/**
 * Ingest-shaped data: requests split per trace, a trace's fragments concatenated (valid
 * TracesData) or, with `combine`, merged the way the block-builder worker merges them.
 */
function prepareCorpus(
  traceCount: number,
  spansPerTrace: number | [number, number],
  seed: number,
  options: CorpusOptions = {},
): Corpus {
  const { requests, spanCount, rawBytes } = generateTraceRequests({
    traces: traceCount,
    spansPerTrace,
    spansPerRequest: options.spansPerRequest ?? 512,
    seed,
  });
  const byTrace = new Map<
    string,
    { traceId: Uint8Array; parts: Uint8Array[]; spans: number; start: number; end: number }
  >();
  for (const request of requests) {
    for (const fragment of splitTracesByTraceId(request).fragments) {
      const trace = byTrace.get(fragment.key);
      if (trace) {
        trace.parts.push(fragment.data);
        trace.spans += fragment.spanCount;
        trace.start = Math.min(trace.start, fragment.startMs);
        trace.end = Math.max(trace.end, fragment.endMs);
      } else {
        byTrace.set(fragment.key, {
          traceId: fragment.traceId,
          parts: [fragment.data],
          spans: fragment.spanCount,
          start: fragment.startMs,
          end: fragment.endMs,
        });
      }
    }
  }
  const multiPart = [...byTrace.values()].filter((t) => t.parts.length > 1);
  const multiPartSpans = multiPart.reduce((sum, t) => sum + t.spans, 0);
  const merged = new Map<(typeof multiPart)[number], Uint8Array>();
  // An untimed pass first: the worker merges traces all day, so its code is warm.
  if (options.combine) for (const t of multiPart) combineTraceParts(t.parts, 0);
  const cpuBefore = process.cpuUsage();
  for (const t of multiPart) {
    merged.set(t, options.combine ? combineTraceParts(t.parts, 0).data : Buffer.concat(t.parts));
  }
  const cpu = process.cpuUsage(cpuBefore);
  const combineCpuMs = options.combine ? (cpu.user + cpu.system) / 1000 : 0;
  const traces: TraceRecord[] = [...byTrace.values()]
    .map((t) => ({
      traceId: t.traceId,
      data: merged.get(t) ?? t.parts[0],
      spanCount: t.spans,
      startMs: t.start,
      endMs: t.end,
      truncated: false,
    }))
    .sort((a, b) => Buffer.compare(a.traceId, b.traceId));
  return { traces, spanCount, rawBytes, multiPartTraces: multiPart.length, multiPartSpans, combineCpuMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function measure(
  corpus: Corpus,
  pageSizeBytes: number,
  brotliQuality: number,
  lookups: number,
): Promise<BlockBenchResult & { pages: number; cpuSpansPerSec: number }> {
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const built = buildBlock({
    tenantId: 'bench',
    blockId: `block-${pageSizeBytes}-${brotliQuality}`,
    traces: corpus.traces,
    bloomFalsePositive: 0.01,
    bloomShardSizeBytes: 100 * 1024,
    pageSizeBytes,
    brotliQuality,
  });
  const buildMs = performance.now() - began;
  // CPU time is what the build costs the worker; wall time also counts other processes' load.
  const cpu = process.cpuUsage(cpuBefore);
  const buildCpuMs = (cpu.user + cpu.system) / 1000;

  const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-block-'));
  try {
    const backend = new LocalBackend(dir);
    await writeBlock(backend, built);
    const { meta } = built;
    const metaBytes = Buffer.byteLength(JSON.stringify(meta, null, 2)) + 1;
    const storedBytes = meta.dataBytes + meta.indexBytes + meta.bloomBytes + metaBytes;

    // A reader as after a restart: the first lookups also load the index and bloom shards.
    const reader = openBlock(backend, meta);
    await reader.findTrace(corpus.traces[0].traceId);
    const times: number[] = [];
    for (let i = 0; i < lookups; i++) {
      const trace = corpus.traces[Math.floor(Math.random() * corpus.traces.length)];
      const t0 = performance.now();
      const found = await reader.findTrace(trace.traceId);
      times.push(performance.now() - t0);
      if (!found) throw new Error('bench: a stored trace was not found');
    }
    times.sort((a, b) => a - b);
    const bytesPerSpan = storedBytes / corpus.spanCount;
    const rawBytesPerSpan = corpus.rawBytes / corpus.spanCount;
    return {
      spansPerSec: corpus.spanCount / (buildMs / 1000),
      bytesPerSpan,
      rawBytesPerSpan,
      ratio: bytesPerSpan / rawBytesPerSpan,
      lookupP50Ms: percentile(times, 0.5),
      lookupP99Ms: percentile(times, 0.99),
      pages: meta.pages,
      cpuSpansPerSec: corpus.spanCount / (buildCpuMs / 1000),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Builds one block with the default settings and looks traces up in it. */
export async function measureBlockBuild(options: BlockBenchOptions = {}): Promise<BlockBenchResult> {
  const corpus = prepareCorpus(
    options.traces ?? 5000,
    options.spansPerTrace ?? SPANS_PER_TRACE,
    options.seed ?? 1,
  );
  const {
    pages: _pages,
    cpuSpansPerSec: _cpu,
    ...result
  } = await measure(
    corpus,
    options.pageSizeBytes ?? DEFAULT_PAGE_SIZE_BYTES,
    options.brotliQuality ?? DEFAULT_BROTLI_QUALITY,
    options.lookups ?? 500,
  );
  return result;
}

function row(label: string, r: BlockBenchResult & { pages?: number; cpuSpansPerSec?: number }): string {
  return [
    label.padEnd(14),
    `${(r.spansPerSec / 1000).toFixed(0)}k spans/s`.padStart(15),
    r.cpuSpansPerSec === undefined ? '' : `(${(r.cpuSpansPerSec / 1000).toFixed(0)}k per CPU-s)`.padStart(18),
    `${r.bytesPerSpan.toFixed(1)} B/span`.padStart(14),
    `ratio ${r.ratio.toFixed(3)}`.padStart(12),
    `p50 ${r.lookupP50Ms.toFixed(2)} ms`.padStart(14),
    `p99 ${r.lookupP99Ms.toFixed(2)} ms`.padStart(14),
    r.pages === undefined ? '' : `${r.pages} pages`.padStart(11),
  ].join(' ');
}

async function sweep(): Promise<void> {
  const corpus = prepareCorpus(20_000, SPANS_PER_TRACE, 1);
  const raw = corpus.rawBytes / corpus.spanCount;
  console.log(`${corpus.traces.length} traces, ${corpus.spanCount} spans, raw ${raw.toFixed(1)} B/span`);
  // Warm the JIT and the brotli code paths so the first row is not penalised.
  await measure({ ...corpus, traces: corpus.traces.slice(0, 500) }, 128 * 1024, 5, 50);
  for (const pageKb of [64, 128, 256, 512]) {
    for (const quality of [4, 5, 6]) {
      console.log(row(`${pageKb} KB q${quality}`, await measure(corpus, pageKb * 1024, quality, 1000)));
    }
  }
}

/** The default settings on concatenated fragments and on fragments merged by `combineTraceParts`. */
async function compareCombine(spansPerRequest: number): Promise<void> {
  const concatenated = prepareCorpus(5000, SPANS_PER_TRACE, 1, { spansPerRequest });
  const combined = prepareCorpus(5000, SPANS_PER_TRACE, 1, { spansPerRequest, combine: true });
  const raw = concatenated.rawBytes / concatenated.spanCount;
  console.log(
    `${concatenated.traces.length} traces, ${concatenated.spanCount} spans; ${concatenated.multiPartTraces} traces ` +
      `(${concatenated.multiPartSpans} spans) in more than one request of ${spansPerRequest} spans; ` +
      `raw ${raw.toFixed(1)} B/span`,
  );
  const dataBytes = (c: Corpus) => c.traces.reduce((sum, t) => sum + t.data.length, 0) / c.spanCount;
  // Warm the JIT and the brotli code paths so the first row is not penalised.
  await measure(
    { ...concatenated, traces: concatenated.traces.slice(0, 500) },
    DEFAULT_PAGE_SIZE_BYTES,
    DEFAULT_BROTLI_QUALITY,
    50,
  );
  for (const [label, corpus] of [
    ['concatenated', concatenated],
    ['combined', combined],
  ] as const) {
    const r = await measure(corpus, DEFAULT_PAGE_SIZE_BYTES, DEFAULT_BROTLI_QUALITY, 500);
    const combineRate = corpus.combineCpuMs > 0 ? corpus.multiPartSpans / (corpus.combineCpuMs / 1000) : 0;
    console.log(
      `${row(label, r)}   uncompressed ${dataBytes(corpus).toFixed(1)} B/span` +
        (combineRate > 0 ? `, combine ${(combineRate / 1e6).toFixed(2)}M spans per CPU-s` : ''),
    );
  }
}

function numericArg(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--sweep')) {
    await sweep();
  } else if (process.argv.includes('--combine')) {
    await compareCombine(numericArg('spans-per-request', 512));
  } else {
    const result = await measureBlockBuild();
    console.log(row(`${DEFAULT_PAGE_SIZE_BYTES / 1024} KB q${DEFAULT_BROTLI_QUALITY}`, result));
    console.log(JSON.stringify(result));
  }
}
