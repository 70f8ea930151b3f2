import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import {
  type ColumnData,
  type ParquetColumnSpec,
  type ParquetColumnType,
  ParquetFileWriter,
} from './parquet-writer';

/** What the Parquet tests share: hyparquet's BROTLI, seeded numbers, and a file of row groups. */

export const compressors = { BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)) };

export type Group = [rows: number, data: ColumnData[]];

/** Deterministic numbers in [0, 1) (a linear congruential generator), so failures reproduce. */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** A file of these row groups, BROTLI at `quality` (default: brotli's own). */
export function writeParquet(
  columns: ParquetColumnSpec[],
  groups: Group[],
  pageBytes: number,
  quality?: number,
): Uint8Array {
  const params = quality === undefined ? {} : { [constants.BROTLI_PARAM_QUALITY]: quality };
  const compress = (input: Uint8Array) => new Uint8Array(brotliCompressSync(input, { params }));
  const writer = new ParquetFileWriter({ columns, pageBytes, codec: 'BROTLI', compress, createdBy: 'test' });
  for (const [rows, data] of groups) writer.writeRowGroup(rows, data);
  return writer.finish();
}

/** Every column type the writer writes. */
export const ALL_TYPES: readonly ParquetColumnType[] = [
  'STRING',
  'JSON',
  'BYTES',
  'INT32',
  'INT64',
  'DOUBLE',
  'BOOLEAN',
  'FIXED_LEN_BYTE_ARRAY',
];

/** Strings that test UTF-8: empty, accented, astral, long. */
export const SAMPLE_TEXT = ['', 'a', 'ü', 'naïve café', '😀', 'mixed ü 🚀🚀 ok', 'x'.repeat(200)];
