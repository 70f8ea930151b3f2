import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata, parquetReadObjects, readOffsetIndex } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { ByteSink } from './byte-sink';
import { int64Deltas, writeDeltaBinaryPacked } from './delta-binary-packed';
import { type ParquetColumnSpec, ParquetFileWriter, type ParquetValue } from './parquet-writer';

type Int = bigint | number;
/** A decoded block: its min delta, bit widths, and each present miniblock's packed values (with padding). */
type Block = { minDelta: bigint; widths: number[]; packed: bigint[][] };

/**
 * A reference DELTA_BINARY_PACKED decoder written from the Parquet spec: ULEB128 block size,
 * miniblocks per block and total count, the zigzag first value; then per block a zigzag min delta,
 * one bit-width byte per miniblock, and the miniblocks needed, each 32 values LSB-first.
 */
function decode(bytes: Uint8Array): { values: bigint[]; blocks: Block[] } {
  let pos = 0;
  const uleb = (shift = 0n): bigint =>
    (BigInt(bytes[pos] & 0x7f) << shift) | (bytes[pos++] & 0x80 ? uleb(shift + 7n) : 0n);
  const zigzag = (v = uleb()): bigint => (v >> 1n) ^ -(v & 1n);
  const [blockSize, miniblocks, total] = [uleb(), uleb(), uleb()].map(Number);
  const perMiniblock = blockSize / miniblocks;
  expect([blockSize % 128, perMiniblock % 32]).toEqual([0, 0]);
  const values = total > 0 ? [zigzag()] : [];
  const blocks: Block[] = [];
  while (values.length < total) {
    const minDelta = zigzag();
    const block: Block = { minDelta, widths: [...bytes.subarray(pos, pos + miniblocks)], packed: [] };
    pos += miniblocks;
    for (let m = 0; m < miniblocks && values.length < total; m++) {
      const width = block.widths[m];
      const packed: bigint[] = [];
      for (let k = 0; k < perMiniblock; k++) {
        let v = 0n;
        for (let b = 0; b < width; b++) {
          const bit = pos * 8 + k * width + b;
          if ((bytes[bit >> 3] >> (bit & 7)) & 1) v |= 1n << BigInt(b);
        }
        packed.push(v);
        if (values.length < total) values.push(BigInt.asIntN(64, values.at(-1)! + block.minDelta + v));
      }
      block.packed.push(packed);
      pos += (perMiniblock * width) / 8;
    }
    blocks.push(block);
  }
  expect(pos).toBe(bytes.length);
  return { values, blocks };
}

function encode(values: readonly Int[], from = 0, to = values.length): Uint8Array {
  const deltas = int64Deltas(values, from, to);
  expect(deltas).toBeDefined();
  const sink = new ByteSink(1 << 16);
  sink.buf.fill(0xa5); // stale bytes, as in a reused page buffer
  writeDeltaBinaryPacked(sink, values[from], to - from, deltas!);
  return new Uint8Array(sink.view());
}

const bitLength = (v: bigint): number => v.toString(2).replace(/^0$/, '').length;

/** Decodes, compares with the input, and checks each block's min and each miniblock's width are minimal. */
function roundTrip(values: readonly Int[]): Block[] {
  const want = values.map((v) => BigInt(v));
  const { values: got, blocks } = decode(encode(values));
  expect(got).toEqual(want);
  const deltas = want.slice(1).map((v, i) => v - want[i]);
  expect(blocks.length).toBe(Math.ceil(deltas.length / 128));
  blocks.forEach((block, b) => {
    const own = deltas.slice(b * 128, b * 128 + 128);
    expect(block.minDelta).toBe(own.reduce((x, y) => (y < x ? y : x)));
    expect(block.packed.length).toBe(Math.ceil(own.length / 32));
    block.widths.forEach((width, m) => {
      const mini = own.slice(m * 32, m * 32 + 32).map((d) => d - block.minDelta);
      expect(width).toBe(bitLength(mini.reduce((x, y) => (y > x ? y : x), 0n)));
      if (block.packed[m]) expect(block.packed[m].slice(mini.length).every((v) => v === 0n)).toBe(true);
    });
  });
  return blocks;
}

const NS = 1_700_000_000_000_000_000n;

/** A deterministic pseudo-random number in [0, 1) for (i, seed). */
const noise = (i: number, seed: number): number =>
  (Math.abs(Math.sin(i * 12.9898 + seed * 78.233)) * 43758.5453) % 1;

/** `count` values from `first`, each `step(i)` from the one before. */
const walk = (count: number, step: (i: number) => Int, first: Int = 0n): bigint[] => {
  const values = [BigInt(first)];
  for (let i = 1; i < count; i++) values.push(values[i - 1] + BigInt(step(i)));
  return values;
};

/** Unix-nanosecond start times from ~1.7e18 with µs–ms gaps, some negative (spans out of order). */
const startTimes = (count: number, seed: number): bigint[] =>
  walk(count, (i) => Math.floor((noise(i, seed) - 0.1) * 10 ** (3 + 4 * noise(i, -seed))), NS);

describe('writeDeltaBinaryPacked', () => {
  it('writes one value as the header alone and two values as one block of width-0 miniblocks', () => {
    expect([...encode([42n])]).toEqual([0x80, 0x01, 4, 1, 84]);
    expect([...encode([5, 3])]).toEqual([0x80, 0x01, 4, 2, 10, 3, 0, 0, 0, 0]);
    roundTrip([-7n]);
    roundTrip([2n ** 63n - 1n, 2n ** 63n - 2n]);
  });

  it.each([127, 128, 129, 130, 1000])('round-trips %i values across block and miniblock edges', (count) => {
    const values = walk(count, (i) => Math.floor(noise(i, count) * 5000) - 1000, -12345);
    roundTrip(values);
    expect(encode(values.map(Number))).toEqual(encode(values));
  });

  it('writes constant values as width-0 miniblocks with no packed bytes', () => {
    const blocks = roundTrip(new Array<bigint>(300).fill(NS));
    expect(blocks.map((b) => [b.minDelta, ...b.widths].join(''))).toEqual(['00000', '00000', '00000']);
    expect(encode(new Array<number>(300).fill(9)).length).toBe(6 + 3 * 5);
  });

  it('round-trips strictly decreasing and mixed-sign deltas', () => {
    const decreasing = roundTrip(walk(400, (i) => -1 - (i % 17) * 1000, 10 ** 15));
    expect(decreasing.every((b) => b.minDelta < 0n)).toBe(true);
    roundTrip(walk(500, (i) => Math.floor((noise(i, 7) - 0.5) * 2 ** 20)));
    roundTrip(walk(70, (i) => (i % 2 ? 1 : -1) * 2 ** (i % 40)));
  });

  it('round-trips unix-nanosecond start times given as bigint or as number', () => {
    const times = startTimes(1000, 1);
    roundTrip(times);
    const ms = times.map((t) => Number(t / 1_000_000n));
    roundTrip(ms);
    expect(encode(ms)).toEqual(encode(ms.map(BigInt)));
    expect(encode([1n, 5, 2n, -3])).toEqual(encode([1, 5, 2, -3]));
  });

  it('packs deltas of 33 to 52 bits across both 32-bit halves', () => {
    const big = (i: number) => (i % 3 ? 1 : -1) * Math.floor(2 ** (32 + (i % 20)) * (1 + noise(i, 33)));
    const blocks = roundTrip(walk(300, big, 2n ** 60n));
    expect(Math.max(...blocks.flatMap((b) => b.widths))).toBeGreaterThan(33);
    const extreme = [0n, 2n ** 52n - 1n, 0n, 1n - 2n ** 52n, 0n, 2n ** 52n - 1n, 2n ** 53n - 2n];
    expect(roundTrip(extreme)[0].widths[0]).toBe(53);
    roundTrip(walk(97, (i) => 2 ** 32 + i - 50, 2 ** 40));
  });

  it('round-trips negative first values, down to the int64 minimum', () => {
    roundTrip([-1n, -2n, 0n, 3n]);
    roundTrip(walk(200, (i) => i * 3, -(2 ** 53) + 1).map(Number));
    roundTrip([-(2n ** 63n), -(2n ** 63n) + 1000n, -(2n ** 63n) + 7n]);
  });

  it('encodes a sub-range from its own first value', () => {
    const times = startTimes(600, 2);
    expect(decode(encode(times, 150, 420)).values).toEqual(times.slice(150, 420));
  });
});

describe('int64Deltas', () => {
  it('returns undefined when a delta reaches 2^52 in magnitude', () => {
    expect(int64Deltas([0n, NS], 0, 2)).toBeUndefined();
    expect(int64Deltas([5, NS, 7n], 0, 3)).toBeUndefined();
    expect(int64Deltas([2n ** 52n, 0n], 0, 2)).toBeUndefined();
    expect(int64Deltas([0, 2 ** 52], 0, 2)).toBeUndefined();
    expect(int64Deltas([-(2 ** 52), 0], 0, 2)).toBeUndefined();
    expect(int64Deltas([0n, 2n ** 52n - 1n, 0n], 0, 3)).toEqual(Float64Array.of(2 ** 52 - 1, 1 - 2 ** 52));
    expect(int64Deltas([NS, 0n, 1n, 3n], 1, 4)).toEqual(Float64Array.of(1, 2));
    expect(int64Deltas([NS], 0, 1)).toEqual(new Float64Array());
  });
});

const compressors = { BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)) };
const INT64 = { type: 'INT64', nullable: false, encoding: 'delta', compressed: false } as const;
function spec(name: string, extra?: Partial<ParquetColumnSpec>): ParquetColumnSpec {
  return { name, ...INT64, ...extra };
}

function write(columns: ParquetColumnSpec[], groups: ParquetValue[][][], pageBytes: number): Uint8Array {
  const compress = (input: Uint8Array) => new Uint8Array(brotliCompressSync(input));
  const writer = new ParquetFileWriter({ columns, pageBytes, codec: 'BROTLI', compress, createdBy: 'test' });
  for (const data of groups) writer.writeRowGroup(data[0].length, data);
  return writer.finish();
}

const file = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;
const encodings = (bytes: Uint8Array) =>
  parquetMetadata(file(bytes)).row_groups.map((g) => g.columns.map((c) => c.meta_data!.encodings));
/** The compressed sizes of the pages of row group `g`'s chunk of column `c`, from the offset index. */
function pageSizes(bytes: Uint8Array, g: number, c: number): number[] {
  const chunk = parquetMetadata(file(bytes)).row_groups[g].columns[c];
  const view = new DataView(bytes.buffer, bytes.byteOffset + Number(chunk.offset_index_offset));
  return readOffsetIndex({ view, offset: 0 }).page_locations.map((p) => p.compressed_page_size);
}

describe('a delta INT64 column in ParquetFileWriter', () => {
  it('writes pages holding a delta of 2^52 or more PLAIN, and the file still round-trips', async () => {
    // 8 values a page (pageBytes 64): only the page of rows [16, 24) holds the jump.
    const mixed = Array.from({ length: 40 }, (_, i) => (i < 20 ? BigInt(i * 7) : NS + BigInt(i * 7)));
    const alternating = mixed.map((_, i) => (i % 2 ? NS : -BigInt(i)));
    const columns = [spec('mixed'), spec('alternating', { compressed: true })];
    const bytes = write(columns, [[mixed, alternating]], 64);
    expect(await parquetReadObjects({ file: file(bytes), compressors })).toEqual(
      mixed.map((m, i) => ({ mixed: m, alternating: alternating[i] })),
    );
    const [[withDelta, plainOnly]] = encodings(bytes);
    expect(withDelta).toContain('DELTA_BINARY_PACKED');
    expect(plainOnly).not.toContain('DELTA_BINARY_PACKED');
    expect(plainOnly).toContain('PLAIN');
    // A PLAIN page holds 8 × 8 value bytes; a delta page of constant steps, a ~20-byte encoding.
    expect(pageSizes(bytes, 0, 0).map((size) => size > 64)).toEqual([false, false, true, false, false]);
  });

  const sizes = [1, 1000, 333, 2];
  const times = startTimes(1336, 3);
  const durations = times.map((_, i) => (i % 9 === 4 ? null : Math.floor(noise(i, 4) * 2 ** 40) - 2 ** 20));
  const at = [0, 1, 1001, 1334];
  const groups = sizes.map((rows, g) => [times, durations].map((c) => c.slice(at[g], at[g] + rows)));
  const columns = [spec('start', { compressed: true }), spec('duration', { nullable: true })];
  const bytes = write(columns, groups, 256);
  const bigints = durations.map((d) => (d === null ? null : BigInt(d)));
  const want = times.map((start, i) => ({ start, duration: bigints[i] }));

  it('round-trips over row groups and many pages, listing DELTA_BINARY_PACKED', async () => {
    expect(await parquetReadObjects({ file: file(bytes), compressors })).toEqual(want);
    expect(parquetMetadata(file(bytes)).row_groups.map((g) => Number(g.num_rows))).toEqual(sizes);
    for (const chunks of encodings(bytes)) for (const e of chunks) expect(e).toContain('DELTA_BINARY_PACKED');
    expect(pageSizes(bytes, 1, 0).length).toBeGreaterThan(20);
  });

  const ranges = '0-1 1-2 500-540 990-1010 1330-1336'.split(' ').map((r) => r.split('-').map(Number));
  it.each(ranges)('returns exactly rows [%i, %i) with the offset index', async (rowStart, rowEnd) => {
    const options = { rowStart, rowEnd, useOffsetIndex: true, compressors };
    expect(await parquetReadObjects({ file: file(bytes), ...options })).toEqual(want.slice(rowStart, rowEnd));
  });

  it('is read by DuckDB with matching sums, minimums and maximums', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parquet-delta-'));
    const duck = await DuckDBInstance.create(':memory:');
    const sql = await duck.connect();
    try {
      const path = join(dir, 'delta.parquet');
      await writeFile(path, bytes);
      const agg = (c: string) => ['sum', 'min', 'max'].map((f) => `${f}(${c})::VARCHAR AS ${c}_${f}`).join();
      const query = `SELECT count(*)::INT AS n, count(duration)::INT AS d, ${agg('start')}, ${agg('duration')}`;
      const reader = await sql.runAndReadAll(`${query} FROM read_parquet('${path}')`);
      const present = bigints.filter((d) => d !== null);
      const stats = (c: string, xs: bigint[]) => {
        const sorted = [...xs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        const sum = xs.reduce((x, y) => x + y, 0n);
        return { [`${c}_sum`]: `${sum}`, [`${c}_min`]: `${sorted[0]}`, [`${c}_max`]: `${sorted.at(-1)}` };
      };
      const counts = { n: times.length, d: present.length };
      expect(reader.getRowObjects()).toEqual([
        { ...counts, ...stats('start', times), ...stats('duration', present) },
      ]);
    } finally {
      sql.closeSync();
      duck.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
