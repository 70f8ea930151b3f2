import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { brotliDecompressSync } from 'node:zlib';
import { type AsyncBuffer, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { searchTraceFromOtlp } from '../server/search-model/otlp-to-search';
import {
  type ParquetLayout,
  type ReadRange,
  readParquetLayout,
  readRowRange,
} from '../server/store/search/parquet/row-range-reader';
import { COLUMN } from '../server/store/search/search-layout';
import { buildSearchSidecar } from '../server/store/search/sidecar-writer';
import { traceIdToHex } from '../server/store/trace-id';
import { makeDataset } from './storage-data';

/**
 * Trace by ID served from `search.parquet`: the rows of one trace, every column, read with
 * `readRowRange` (the pages holding the rows, in one read) against hyparquet (`parquetReadObjects`
 * with the offset index) as the same-run baseline. The search bench's data (20,000 traces of ~10
 * spans, seeded), built newest first into one sidecar, written to a temp file and read with
 * `FileHandle.read`; 1,000 random traces, each reader in turn after 100 untimed lookups (one at a
 * time: hyparquet's garbage, MBs a lookup, would otherwise land in the other's GC pauses). Then, in
 * memory (no I/O), each column read alone for the same rows: where the time goes.
 * `npx tsx bench/sidecar-lookup.ts [traces] [lookups]`
 */

const TRACES = Number(process.argv[2] ?? 20_000);
const LOOKUPS = Number(process.argv[3] ?? 1_000);
const WARMUP = 100;
const compressors = { BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)) };

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const ms = (n: number) => n.toFixed(2);

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Where each trace's rows are: row group, first row in it, rows. From the trace_id column, read once. */
async function traceRows(layout: ParquetLayout, read: ReadRange): Promise<[number, number, number][]> {
  const out: [number, number, number][] = [];
  for (const [g, group] of layout.rowGroups.entries()) {
    const ids = (await readRowRange(layout, read, g, 0, group.rows, [COLUMN.traceId])).get(COLUMN.traceId)!;
    for (let row = 0; row < group.rows; row++) {
      if (row > 0 && ids[row] === ids[row - 1]) out[out.length - 1][2]++;
      else out.push([g, row, 1]);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { records, spans } = makeDataset({
    traces: TRACES,
    spansPerTrace: 10,
    seed: 4242,
    startMs: Date.UTC(2026, 0, 1),
    chosen: 0,
  });
  const newestFirst = records
    .map((record, i) => ({ record, i }))
    .sort((a, b) => b.record.startMs - a.record.startMs || a.i - b.i)
    .map(({ record }) => searchTraceFromOtlp(traceIdToHex(record.traceId), [record.data]));
  const built = buildSearchSidecar(newestFirst);
  if (!built) throw new Error('no sidecar built');
  const file = built.parquet;
  const dir = await mkdtemp(join(tmpdir(), 'sidecar-lookup-'));
  const path = join(dir, 'search.parquet');
  await writeFile(path, file);
  const handle = await open(path, 'r');
  try {
    const io = { reads: 0, bytes: 0 };
    const read: ReadRange = async (offset, length) => {
      const buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead !== length) throw new Error(`short read at ${offset}`);
      io.reads++;
      io.bytes += length;
      return buffer;
    };
    const asyncBuffer: AsyncBuffer = {
      byteLength: file.length,
      slice: async (start, end = file.length) => {
        const bytes = await read(start, end - start);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
    // Setup, not timed: the layout (kept per file), hyparquet's metadata, the trace → rows map.
    const layout = await readParquetLayout(read, file.length);
    const metadata = await parquetMetadataAsync(asyncBuffer);
    const columns = layout.columns.map((column) => column.name);
    const rowsOf = await traceRows(layout, read);
    const groupStart = layout.rowGroups.map((_, g) =>
      layout.rowGroups.slice(0, g).reduce((sum, group) => sum + group.rows, 0),
    );
    const r = random(7);
    const picks = Array.from({ length: LOOKUPS + WARMUP }, () => rowsOf[Math.floor(r() * rowsOf.length)]);

    /** The lookups one after another (the first `WARMUP` untimed): times, bytes and reads. */
    const measure = async (lookup: (g: number, first: number, rows: number) => Promise<unknown>) => {
      const figures = { ms: [] as number[], bytes: 0, reads: 0 };
      for (const [k, [g, first, rows]] of picks.entries()) {
        const before = { ...io };
        const t0 = performance.now();
        await lookup(g, first, rows);
        const elapsed = performance.now() - t0;
        if (k < WARMUP) continue;
        figures.ms.push(elapsed);
        figures.bytes += io.bytes - before.bytes;
        figures.reads += io.reads - before.reads;
      }
      return figures;
    };
    const ours = await measure((g, first, rows) => readRowRange(layout, read, g, first, rows, columns));
    const hyparquet = (g: number, first: number, rows: number) =>
      parquetReadObjects({
        file: asyncBuffer,
        metadata,
        columns,
        rowStart: groupStart[g] + first,
        rowEnd: groupStart[g] + first + rows,
        compressors,
        useOffsetIndex: true,
        utf8: false,
      });
    const theirs = await measure(hyparquet);
    // The answers must be hyparquet's (BYTES as bytes, INT64 as bigint, JSON parsed).
    for (const [g, first, rows] of picks.slice(0, 50)) {
      const got = await readRowRange(layout, read, g, first, rows, columns);
      const want = await hyparquet(g, first, rows);
      for (const column of columns) {
        if (
          !isDeepStrictEqual(
            got.get(column),
            want.map((row) => row[column] ?? null),
          )
        )
          throw new Error(`column ${column}, group ${g}, rows ${first} + ${rows}: not what hyparquet reads`);
      }
    }

    // Each column alone, in memory: decoding only, no I/O.
    const memory: ReadRange = async (offset, length) => file.subarray(offset, offset + length);
    const perColumn = columns.map((column) => ({ column, ms: 0 }));
    const allInMemory: number[] = [];
    for (const [k, [g, first, rows]] of picks.entries()) {
      let t0 = performance.now();
      await readRowRange(layout, memory, g, first, rows, columns);
      if (k >= WARMUP) allInMemory.push(performance.now() - t0);
      for (const entry of perColumn) {
        t0 = performance.now();
        await readRowRange(layout, memory, g, first, rows, [entry.column]);
        if (k >= WARMUP) entry.ms += performance.now() - t0;
      }
    }

    const specs = layout.columns;
    const dictionaryBytes = (c: number) =>
      layout.rowGroups.reduce((sum, group) => {
        const chunk = group.chunks[c];
        return sum + (chunk.dictionaryAt === undefined ? 0 : chunk.dataAt - chunk.dictionaryAt);
      }, 0) / layout.rowGroups.length;
    const report = (label: string, figures: typeof ours) => {
      const sorted = [...figures.ms].sort((a, b) => a - b);
      const p = (q: number) => ms(percentile(sorted, q));
      console.log(
        `${label}: p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, p99 ${p(0.99)} ms, max ${ms(sorted[sorted.length - 1])} ms; ` +
          `${Math.round(figures.bytes / LOOKUPS).toLocaleString('en-US')} bytes in ${(figures.reads / LOOKUPS).toFixed(2)} reads per lookup`,
      );
      return sorted;
    };
    console.log(
      `${TRACES.toLocaleString('en-US')} traces, ${spans.toLocaleString('en-US')} spans; search.parquet ` +
        `${file.length.toLocaleString('en-US')} bytes, ${columns.length} columns, ${layout.rowGroups.length} row groups; ` +
        `${LOOKUPS} lookups of every column of one trace's rows (${(picks.slice(WARMUP).reduce((s, p) => s + p[2], 0) / LOOKUPS).toFixed(1)} rows), from a file\n`,
    );
    const a = report('readRowRange', ours);
    const b = report('hyparquet   ', theirs);
    const ratio = (q: number) => (percentile(b, q) / percentile(a, q)).toFixed(1);
    console.log(`hyparquet / readRowRange: p50 ${ratio(0.5)}×, p95 ${ratio(0.95)}×, p99 ${ratio(0.99)}×`);
    const memorySorted = allInMemory.sort((x, y) => x - y);
    console.log(
      `\nreadRowRange in memory (no I/O): p50 ${ms(percentile(memorySorted, 0.5))} ms, p99 ${ms(percentile(memorySorted, 0.99))} ms`,
    );
    console.log('\nColumns read alone, in memory, mean per lookup (the 12 costliest):');
    console.log(
      '| column | µs | type | codec | dictionary page (mean stored bytes) |\n| --- | --- | --- | --- | --- |',
    );
    const total = perColumn.reduce((sum, entry) => sum + entry.ms, 0);
    for (const entry of [...perColumn].sort((x, y) => y.ms - x.ms).slice(0, 12)) {
      const c = columns.indexOf(entry.column);
      const chunk = layout.rowGroups[0].chunks[c];
      const type = `${specs[c].type}${chunk.dictionaryAt !== undefined ? ', dictionary' : ''}`;
      console.log(
        `| ${entry.column} | ${((1000 * entry.ms) / LOOKUPS).toFixed(0)} | ${type} | ${chunk.compressed ? 'BROTLI' : 'none'} | ${Math.round(dictionaryBytes(c)).toLocaleString('en-US')} |`,
      );
    }
    console.log(`| all ${columns.length} alone, summed | ${((1000 * total) / LOOKUPS).toFixed(0)} | | | |`);
  } finally {
    await handle.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
