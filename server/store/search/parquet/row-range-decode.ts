import { brotliDecompressSync, constants } from 'node:zlib';
import { parquetHeader } from 'hyparquet/src/column.js';
import type { ParquetColumnType } from './parquet-types';
import type { PageLocation, ParquetValue } from './parquet-writer';

/** One row's value: see `readRowRange` for how each column type maps. */
export type RowValue = ParquetValue;
/** A column's values for the requested rows, one per row. */
export type RowValues = RowValue[];

export interface LayoutColumn {
  name: string;
  type: ParquetColumnType;
  /** FIXED_LEN_BYTE_ARRAY: bytes per value (0 otherwise). */
  typeLength: number;
  nullable: boolean;
}

export interface LayoutChunk {
  /** BROTLI pages (else UNCOMPRESSED). */
  compressed: boolean;
  /** The dictionary page spans [dictionaryAt, dataAt) when the chunk has one. */
  dictionaryAt: number | undefined;
  dataAt: number;
  /** The data pages, from the chunk's offset index. */
  pages: readonly PageLocation[];
}

/**
 * The page decoding of `row-range-reader.ts`: `readColumn` turns the fetched pages of one column
 * into the values of a row range. Each decoder reads only up to the last value the range needs and
 * steps over what lies before its first (runs, groups, lengths) without materializing it; BROTLI
 * pages are inflated only as far as that (`decodePage`). Every read is bounds-checked against the
 * bytes at hand, so a damaged page throws instead of reading garbage.
 */

export function damaged(what: string): never {
  throw new Error(`damaged Parquet file: ${what}`);
}

/** One column's type as the reader needs it. */
interface ValueType {
  type: ParquetColumnType;
  /** FIXED_LEN_BYTE_ARRAY: bytes per value. */
  typeLength: number;
}

/** A page's bytes with the views decoding uses. */
class PageBytes {
  readonly view: DataView;
  readonly text: Buffer;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

/** Wanting this share of a page's values or more, the whole page is inflated (a prefix would save little). */
const WHOLE_PAGE_SHARE = 0.7;
/** Compressed bytes fed beyond the wanted share: brotli's ratio varies along a page. */
const PREFIX_MARGIN = 1.3;
const PREFIX_SLACK_BYTES = 1024;
/** A page header stating more inflated bytes than this is taken for damage, not allocated. */
const MAX_PAGE_BYTES = 256 * 1024 * 1024;
/** Smaller bodies inflate whole: a few microseconds, less than a prefix that falls short would waste. */
const PREFIX_MIN_BYTES = 4096;

/**
 * `decode` of a page's value bytes, inflating no more of a BROTLI body than the values need.
 * `size`: the body's inflated bytes (undefined: stored as it is). When `share` (the part of the
 * page's values wanted, from its start) is small, the matching prefix of the compressed bytes is
 * inflated first, with a margin: brotli inflates a prefix of its input to an exact prefix of its
 * output. The decoders check every read against the bytes they get, so one that runs past the
 * prefix throws, and the whole page is inflated and decoded instead.
 */
export function decodePage<T>(
  body: Uint8Array,
  size: number | undefined,
  share: number,
  where: string,
  decode: (bytes: Uint8Array) => T,
): T {
  if (size === undefined) return decode(body);
  if (!(size >= 0 && size <= MAX_PAGE_BYTES)) damaged(`${where} states ${size} bytes inflated`);
  const input = Math.ceil(body.length * share * PREFIX_MARGIN) + PREFIX_SLACK_BYTES;
  if (share < WHOLE_PAGE_SHARE && body.length >= PREFIX_MIN_BYTES && input < body.length) {
    const prefix = inflateSome(body.subarray(0, input), size);
    if (prefix) {
      try {
        return decode(prefix);
      } catch {
        // The values run past the prefix (or the page is damaged: decoding it whole says so).
      }
    }
  }
  return decode(inflate(body, size, where));
}

/** A BROTLI body inflated in one output chunk of the size its header states. */
function inflate(body: Uint8Array, size: number, where: string): Uint8Array {
  let out: Buffer;
  try {
    // One chunk one byte bigger than the page: a single native call, no concatenation.
    out = brotliDecompressSync(body, {
      chunkSize: Math.max(64, size + 1),
      maxOutputLength: Math.max(1, size),
    });
  } catch (err) {
    return damaged(`${where} does not decompress to ${size} bytes (${(err as Error).message})`);
  }
  if (out.length !== size) damaged(`${where} decompresses to ${out.length} bytes, not ${size}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** What a prefix of a BROTLI body inflates to (a prefix of the page), or undefined if it does not. */
function inflateSome(prefix: Uint8Array, size: number): Uint8Array | undefined {
  try {
    const out = brotliDecompressSync(prefix, {
      finishFlush: constants.BROTLI_OPERATION_FLUSH,
      chunkSize: Math.max(64, size + 1),
      maxOutputLength: Math.max(1, size),
    });
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch {
    return undefined;
  }
}

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let v = b; v; v >>= 1) n += v & 1;
  return n;
});

/** `width` (≤ 32) bits starting at bit `bit` of `buf`, least significant bit first (bytes past the end read as 0). */
function bitsAt(buf: Uint8Array, bit: number, width: number): number {
  const at = bit >>> 3;
  const shift = bit & 7;
  let value = (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> shift;
  if (shift + width > 32) value |= buf[at + 4] << (32 - shift);
  return width >= 32 ? value >>> 0 : value & ((1 << width) - 1);
}

/** `width` (≤ 64) bits as a number: exact below 2^53. */
function wideBitsAt(buf: Uint8Array, bit: number, width: number): number {
  if (width <= 32) return bitsAt(buf, bit, width);
  return bitsAt(buf, bit, 32) + bitsAt(buf, bit + 32, width - 32) * 4294967296;
}

/** An unsigned LEB128 varint at `cursor.pos`, below 2^53 (hybrid run headers, DELTA header fields). */
function uvarint(buf: Uint8Array, cursor: { pos: number }, end: number, what: string): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (cursor.pos >= end) damaged(`${what} runs past its page`);
    const byte = buf[cursor.pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  return damaged(`${what}: varint too long`);
}

/** A zigzag ULEB128 int64 (DELTA_BINARY_PACKED's first value and minimum deltas). */
function zigzag64(buf: Uint8Array, cursor: { pos: number }, end: number, what: string): bigint {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (cursor.pos >= end) damaged(`${what} runs past its page`);
    const byte = buf[cursor.pos++];
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return (value >> 1n) ^ -(value & 1n);
    shift += 7n;
  }
  return damaged(`${what}: varint too long`);
}

/**
 * Values [from, to) of an RLE / bit-packed hybrid sequence (no length prefix) in `buf[pos, end)`,
 * written to `out[0 .. to - from)`. Runs before `from` are stepped over, not decoded; with width 1
 * (definition levels) returns how many 1s come before `from` (the non-null values to skip).
 */
export function readHybrid(
  buf: Uint8Array,
  pos: number,
  end: number,
  width: number,
  from: number,
  to: number,
  out: Int32Array,
): number {
  if (width < 0 || width > 32) damaged(`hybrid bit width ${width}`);
  const valueBytes = (width + 7) >>> 3;
  const cursor = { pos };
  let row = 0;
  let onesBefore = 0;
  while (row < to) {
    if (cursor.pos >= end) damaged(`RLE/bit-packed data ends after ${row} of ${to} values`);
    const header = uvarint(buf, cursor, end, 'RLE/bit-packed run header');
    const at = cursor.pos;
    let count: number;
    if (header % 2 === 1) {
      const groups = (header - 1) / 2;
      count = groups * 8;
      // Only the bytes of the values used must be there: a prefix of the page may end mid-run.
      const used = Math.min(to, row + count) - row;
      if (at + Math.ceil((used * width) / 8) > end)
        damaged(`bit-packed run of ${count} values runs past its page`);
      if (width === 1 && row < from) {
        const skipped = Math.min(from, row + count) - row;
        for (let b = 0; b < skipped >>> 3; b++) onesBefore += POPCOUNT[buf[at + b]];
        if (skipped & 7) onesBefore += POPCOUNT[buf[at + (skipped >>> 3)] & ((1 << (skipped & 7)) - 1)];
      }
      const hi = Math.min(to, row + count);
      for (let k = Math.max(from, row); k < hi; k++)
        out[k - from] = bitsAt(buf, at * 8 + (k - row) * width, width);
      cursor.pos = at + groups * width;
    } else {
      count = header / 2;
      if (at + valueBytes > end) damaged('RLE run runs past its page');
      let value = 0;
      for (let b = valueBytes - 1; b >= 0; b--) value = value * 256 + buf[at + b];
      if (value >= 2 ** width && width < 32) damaged(`RLE run of ${value} in ${width} bits`);
      if (row < from) onesBefore += value * (Math.min(from, row + count) - row);
      const lo = Math.max(from, row);
      const hi = Math.min(to, row + count);
      if (lo < hi) out.fill(value, lo - from, hi - from);
      cursor.pos = at + valueBytes;
    }
    row += count;
  }
  return onesBefore;
}

/**
 * Values [from, to) of a DELTA_BINARY_PACKED page (`buf`) as bigints (INT64) or
 * numbers (INT32). Every delta up to `to` is summed (in a double while that is exact, then
 * folded into a bigint); nothing past `to` is read.
 */
export function readDelta(buf: Uint8Array, from: number, to: number, int32: boolean): (bigint | number)[] {
  const end = buf.length;
  const cursor = { pos: 0 };
  const blockSize = uvarint(buf, cursor, end, 'DELTA_BINARY_PACKED header');
  const miniblocks = uvarint(buf, cursor, end, 'DELTA_BINARY_PACKED header');
  const count = uvarint(buf, cursor, end, 'DELTA_BINARY_PACKED header');
  const perMiniblock = blockSize / miniblocks;
  if (blockSize === 0 || blockSize % 128 !== 0 || miniblocks === 0 || perMiniblock % 32 !== 0)
    damaged(`DELTA_BINARY_PACKED blocks of ${blockSize} values in ${miniblocks} miniblocks`);
  if (count < to) damaged(`DELTA_BINARY_PACKED page of ${count} values, value ${to - 1} wanted`);
  const out: (bigint | number)[] = new Array(to - from);
  const emit = (i: number, value: bigint) => {
    out[i - from] = int32 ? Number(BigInt.asIntN(32, value)) : BigInt.asIntN(64, value);
  };
  let base = zigzag64(buf, cursor, end, 'DELTA_BINARY_PACKED first value');
  let acc = 0;
  if (from === 0 && to > 0) emit(0, base);
  let i = 1;
  while (i < to) {
    const min = Number(zigzag64(buf, cursor, end, 'DELTA_BINARY_PACKED block'));
    if (!Number.isSafeInteger(min)) damaged(`DELTA_BINARY_PACKED minimum delta ${min} is not read`);
    if (cursor.pos + miniblocks > end) damaged('DELTA_BINARY_PACKED widths run past the page');
    const widthsAt = cursor.pos;
    cursor.pos += miniblocks;
    for (let m = 0; m < miniblocks && i < to; m++) {
      const width = buf[widthsAt + m];
      if (width > 53) damaged(`DELTA_BINARY_PACKED miniblock of ${width}-bit deltas`);
      const at = cursor.pos;
      cursor.pos += (perMiniblock * width) / 8;
      const values = Math.min(perMiniblock, to - i);
      if (at + Math.ceil((values * width) / 8) > end)
        damaged('DELTA_BINARY_PACKED miniblock runs past the page');
      for (let k = 0; k < values; k++, i++) {
        acc += min + (width === 0 ? 0 : wideBitsAt(buf, at * 8 + k * width, width));
        if (acc > 2 ** 52 || acc < -(2 ** 52)) {
          base += BigInt(acc);
          acc = 0;
        }
        if (i >= from) emit(i, base + BigInt(acc));
      }
    }
  }
  return out;
}

/** Bytes of one PLAIN value of a fixed-size type; undefined for BYTE_ARRAY (length-prefixed). */
function fixedSize({ type, typeLength }: ValueType): number | undefined {
  switch (type) {
    case 'INT32':
      return 4;
    case 'INT64':
    case 'DOUBLE':
      return 8;
    case 'FIXED_LEN_BYTE_ARRAY':
      return typeLength;
    default:
      return undefined;
  }
}

/** The PLAIN value of `length` bytes (BYTE_ARRAY: after its length prefix) at `at`. */
function valueAt(page: PageBytes, column: ValueType, at: number, length: number): ParquetValue {
  switch (column.type) {
    case 'STRING':
      return page.text.toString('utf8', at, at + length);
    case 'JSON':
      return JSON.parse(page.text.toString('utf8', at, at + length));
    case 'BYTES':
    case 'FIXED_LEN_BYTE_ARRAY':
      return page.bytes.subarray(at, at + length);
    case 'INT32':
      return page.view.getInt32(at, true);
    case 'INT64':
      return page.view.getBigInt64(at, true);
    case 'DOUBLE':
      return page.view.getFloat64(at, true);
    case 'BOOLEAN':
      return damaged('BOOLEAN values are bits');
  }
}

/**
 * PLAIN values `skip .. skip + count` of a page's value bytes: fixed
 * sizes are found by arithmetic, byte arrays by stepping over the lengths before them.
 */
function readPlain(page: PageBytes, column: ValueType, skip: number, count: number): ParquetValue[] {
  const out: ParquetValue[] = new Array(count);
  const { bytes } = page;
  const end = bytes.length;
  if (column.type === 'BOOLEAN') {
    if (Math.ceil((skip + count) / 8) > end) damaged('BOOLEAN values run past the page');
    for (let k = 0; k < count; k++) {
      const bit = skip + k;
      out[k] = ((bytes[bit >>> 3] >>> (bit & 7)) & 1) === 1;
    }
    return out;
  }
  const size = fixedSize(column);
  if (size !== undefined) {
    if ((skip + count) * size > end) damaged(`${skip + count} values of ${size} bytes run past the page`);
    for (let k = 0; k < count; k++) out[k] = valueAt(page, column, (skip + k) * size, size);
    return out;
  }
  let at = 0;
  for (let k = 0; k < skip + count; k++) {
    if (at + 4 > end) damaged(`byte array ${k} runs past the page`);
    const length = page.view.getUint32(at, true);
    if (at + 4 + length > end) damaged(`byte array ${k} of ${length} bytes runs past the page`);
    if (k >= skip) out[k - skip] = valueAt(page, column, at + 4, length);
    at += 4 + length;
  }
  return out;
}

/**
 * The entries `indices` name of a PLAIN dictionary page of `entries` values: byte arrays are
 * found by stepping over the lengths up to the highest index only, and only the named entries are
 * built (once each, shared by the rows that name them).
 */
function dictionaryEntries(
  page: PageBytes,
  entries: number,
  column: ValueType,
  indices: Int32Array,
): Map<number, ParquetValue> {
  const out = new Map<number, ParquetValue>();
  let max = -1;
  for (const index of indices) {
    if (index < 0 || index >= entries) damaged(`dictionary index ${index} outside its ${entries} entries`);
    if (index > max) max = index;
    out.set(index, null);
  }
  const { bytes } = page;
  const size = fixedSize(column);
  if (column.type === 'BYTES' || column.type === 'STRING' || column.type === 'JSON') {
    let at = 0;
    for (let i = 0; i <= max; i++) {
      if (at + 4 > bytes.length) damaged(`dictionary entry ${i} runs past its page`);
      const length = page.view.getUint32(at, true);
      if (at + 4 + length > bytes.length)
        damaged(`dictionary entry ${i} of ${length} bytes runs past its page`);
      if (out.has(i)) out.set(i, valueAt(page, column, at + 4, length));
      at += 4 + length;
    }
    return out;
  }
  const end = size === undefined ? Math.ceil((max + 1) / 8) : (max + 1) * size;
  if (end > bytes.length) damaged(`dictionary entry ${max} runs past its page`);
  for (const index of out.keys()) {
    if (size === undefined) out.set(index, ((bytes[index >>> 3] >>> (index & 7)) & 1) === 1);
    else out.set(index, valueAt(page, column, index * size, size));
  }
  return out;
}

/**
 * Decodes one column's rows [from, to) of a row group from its data pages `first..last` (and its
 * dictionary page), whose bytes `fetched` holds, into `out`: definition levels and indices up to
 * the last row, values from the first (`skip`), dictionary entries the rows name.
 */
export function readColumn(
  column: LayoutColumn,
  chunk: LayoutChunk,
  groupRows: number,
  first: number,
  last: number,
  from: number,
  to: number,
  fetched: (offset: number, length: number) => Uint8Array,
  out: RowValues,
): void {
  const dictionaryRows: number[] = [];
  const dictionaryIndices: number[] = [];
  for (let p = first; p <= last; p++) {
    const page = chunk.pages[p];
    const pageRows = (p + 1 < chunk.pages.length ? chunk.pages[p + 1].firstRow : groupRows) - page.firstRow;
    const where = `column ${column.name}, page at ${page.offset}`;
    const bytes = fetched(page.offset, page.size);
    const { header, bodyAt } = pageHeader(bytes, 'DATA_PAGE_V2', where);
    const v2 = header.data_page_header_v2;
    const levelBytes = v2?.definition_levels_byte_length ?? -1;
    if (
      !v2 ||
      v2.num_rows !== pageRows ||
      v2.num_values !== pageRows ||
      v2.repetition_levels_byte_length !== 0
    )
      damaged(`${where}: its header does not describe the offset index's ${pageRows} rows`);
    if (levelBytes < 0 || levelBytes > header.compressed_page_size || (!column.nullable && levelBytes > 0))
      damaged(`${where}: ${levelBytes} bytes of definition levels`);
    const a = Math.max(from, page.firstRow) - page.firstRow;
    const b = Math.min(to, page.firstRow + pageRows) - page.firstRow;
    let skip = a;
    let present: Int32Array | undefined;
    let count = b - a;
    if (column.nullable) {
      present = new Int32Array(b - a);
      skip = readHybrid(bytes, bodyAt, bodyAt + levelBytes, 1, a, b, present);
      count = 0;
      for (const level of present) count += level;
    }
    if (count === 0) continue;
    const body = bytes.subarray(bodyAt + levelBytes, bodyAt + header.compressed_page_size);
    const valueBytes = header.uncompressed_page_size - levelBytes;
    const compressed = chunk.compressed && v2.is_compressed;
    if (!compressed && valueBytes !== body.length)
      damaged(`${where}: ${body.length} value bytes, ${valueBytes} stated`);
    // The share of the page's values wanted, from its start: what of it to inflate.
    const share = (skip + count) / Math.max(1, pageRows - v2.num_nulls);
    const outAt = a + page.firstRow - from;
    const place = (decoded: ArrayLike<RowValue>) => {
      for (let k = 0, j = 0; k < b - a; k++) if (!present || present[k] === 1) out[outAt + k] = decoded[j++];
    };
    const size = compressed ? valueBytes : undefined;
    switch (v2.encoding) {
      case 'PLAIN':
        place(
          decodePage(body, size, share, where, (values) =>
            readPlain(new PageBytes(values), column, skip, count),
          ),
        );
        break;
      case 'RLE_DICTIONARY':
      case 'PLAIN_DICTIONARY': {
        const indices = decodePage(body, size, share, where, (values) => {
          if (values.length === 0) damaged(`${where}: no bit width`);
          const indices = new Int32Array(count);
          readHybrid(values, 1, values.length, values[0], skip, skip + count, indices);
          return indices;
        });
        for (let k = 0, j = 0; k < b - a; k++) {
          if (present && present[k] !== 1) continue;
          dictionaryRows.push(outAt + k);
          dictionaryIndices.push(indices[j++]);
        }
        break;
      }
      case 'DELTA_BINARY_PACKED': {
        if (column.type !== 'INT64' && column.type !== 'INT32')
          damaged(`${where}: DELTA_BINARY_PACKED ${column.type}`);
        const int32 = column.type === 'INT32';
        place(decodePage(body, size, share, where, (values) => readDelta(values, skip, skip + count, int32)));
        break;
      }
      default:
        damaged(`${where}: encoding ${v2.encoding} is not read`);
    }
  }
  if (dictionaryRows.length === 0) return;
  const where = `column ${column.name}, dictionary page at ${chunk.dictionaryAt}`;
  if (chunk.dictionaryAt === undefined)
    damaged(`column ${column.name}: dictionary indices without a dictionary`);
  const bytes = fetched(chunk.dictionaryAt, chunk.dataAt - chunk.dictionaryAt);
  const { header, bodyAt } = pageHeader(bytes, 'DICTIONARY_PAGE', where);
  const dictionary = header.dictionary_page_header;
  if (!dictionary || (dictionary.encoding !== 'PLAIN' && dictionary.encoding !== 'PLAIN_DICTIONARY'))
    damaged(`${where}: not a PLAIN dictionary`);
  const body = bytes.subarray(bodyAt);
  if (!chunk.compressed && body.length !== header.uncompressed_page_size) damaged(`${where}: sizes disagree`);
  const indices = Int32Array.from(dictionaryIndices);
  let max = 0;
  for (const index of indices) max = Math.max(max, index);
  // Entries are in order of first use, so a trace's lie near its rows: often a prefix will do.
  const share = (max + 1) / Math.max(1, dictionary.num_values);
  const size = chunk.compressed ? header.uncompressed_page_size : undefined;
  const entries = decodePage(body, size, share, where, (values) =>
    dictionaryEntries(new PageBytes(values), dictionary.num_values, column, indices),
  );
  for (let k = 0; k < dictionaryRows.length; k++) out[dictionaryRows[k]] = entries.get(indices[k])!;
}

/** The page header at the start of `bytes`, which must be exactly the page (header and body). */
function pageHeader(bytes: Uint8Array, type: string, where: string) {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  let header: ReturnType<typeof parquetHeader>;
  try {
    header = parquetHeader(reader);
  } catch (err) {
    return damaged(`${where}: no page header (${(err as Error).message})`);
  }
  if (header.type !== type) damaged(`${where}: ${header.type ?? 'an unknown page type'}, not ${type}`);
  if (reader.offset + header.compressed_page_size !== bytes.length)
    damaged(`${where}: a page of ${reader.offset} + ${header.compressed_page_size} bytes in ${bytes.length}`);
  return { header, bodyAt: reader.offset };
}
