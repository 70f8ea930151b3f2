import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { parquetMetadata, parquetReadObjects, readOffsetIndex } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import {
  ALL_TYPES,
  compressors,
  type Group,
  random,
  SAMPLE_TEXT,
  writeParquet,
} from './parquet-test-support';
import {
  type ColumnData,
  DICTIONARY_MAX_BYTES,
  type ParquetColumnSpec,
  type ParquetValue,
  type ParquetColumnType as Type,
} from './parquet-writer';

const DICT = { encoding: 'dictionary' } as const;

function column(name: string, type: Type, extra: Partial<ParquetColumnSpec> = {}): ParquetColumnSpec {
  const typeLength = type === 'FIXED_LEN_BYTE_ARRAY' ? 4 : undefined;
  return { name, type, typeLength, nullable: false, encoding: 'plain', compressed: false, ...extra };
}

function write(columns: ParquetColumnSpec[], groups: Group[], pageBytes = 64): Uint8Array {
  return writeParquet(columns, groups, pageBytes);
}

const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;
const readAll = (bytes: Uint8Array) =>
  parquetReadObjects({ file: arrayBuffer(bytes), compressors, utf8: false });

/** Page count of each row group's chunk of column `c`, from the offset index as written. */
function pagesPerGroup(bytes: Uint8Array, meta: FileMetaData, c: number): number[] {
  return meta.row_groups.map((group) => {
    const view = new DataView(bytes.buffer, bytes.byteOffset + Number(group.columns[c].offset_index_offset));
    return readOffsetIndex({ view, offset: 0 }).page_locations.length;
  });
}

/** What a reader returns for a written value: INT64 as bigint, JSON parsed, bytes as Uint8Array. */
function expected(type: Type, value: ParquetValue): unknown {
  if (value === null) return null;
  if (type === 'INT64') return BigInt(value as number | bigint);
  if (type === 'FIXED_LEN_BYTE_ARRAY' || type === 'BYTES') return new Uint8Array(value as Uint8Array);
  if (type === 'JSON' && typeof value === 'object') return JSON.parse(JSON.stringify(value));
  return value;
}

const TEXT = SAMPLE_TEXT;
const TYPES = ALL_TYPES;
const INT64 = [2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n, -3, 2 ** 60, -(2 ** 53) - 2, 2 ** 53 + 2];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const SAMPLE: Record<Type, (r: () => number, i: number) => ParquetValue> = {
  STRING: (r, i) => (r() < 0.5 ? pick(r, TEXT) : `s${i % 40} ü${'😀'.repeat(i % 3)}`),
  JSON: (r, i) => ({ i: i % 30, text: pick(r, TEXT), nested: [i % 3, { even: i % 2 === 0 }] }),
  BYTES: (r, i) => Uint8Array.from({ length: i % 5 }, (_, k) => (k * 97 + (r() < 0.5 ? 0 : 200)) % 256),
  INT32: (r, i) => pick(r, [0, -1, 2147483647, -2147483648, i, -7 * i - 1]),
  INT64: (r, i) => (r() < 0.3 ? BigInt(i) * 1000n - 2n ** 40n : pick(r, INT64)),
  DOUBLE: (r, i) => pick(r, [-1.5, 0.1, -1e-300, 1e300, Math.PI, -(i + 1) / 3, i + 0.25, 0]),
  BOOLEAN: (r) => r() < 0.5,
  FIXED_LEN_BYTE_ARRAY: (r, i) => Uint8Array.from([i % 7, 255, r() < 0.5 ? 0 : 128, i % 3]),
};

function sample(type: Type, nullable: boolean, rows: number, seed: number): ParquetValue[] {
  const r = random(seed);
  const isNull = (i: number) => nullable && (r() < 0.3 || i % 50 < 9);
  return Array.from({ length: rows }, (_, i) => (isNull(i) ? null : SAMPLE[type](r, i)));
}

const COMBOS = [false, true].flatMap((nullable) =>
  (['plain', 'dictionary'] as const).flatMap((encoding) =>
    [false, true].map((compressed) => ({ nullable, encoding, compressed })),
  ),
);

describe.each(TYPES)('a %s column', (type) => {
  it.each(COMBOS)('round-trips through hyparquet (%o) over row groups and many pages', async (options) => {
    const sizes = [1, 300, 57];
    const data = sizes.map((rows, g) => sample(type, options.nullable, rows, g + 1));
    const bytes = write(
      [column('v', type, options)],
      data.map((values): Group => [values.length, [values]]),
    );
    expect(await readAll(bytes)).toEqual(data.flat().map((v) => ({ v: expected(type, v) })));

    const meta = parquetMetadata(arrayBuffer(bytes));
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual(sizes);
    expect(pagesPerGroup(bytes, meta, 0)[1]).toBeGreaterThan(2);
    const chunk = meta.row_groups[1].columns[0].meta_data!;
    expect(chunk.codec).toBe(options.compressed ? 'BROTLI' : 'UNCOMPRESSED');
    expect(chunk.encodings.includes('RLE_DICTIONARY')).toBe(options.encoding === 'dictionary');
    expect(chunk.dictionary_page_offset !== undefined).toBe(options.encoding === 'dictionary');
  });

  it('reads back an all-null nullable column as nulls', async () => {
    const specs = [column('p', type, { nullable: true }), column('d', type, { nullable: true, ...DICT })];
    const nulls = new Array<null>(20).fill(null);
    const rows = await readAll(write(specs, [[20, [nulls, nulls]]]));
    expect(rows).toEqual(nulls.map(() => ({ p: null, d: null })));
  });
});

describe('ParquetFileWriter', () => {
  it('writes runs (with null runs) as one dictionary entry per run and expands them on read', async () => {
    const specs = [
      column('s', 'STRING', { nullable: true, compressed: true }),
      column('n', 'INT64', { encoding: 'dictionary' }),
      column('f', 'FIXED_LEN_BYTE_ARRAY', { nullable: true }),
    ];
    const lengths = [3, 1, 0, 12, 9, 1];
    const [one, nine] = [Uint8Array.of(1, 2, 3, 4), Uint8Array.of(9, 9, 9, 9)];
    const s = ['ü', null, 'x', 'ü', null, ''];
    const n = [2n ** 60n, 5, -3, 5, 7n, -(2n ** 63n)];
    const f = [null, one, null, one, nine, null];
    const runs = (values: ParquetValue[]) => ({ runs: values, lengths: Int32Array.from(lengths) });
    const single = (value: ParquetValue) => ({ runs: [value], lengths: [1] });
    const first: Group = [26, [runs(s), runs(n), runs(f)]];
    const bytes = write(specs, [first, [1, [single('a'), single(1), single(null)]]], 8);
    const expand = <T>(values: T[]) => values.flatMap((v, r) => new Array<T>(lengths[r]).fill(v));
    const [ss, ns, fs] = [expand(s), expand(n), expand(f)];
    const want = ss.map((v, i) => ({ s: v, n: BigInt(ns[i]), f: fs[i] && new Uint8Array(fs[i]) }));
    expect(await readAll(bytes)).toEqual([...want, { s: 'a', n: 1n, f: null }]);
    const chunks = parquetMetadata(arrayBuffer(bytes)).row_groups[0].columns;
    expect(chunks.map((c) => c.meta_data!.dictionary_page_offset !== undefined)).toEqual([true, true, true]);
  });

  it('falls back to PLAIN when the dictionary passes DICTIONARY_MAX_BYTES, and still round-trips', async () => {
    const count = Math.ceil(DICTIONARY_MAX_BYTES / 500) + 10;
    const big = Array.from({ length: count }, (_, i) => `${i}:${'y'.repeat(500)}`);
    const small = big.map((_, i) => `v${i % 10}`);
    const specs = [column('big', 'STRING', DICT), column('small', 'STRING', DICT)];
    const bytes = write(specs, [[big.length, [big, small]]], 64 * 1024);
    const chunks = parquetMetadata(arrayBuffer(bytes)).row_groups[0].columns.map((c) => c.meta_data!);
    expect(chunks.map((c) => c.dictionary_page_offset !== undefined)).toEqual([false, true]);
    expect(chunks[0].encodings).not.toContain('RLE_DICTIONARY');
    expect(await readAll(bytes)).toEqual(big.map((b, i) => ({ big: b, small: small[i] })));
  });

  it('keeps multi-byte strings intact when pages are cut by the UTF-16 length estimate', async () => {
    const text = ['€'.repeat(100_000), '😀'.repeat(40), 'ü', '', '€'.repeat(30), '🚀x'.repeat(500)];
    const bytes = write([column('t', 'STRING', { compressed: true })], [[text.length, [text]]], 50);
    expect(await readAll(bytes)).toEqual(text.map((t) => ({ t })));
    // Estimates 100004, 84, then 5 + 4 + 34 + 1504: cuts after rows 0, 1 and 5.
    expect(pagesPerGroup(bytes, parquetMetadata(arrayBuffer(bytes)), 0)).toEqual([3]);
  });

  it('keeps -0 and 0 apart in DOUBLE dictionaries, per value and per run', async () => {
    const runs = { runs: [0, -0], lengths: [2, 2] };
    const perValue: Group = [4, [[-0, 0, -0, 0]]];
    const bytes = write([column('d', 'DOUBLE', DICT)], [perValue, [4, [runs]]]);
    const signs = (await readAll(bytes)).map((row) => Object.is(row.d, -0));
    expect(signs).toEqual([true, false, true, false, false, false, true, true]);
  });

  describe('refuses wrong input', () => {
    const int = column('a', 'INT32');
    const fixed = column('f', 'FIXED_LEN_BYTE_ARRAY');
    const b4 = Uint8Array.of(1, 2, 3, 4);
    const one = (spec: ParquetColumnSpec, rows: number, data: ColumnData) => () =>
      write([spec], [[rows, [data]]]);
    it.each<[string, () => unknown, RegExp]>([
      ['a null in a required column', one(int, 2, [1, null]), /column a is required; row 1 has no value/],
      ['a null run in a required column', one(int, 2, { runs: [null], lengths: [2] }), /required; run 0/],
      ['too few columns', () => write([int, fixed], [[1, [[1]]]]), /has 1 columns; the schema has 2/],
      ['too many values', one(int, 1, [1, 2]), /column a: 2 values for 1 rows/],
      ['too few values', one(fixed, 2, [b4]), /column f: 1 values for 2 rows/],
      ['a fixed value of the wrong length', one(fixed, 1, [b4.subarray(1)]), /f: 3-byte value, 4 expected/],
      ['a wrong length in a dictionary', one({ ...fixed, ...DICT }, 1, [b4.subarray(2)]), /2-byte value, 4/],
      ['runs covering too few rows', one(int, 3, { runs: [1, 2], lengths: [1, 1] }), /cover 2 rows of 3/],
      ['runs covering too many rows', one(fixed, 1, { runs: [b4], lengths: [2] }), /runs cover 2 rows of 1/],
    ])('%s', (_, writing, message) => {
      expect(writing).toThrow(message);
    });
  });
});

describe('ranged reads with the offset index', () => {
  const rows = 6000;
  const ids = Array.from({ length: rows }, (_, i) => BigInt(i) * 3n - 5n);
  const labels = ids.map((_, i) => (i % 7 === 0 ? null : `label ${i % 13} ü`));
  const keys = ids.map((_, i) => Uint8Array.from({ length: 16 }, (_, b) => (i * 31 + b) & 255));
  const specs = [
    column('id', 'INT64', { compressed: true }),
    column('label', 'STRING', { nullable: true, compressed: true, ...DICT }),
    column('key', 'FIXED_LEN_BYTE_ARRAY', { typeLength: 16 }),
  ];
  const groups = [0, 3000].map((at): Group => [3000, [ids, labels, keys].map((c) => c.slice(at, at + 3000))]);
  const bytes = write(specs, groups, 512);
  const metadata = parquetMetadata(arrayBuffer(bytes));

  it.each([
    [0, 1],
    [2990, 3010],
    [4321, 4400],
    [rows - 1, rows],
  ])('returns exactly rows [%i, %i)', async (rowStart, rowEnd) => {
    const options = { rowStart, rowEnd, columns: ['id', 'label', 'key'], useOffsetIndex: true, compressors };
    const got = await parquetReadObjects({ file: arrayBuffer(bytes), ...options });
    const want = ids.map((id, i) => ({ id, label: labels[i], key: keys[i] })).slice(rowStart, rowEnd);
    expect(got).toEqual(want);
  });

  it('reads only a small part of a narrow column to get a few rows', async () => {
    const chunkBytes = Number(metadata.row_groups[1].columns[0].meta_data!.total_compressed_size);
    const bytesRead = async (useOffsetIndex: boolean) => {
      const whole = arrayBuffer(bytes);
      let read = 0;
      const file: AsyncBuffer = {
        byteLength: whole.byteLength,
        slice: (start, end = whole.byteLength) => {
          read += end - start;
          return whole.slice(start, end);
        },
      };
      const options = { file, metadata, rowStart: 4500, rowEnd: 4505, columns: ['id'], compressors };
      const got = await parquetReadObjects({ ...options, useOffsetIndex });
      expect(got).toEqual(ids.slice(4500, 4505).map((id) => ({ id })));
      return read;
    };
    expect(await bytesRead(false)).toBeGreaterThanOrEqual(chunkBytes);
    expect(await bytesRead(true)).toBeLessThan(chunkBytes / 5);
  });
});

describe('DuckDB reading a written file', () => {
  it('agrees on counts, sums, nulls, strings and fixed bytes across row groups', async () => {
    const sizes = [1, 700, 299];
    const id = Array.from({ length: 1000 }, (_, i) => i);
    const big = id.map((i) => (i % 2 ? 2n ** 60n + BigInt(i) : -(2n ** 55n) - BigInt(i)));
    const n = id.map((i) => (i % 5 === 0 ? null : i - 400));
    const d = id.map((i) => (i % 4 === 0 ? null : -i / 8));
    const s = id.map((i) => (i % 6 === 0 ? null : TEXT[i % TEXT.length]));
    const b = id.map((i) => i % 3 === 0);
    const f = id.map((i) => (i % 9 === 0 ? null : Uint8Array.from([i & 255, i >> 8, 0xab, 0, 1, 2, 3, 4])));
    const specs = [
      column('id', 'INT32'),
      column('big', 'INT64', { compressed: true }),
      column('n', 'INT32', { nullable: true, ...DICT }),
      column('d', 'DOUBLE', { nullable: true, compressed: true }),
      column('s', 'STRING', { nullable: true, compressed: true, ...DICT }),
      column('b', 'BOOLEAN'),
      column('f', 'FIXED_LEN_BYTE_ARRAY', { nullable: true, typeLength: 8 }),
      column('e', 'STRING', { nullable: true, ...DICT }),
    ];
    const columns = [id, big, n, d, s, b, f, id.map(() => null)];
    const at = [0, 1, 701];
    const groups = sizes.map((rows, g): Group => [rows, columns.map((c) => c.slice(at[g], at[g] + rows))]);
    const dir = await mkdtemp(join(tmpdir(), 'parquet-writer-'));
    const duck = await DuckDBInstance.create(':memory:');
    const sql = await duck.connect();
    try {
      const file = join(dir, 'test.parquet');
      await writeFile(file, write(specs, groups, 128));
      const query = async (q: string) =>
        (await sql.runAndReadAll(q.replaceAll('$FILE', `read_parquet('${file}')`))).getRowObjects();
      const [stats] = await query(`SELECT count(*)::INT AS rows, count(n)::INT AS n, sum(n)::INT AS n_sum,
        sum(big)::VARCHAR AS big_sum, count(d)::INT AS d, sum(d) AS d_sum, count(s)::INT AS s,
        count(f)::INT AS f, count(e)::INT AS e, count_if(b)::INT AS b FROM $FILE`);
      const present = <T>(xs: (T | null)[]) => xs.filter((x): x is T => x !== null);
      const dSum = present(d).reduce((x, y) => x + y, 0);
      expect(stats).toEqual({
        rows: 1000,
        n: present(n).length,
        n_sum: present(n).reduce((x, y) => x + y, 0),
        big_sum: big.reduce((x, y) => x + y, 0n).toString(),
        d: present(d).length,
        d_sum: expect.closeTo(dSum, 9),
        s: present(s).length,
        f: present(f).length,
        e: 0,
        b: b.filter(Boolean).length,
      });
      const rows = await query('SELECT id, big::VARCHAR AS big, s, hex(f) AS f FROM $FILE ORDER BY id');
      const hex = (bytes: Uint8Array | null) => bytes && Buffer.from(bytes).toString('hex').toUpperCase();
      expect(rows).toEqual(id.map((i) => ({ id: i, big: big[i].toString(), s: s[i], f: hex(f[i]) })));
      const metadataQuery = `SELECT count(DISTINCT row_group_id)::INT AS g FROM parquet_metadata('${file}')`;
      expect(await query(metadataQuery)).toEqual([{ g: sizes.length }]);
    } finally {
      sql.closeSync();
      duck.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
