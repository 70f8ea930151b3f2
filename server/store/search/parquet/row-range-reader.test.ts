import { brotliCompressSync, constants } from 'node:zlib';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../../../fixtures/synthetic-traces';
import { searchTraceFromOtlp } from '../../../search-model/otlp-to-search';
import { wholeTraces } from '../../store-test-support';
import { COLUMN } from '../search-layout';
import { buildSearchSidecar } from '../sidecar-writer';
import { ByteSink } from './byte-sink';
import { int64Deltas, writeDeltaBinaryPacked } from './delta-binary-packed';
import { writeHybridRle } from './hybrid-rle';
import {
  ALL_TYPES,
  compressors,
  type Group,
  random,
  SAMPLE_TEXT,
  writeParquet,
} from './parquet-test-support';
import type {
  ColumnData,
  ParquetColumnSpec,
  ParquetValue,
  ParquetColumnType as Type,
} from './parquet-writer';
import { decodePage, readDelta, readHybrid } from './row-range-decode';
import {
  type LayoutChunk,
  type ParquetLayout,
  parquetLayoutOf,
  type ReadRange,
  readParquetLayout,
  readRowRange,
  SINGLE_READ_MAX_BYTES,
} from './row-range-reader';

type Row = Record<string, unknown>;

function write(columns: ParquetColumnSpec[], groups: Group[], pageBytes: number): Uint8Array {
  return writeParquet(columns, groups, pageBytes, 4); // the sidecar's quality
}

/** Every row of the file as hyparquet reads it (BYTES as bytes). */
async function hyparquetRows(file: Uint8Array): Promise<Row[]> {
  return parquetReadObjects({ file: file.slice().buffer, compressors, utf8: false });
}

/** A `ReadRange` over bytes in memory that counts its calls and bytes. */
function counting(file: Uint8Array): ReadRange & { calls: number; bytes: number } {
  const read = Object.assign(
    async (offset: number, length: number) => {
      read.calls++;
      read.bytes += length;
      return file.subarray(offset, offset + length);
    },
    { calls: 0, bytes: 0 },
  );
  return read;
}

/** `readRowRange` of rows [first, first + rows) of `group` must equal hyparquet's rows of the file. */
async function expectSameRows(
  layout: ParquetLayout,
  read: ReadRange,
  all: Row[],
  group: number,
  first: number,
  rows: number,
  columns: readonly string[],
): Promise<void> {
  const groupStart = layout.rowGroups.slice(0, group).reduce((sum, g) => sum + g.rows, 0);
  const got = await readRowRange(layout, read, group, first, rows, columns);
  const want = all.slice(groupStart + first, groupStart + first + rows);
  for (const column of columns) {
    const values = got.get(column)!;
    expect(values, `${column}, group ${group}, rows ${first} + ${rows}`).toEqual(
      want.map((row) => row[column] ?? null),
    );
  }
}

const TYPES = ALL_TYPES;
const TEXT = SAMPLE_TEXT;
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
/** Random text: pages of it stay big when compressed. */
const token = (r: () => number) => Math.floor(r() * 2 ** 52).toString(36);
const SAMPLE: Record<Type, (r: () => number, i: number) => ParquetValue> = {
  STRING: (r, i) => (r() < 0.4 ? pick(r, TEXT) : r() < 0.5 ? `s${i % 40} ü${'😀'.repeat(i % 3)}` : token(r)),
  JSON: (r, i) => ({ i: i % 30, text: pick(r, TEXT), nested: [i % 3, { even: i % 2 === 0 }], id: token(r) }),
  BYTES: (r, i) => Uint8Array.from({ length: i % 9 }, () => (r() < 0.5 ? 200 : Math.floor(r() * 256))),
  INT32: (r, i) =>
    pick(r, [0, -1, 2147483647, -2147483648, i, -7 * i - 1, Math.floor(r() * 2 ** 32) - 2 ** 31]),
  INT64: (r, i) =>
    r() < 0.3
      ? BigInt(i) * 1000n - 2n ** 40n
      : r() < 0.5
        ? BigInt.asIntN(64, (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32)))
        : pick(r, [2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, -3n]),
  DOUBLE: (r, i) => pick(r, [-1.5, 0.1, -1e-300, 1e300, Math.PI, -(i + 1) / 3, -0, 0, r() * 1e6]),
  BOOLEAN: (r) => r() < 0.5,
  FIXED_LEN_BYTE_ARRAY: (r, i) => Uint8Array.from([i % 7, 255, Math.floor(r() * 256), Math.floor(r() * 256)]),
};

/** Times: nearby values (DELTA_BINARY_PACKED), some pages with deltas summing far past 2^53. */
function times(r: () => number, rows: number, group: number): bigint[] {
  let t = group % 2 ? 1_700_000_000_000_000_000n : -(2n ** 60n);
  return Array.from({ length: rows }, (_, i) => {
    const step = i % 97 < 40 ? BigInt(Math.floor(r() * 2 ** 51)) - 2n ** 50n : BigInt(Math.floor(r() * 5000));
    t += step;
    return t;
  });
}

/** Trace-level runs: lengths 1–15, some null runs when nullable. */
function runs(type: Type, nullable: boolean, rows: number, seed: number): ColumnData {
  const r = random(seed);
  const values: ParquetValue[] = [];
  const lengths: number[] = [];
  for (let left = rows; left > 0; ) {
    const length = Math.min(left, 1 + Math.floor(r() * 15));
    values.push(nullable && r() < 0.25 ? null : SAMPLE[type](r, values.length));
    lengths.push(length);
    left -= length;
  }
  return { runs: values, lengths: Int32Array.from(lengths) };
}

/** Every type × nullable × plain/dictionary × compressed, delta times, and trace-level runs. */
function matrixFile(sizes: readonly number[], pageBytes: number): { file: Uint8Array; names: string[] } {
  const specs: ParquetColumnSpec[] = [];
  const makers: ((rows: number, g: number) => ColumnData)[] = [];
  let seed = 1;
  for (const type of TYPES) {
    const typeLength = type === 'FIXED_LEN_BYTE_ARRAY' ? 4 : undefined;
    for (const nullable of [false, true]) {
      for (const encoding of ['plain', 'dictionary'] as const) {
        for (const compressed of [false, true]) {
          const s = seed++;
          specs.push({
            name: `${type}.${nullable}.${encoding}.${compressed}`,
            type,
            typeLength,
            nullable,
            encoding,
            compressed,
          });
          makers.push((rows, g) => {
            const r = random(s * 1000 + g);
            // Nulls in runs too (an all-null page), as the sidecar's sparse attribute columns have.
            const isNull = (i: number) => nullable && (r() < 0.3 || i % 50 < 9);
            return Array.from({ length: rows }, (_, i) => (isNull(i) ? null : SAMPLE[type](r, i)));
          });
        }
      }
      const s = seed++;
      specs.push({
        name: `${type}.${nullable}.runs`,
        type,
        typeLength,
        nullable,
        encoding: 'dictionary',
        compressed: s % 2 === 0,
      });
      makers.push((rows, g) => runs(type, nullable, rows, s * 1000 + g));
    }
  }
  for (const compressed of [false, true]) {
    const s = seed++;
    specs.push({ name: `time.${compressed}`, type: 'INT64', nullable: false, encoding: 'delta', compressed });
    makers.push((rows, g) => times(random(s * 1000 + g), rows, g));
  }
  const s = seed++;
  specs.push({ name: 'time.nullable', type: 'INT64', nullable: true, encoding: 'delta', compressed: true });
  makers.push((rows, g) => times(random(s * 1000 + g), rows, g).map((t, i) => (i % 11 === 3 ? null : t)));
  const groups = sizes.map((rows, g): Group => [rows, makers.map((make) => make(rows, g))]);
  return { file: write(specs, groups, pageBytes), names: specs.map((spec) => spec.name) };
}

describe('the decoders, on sub-ranges', () => {
  it.each(Array.from({ length: 32 }, (_, i) => i + 1))('reads RLE/bit-packed values of width %i', (width) => {
    const r = random(width);
    const max = 2 ** width - 1;
    const values = Array.from({ length: 700 }, (_, i) => (i % 100 < 30 ? max : Math.floor(r() * (max + 1))));
    const sink = new ByteSink(16);
    writeHybridRle(sink, values, values.length, width);
    const bytes = new Uint8Array(sink.view());
    for (const [from, to] of [
      [0, 700],
      [0, 1],
      [699, 700],
      [5, 9],
      [31, 200],
      [250, 251],
      [64, 64],
    ]) {
      const out = new Int32Array(to - from);
      const before = readHybrid(bytes, 0, bytes.length, width, from, to, out);
      expect([...out]).toEqual(values.slice(from, to).map((v) => v | 0));
      if (width === 1) expect(before).toBe(values.slice(0, from).reduce((sum, v) => sum + v, 0));
    }
    expect(() => readHybrid(bytes, 0, bytes.length >> 1, width, 0, 700, new Int32Array(700))).toThrow(
      /damaged/,
    );
  });

  it.each<[string, bigint[]]>([
    ['times', times(random(1), 1000, 1)],
    ['52-bit deltas', [0n, 2n ** 52n - 1n, 0n, 1n - 2n ** 52n, 0n, 2n ** 52n - 1n, 2n ** 53n - 2n]],
    ['values near the int64 minimum', [-(2n ** 63n), -(2n ** 63n) + 1000n, -(2n ** 63n) + 2n ** 51n]],
    ['values near the int64 maximum', [2n ** 63n - 1n - 2n ** 51n, 2n ** 63n - 2n, 2n ** 63n - 1n]],
    ['one value', [42n]],
  ])('reads DELTA_BINARY_PACKED %s', (_, values) => {
    const deltas = int64Deltas(values, 0, values.length);
    expect(deltas).toBeDefined();
    const sink = new ByteSink(16);
    writeDeltaBinaryPacked(sink, values[0], values.length, deltas!);
    const bytes = new Uint8Array(sink.view());
    const n = values.length;
    for (const [from, to] of [
      [0, n],
      [0, 1],
      [n - 1, n],
      [Math.floor(n / 2), n],
      [n >> 2, Math.min(n, (n >> 2) + 3)],
    ]) {
      expect(readDelta(bytes, from, to, false)).toEqual(values.slice(from, to));
    }
    // Cut short where values are still wanted: the header, or half of a long page.
    if (n > 1) expect(() => readDelta(bytes.subarray(0, 6), 0, n, false)).toThrow(/damaged/);
    if (n > 100)
      expect(() => readDelta(bytes.subarray(0, bytes.length >> 1), 0, n, false)).toThrow(/damaged/);
  });
});

describe('decodePage', () => {
  const r = random(8);
  const text = new TextEncoder().encode(Array.from({ length: 20_000 }, () => token(r)).join(','));
  const body = new Uint8Array(brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }));
  const want = (bytes: number, seen: number[]) => (page: Uint8Array) => {
    seen.push(page.length);
    if (page.length < bytes) throw new Error('past the prefix');
    return page.subarray(0, bytes);
  };

  it('inflates only a prefix of a big BROTLI body when the values wanted are near its start', () => {
    const seen: number[] = [];
    expect(decodePage(body, text.length, 0.1, 'p', want(20_000, seen))).toEqual(text.subarray(0, 20_000));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeLessThan(text.length / 4);
  });

  it('inflates the whole body when the values run past the prefix, or when most of it is wanted', () => {
    const seen: number[] = [];
    expect(decodePage(body, text.length, 0.1, 'p', want(text.length, seen))).toEqual(text);
    expect(seen.slice(1)).toEqual([text.length]);
    const whole: number[] = [];
    decodePage(body, text.length, 0.8, 'p', want(10, whole));
    expect(whole).toEqual([text.length]);
  });

  it('throws on a body that does not inflate to its stated size', () => {
    expect(() => decodePage(body, text.length + 1, 0.1, 'page p', want(text.length + 1, []))).toThrow(
      /damaged Parquet file: page p decompresses to \d+ bytes/,
    );
    const cut = body.subarray(0, body.length >> 1);
    expect(() => decodePage(cut, text.length, 0.9, 'page p', want(10, []))).toThrow(
      /page p does not decompress/,
    );
  });
});

describe('readRowRange on every column type and encoding', async () => {
  const sizes = [1, 300, 257, 80];
  const { file, names } = matrixFile(sizes, 64);
  const layout = parquetLayoutOf(file);
  const all = await hyparquetRows(file);

  it('reads the layout the same from ranges as from memory', async () => {
    expect(await readParquetLayout(counting(file), file.length)).toEqual(layout);
    expect(layout.rowGroups.map((g) => g.rows)).toEqual(sizes);
    // Small pages: many per chunk, so ranges cross page boundaries.
    expect(Math.min(...layout.rowGroups[1].chunks.map((c) => c.pages.length))).toBeGreaterThan(1);
    expect(layout.rowGroups[1].chunks[0].pages.length).toBeGreaterThan(20);
  });

  it('returns what hyparquet returns for random ranges, single rows, first and last rows', async () => {
    const r = random(99);
    const ranges: [number, number, number][] = [];
    sizes.forEach((rows, g) => {
      ranges.push([g, 0, 1], [g, rows - 1, 1], [g, 0, rows], [g, 0, 0]);
      for (let k = 0; k < 40; k++) {
        const first = Math.floor(r() * rows);
        ranges.push([g, first, Math.min(rows - first, 1 + Math.floor(r() * (k % 2 ? 3 : 40)))]);
      }
    });
    for (const [g, first, rows] of ranges)
      await expectSameRows(layout, counting(file), all, g, first, rows, names);
  });

  it('returns the right rows across every page boundary', async () => {
    const group = 1;
    for (const [c, chunk] of layout.rowGroups[group].chunks.entries()) {
      for (const page of chunk.pages.slice(1)) {
        const first = Math.max(0, page.firstRow - 2);
        const rows = Math.min(4, sizes[group] - first);
        await expectSameRows(layout, counting(file), all, group, first, rows, [names[c]]);
        await expectSameRows(layout, counting(file), all, group, page.firstRow, 1, [names[c]]);
        await expectSameRows(layout, counting(file), all, group, page.firstRow - 1, 1, [names[c]]);
      }
    }
  });

  it('answers bytes as plain Uint8Arrays when the reads return Buffers', async () => {
    const buffers: ReadRange = async (offset, length) =>
      Buffer.from(file.buffer, file.byteOffset + offset, length);
    const got = await readRowRange(layout, buffers, 1, 0, 50, names);
    const bytes = names.filter((name) => name.startsWith('BYTES') || name.startsWith('FIXED'));
    const values = bytes.flatMap((name) => got.get(name)!).filter((v) => v !== null);
    expect(values.length).toBeGreaterThan(100);
    for (const value of values) expect(Object.getPrototypeOf(value)).toBe(Uint8Array.prototype);
  });

  it('answers a missing column with nulls and refuses rows outside the group', async () => {
    const got = await readRowRange(layout, counting(file), 1, 10, 3, ['no such column', names[0]]);
    expect(got.get('no such column')).toEqual([null, null, null]);
    expect(got.get(names[0])).toHaveLength(3);
    await expect(readRowRange(layout, counting(file), 0, 0, 2, names)).rejects.toThrow(RangeError);
    await expect(readRowRange(layout, counting(file), 4, 0, 1, names)).rejects.toThrow(RangeError);
    await expect(readRowRange(layout, counting(file), 1, -1, 1, names)).rejects.toThrow(RangeError);
  });

  it('returns what hyparquet returns from big pages, of which it inflates prefixes', async () => {
    const big = matrixFile([4000, 2500], 64 * 1024);
    const bigLayout = parquetLayoutOf(big.file);
    const bigRows = await hyparquetRows(big.file);
    // Compressed pages big enough that a lookup near their start inflates a prefix only.
    const big8k = (c: LayoutChunk) =>
      c.compressed && (c.pages.some((p) => p.size > 8192) || c.dataAt - (c.dictionaryAt ?? c.dataAt) > 8192);
    expect(bigLayout.rowGroups[0].chunks.filter(big8k).length).toBeGreaterThan(10);
    const r = random(17);
    for (let k = 0; k < 60; k++) {
      const g = k % 2;
      const rows = bigLayout.rowGroups[g].rows;
      const count = 1 + (k % 12);
      const first = k < 4 ? [0, rows - count][k >> 1] : Math.floor(r() * (rows - count));
      await expectSameRows(bigLayout, counting(big.file), bigRows, g, first, count, big.names);
    }
  });

  it('reads a small range of every column in one read, well short of the row group', async () => {
    const read = counting(file);
    await readRowRange(layout, read, 1, 150, 5, names);
    expect(read.calls).toBe(1);
    const groupBytes = (g: number) =>
      layout.rowGroups[g].chunks[0].dictionaryAt ?? layout.rowGroups[g].chunks[0].dataAt;
    expect(read.bytes).toBeLessThan(groupBytes(2) - groupBytes(1));
  });
});

describe('reads of a big file', () => {
  // A 6 MB column of incompressible bytes between two small ones: past the single-read cap.
  const rows = 60_000;
  const r = random(5);
  const blob = Uint8Array.from({ length: rows * 100 }, () => Math.floor(r() * 256));
  const specs: ParquetColumnSpec[] = [
    { name: 'id', type: 'INT64', nullable: false, encoding: 'delta', compressed: false },
    { name: 'blob', type: 'BYTES', nullable: false, encoding: 'plain', compressed: false },
    { name: 'label', type: 'STRING', nullable: true, encoding: 'dictionary', compressed: true },
  ];
  const data: ColumnData[] = [
    Array.from({ length: rows }, (_, i) => BigInt(i) * 7n),
    Array.from({ length: rows }, (_, i) => blob.subarray(i * 100, i * 100 + 100)),
    Array.from({ length: rows }, (_, i) => (i % 3 ? `label ${i % 1000}` : null)),
  ];
  const file = write(specs, [[rows, data]], 8 * 1024);
  const layout = parquetLayoutOf(file);

  it('reads only the pages of a narrow range, in one read', async () => {
    expect(file.length).toBeGreaterThan(SINGLE_READ_MAX_BYTES);
    const read = counting(file);
    const got = await readRowRange(layout, read, 0, 1000, 3, ['id', 'blob']);
    expect(got.get('id')).toEqual([7000n, 7007n, 7014n]);
    expect(got.get('blob')).toEqual([1000, 1001, 1002].map((i) => blob.subarray(i * 100, i * 100 + 100)));
    expect(read.calls).toBe(1);
    expect(read.bytes).toBeLessThan(file.length / 50);
  });

  it('reads chunks far apart (past the single-read cap) in one read each', async () => {
    const read = counting(file);
    const got = await readRowRange(layout, read, 0, 41_000, 2, ['id', 'blob', 'label']);
    expect(got.get('id')).toEqual([287_000n, 287_007n]);
    expect(got.get('blob')).toEqual([41_000, 41_001].map((i) => blob.subarray(i * 100, i * 100 + 100)));
    expect(got.get('label')).toEqual(['label 0', null]);
    // The id page, the blob page, and the label chunk's dictionary with its page.
    expect(read.calls).toBe(3);
    expect(read.bytes).toBeLessThan(file.length / 20);
  });
});

describe('a real search sidecar', async () => {
  const synthetic = generateTraceRequests({
    traces: 4000,
    spansPerTrace: [4, 16],
    spansPerRequest: 200,
    seed: 11,
  });
  const traces = wholeTraces(synthetic.requests)
    .map(({ key, parts }) => searchTraceFromOtlp(key, parts))
    .sort((a, b) => (a.startUnixNano > b.startUnixNano ? -1 : a.startUnixNano < b.startUnixNano ? 1 : 0));
  const parquet = buildSearchSidecar(traces)!.parquet;
  const all = await hyparquetRows(parquet);

  it("reads each sampled trace's rows of every column as hyparquet does", async () => {
    const layout = await readParquetLayout(counting(parquet), parquet.length);
    const columns = layout.columns.map((c) => c.name);
    expect(columns.length).toBeGreaterThan(25);
    expect(layout.rowGroups.length).toBeGreaterThan(1);
    // Each trace's rows: its group and first row, from the trace_id column.
    const spans: [group: number, first: number, rows: number][] = [];
    let row = 0;
    for (const [g, group] of layout.rowGroups.entries()) {
      for (let i = 0; i < group.rows; i++, row++) {
        const last = spans[spans.length - 1];
        const id = all[row][COLUMN.traceId];
        if (
          last &&
          last[0] === g &&
          i > 0 &&
          Buffer.compare(all[row - 1][COLUMN.traceId] as Uint8Array, id as Uint8Array) === 0
        )
          last[2]++;
        else spans.push([g, i, 1]);
      }
    }
    expect(spans.length).toBe(traces.length);
    const read = counting(parquet);
    for (let t = 0; t < spans.length; t += 7) await expectSameRows(layout, read, all, ...spans[t], columns);
    expect(read.calls).toBe(Math.ceil(spans.length / 7));
  });
});

describe('a damaged file', () => {
  const specs: ParquetColumnSpec[] = [
    { name: 's', type: 'STRING', nullable: true, encoding: 'dictionary', compressed: false },
    { name: 'n', type: 'INT64', nullable: false, encoding: 'delta', compressed: false },
    { name: 'b', type: 'BYTES', nullable: true, encoding: 'plain', compressed: false },
    { name: 'z', type: 'STRING', nullable: true, encoding: 'plain', compressed: true },
  ];
  const rows = 500;
  const data: ColumnData[] = [
    Array.from({ length: rows }, (_, i) => (i % 4 ? `v${i % 37}` : null)),
    Array.from({ length: rows }, (_, i) => BigInt(i * i)),
    Array.from({ length: rows }, (_, i) => (i % 5 ? Uint8Array.of(i & 255, 1, 2) : null)),
    Array.from({ length: rows }, (_, i) => (i % 6 ? `text ${i}` : null)),
  ];
  const file = write(specs, [[rows, data]], 256);
  const layout = parquetLayoutOf(file);
  const names = specs.map((s) => s.name);
  const withPages = (
    c: number,
    change: (page: { offset: number; size: number; firstRow: number }) => object,
  ) => {
    const chunks = layout.rowGroups[0].chunks.map((chunk, i) =>
      i === c
        ? { ...chunk, pages: chunk.pages.map((page, p) => (p === 1 ? { ...page, ...change(page) } : page)) }
        : chunk,
    );
    return { ...layout, rowGroups: [{ rows, chunks }] };
  };
  const rowsOfPage1 = (c: number) => layout.rowGroups[0].chunks[c].pages[1].firstRow;

  it.each([
    ['a page header not where the offset index says', (p: { offset: number }) => ({ offset: p.offset + 1 })],
    ['a page size the header disagrees with', (p: { size: number }) => ({ size: p.size - 1 })],
    ['a first row the header disagrees with', (p: { firstRow: number }) => ({ firstRow: p.firstRow + 1 })],
  ])('throws on %s', async (_, change) => {
    for (const c of [0, 1, 2, 3]) {
      const damaged = withPages(c, change as (page: object) => object);
      const first = rowsOfPage1(c);
      await expect(readRowRange(damaged, counting(file), 0, first + 1, 1, [names[c]])).rejects.toThrow(
        /damaged Parquet file: column \w, page at \d+/,
      );
    }
  });

  it('throws on a truncated file, a bad footer and a short read', async () => {
    await expect(
      readParquetLayout(counting(file.subarray(0, file.length - 3)), file.length - 3),
    ).rejects.toThrow(/damaged Parquet file: no PAR1/);
    const badFooter = file.slice();
    badFooter.fill(0xff, badFooter.length - 40, badFooter.length - 8);
    expect(() => parquetLayoutOf(badFooter)).toThrow(/damaged Parquet file/);
    const short: ReadRange = async (offset, length) => file.subarray(offset, offset + length - 1);
    await expect(readRowRange(layout, short, 0, 0, 1, names)).rejects.toThrow(/returned \d+/);
  });

  it('throws or answers, never hangs or reads out of bounds, whatever bytes a page holds', async () => {
    const r = random(3);
    let thrown = 0;
    for (let k = 0; k < 600; k++) {
      const bad = file.slice();
      const chunk = layout.rowGroups[0].chunks[k % 4];
      const page = chunk.pages[Math.floor(r() * chunk.pages.length)];
      const dictionary = k % 3 === 0 && chunk.dictionaryAt !== undefined;
      const start = dictionary ? chunk.dictionaryAt! : page.offset;
      const size = dictionary ? chunk.dataAt - chunk.dictionaryAt! : page.size;
      // The header's bytes, or anywhere in the page: levels, values, compressed bytes.
      const span = k % 2 ? Math.min(24, size) : size;
      for (let f = 0; f < 1 + (k % 4); f++) bad[start + Math.floor(r() * span)] = Math.floor(r() * 256);
      const first = Math.min(rows - 10, page.firstRow + Math.floor(r() * 4));
      try {
        const got = await readRowRange(layout, counting(bad), 0, first, 10, names);
        for (const values of got.values()) expect(values).toHaveLength(10);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(/damaged Parquet file/);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(150);
  });

  it('throws or answers whatever bytes the footer and offset indexes hold', () => {
    const r = random(4);
    const indexesAt = Math.max(
      ...layout.rowGroups[0].chunks.map((c) => c.pages.at(-1)!.offset + c.pages.at(-1)!.size),
    );
    let thrown = 0;
    for (let k = 0; k < 300; k++) {
      const bad = file.slice();
      for (let f = 0; f < 1 + (k % 3); f++)
        bad[indexesAt + Math.floor(r() * (file.length - 8 - indexesAt))] = Math.floor(r() * 256);
      try {
        parquetLayoutOf(bad);
      } catch (err) {
        expect((err as Error).message).toMatch(/damaged Parquet file/);
        thrown++;
      }
    }
    expect(thrown).toBeGreaterThan(30);
  });
});
