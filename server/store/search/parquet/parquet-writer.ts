import { ByteSink } from './byte-sink';
import { int64Deltas, writeDeltaBinaryPacked } from './delta-binary-packed';
import { bitWidthFor, writeHybridRle } from './hybrid-rle';
import {
  CODEC,
  CONVERTED_TYPE,
  ENCODING,
  PAGE_TYPE,
  type ParquetColumnSpec,
  PHYSICAL_TYPE,
  REPETITION,
} from './parquet-types';
import { CompactWriter } from './thrift-compact';

export type { ParquetColumnSpec, ParquetColumnType } from './parquet-types';

/** A dictionary bigger than this (uncompressed) is dropped and the chunk written PLAIN (Parquet's usual 1 MiB). */
export const DICTIONARY_MAX_BYTES = 1024 * 1024;

/** A value of a column: string (STRING), any JSON value (JSON), number or bigint, boolean, bytes; null when absent. */
export type ParquetValue = string | number | bigint | boolean | Uint8Array | object | null;

/**
 * One column's values for a row group: one per row, or runs of rows sharing a value (a trace's
 * spans share its trace-level values). Runs are always dictionary-encoded, one entry per run.
 */
export type ColumnData =
  | readonly ParquetValue[]
  | { readonly runs: readonly ParquetValue[]; readonly lengths: ArrayLike<number> };

export interface ParquetWriterOptions {
  columns: readonly ParquetColumnSpec[];
  /** Target uncompressed bytes of a data page. */
  pageBytes: number;
  /** The codec of compressed columns and its function. */
  codec: 'BROTLI';
  compress: (bytes: Uint8Array) => Uint8Array;
  createdBy: string;
}

export interface PageLocation {
  offset: number;
  size: number;
  firstRow: number;
}

/**
 * A column chunk of another file in this writer's layout (DATA_PAGE_V2 pages, the same column
 * spec), to be copied byte for byte: offsets are the source file's.
 */
export interface SourceChunk {
  file: Uint8Array;
  /** The chunk's first byte (its dictionary page, if any) and the byte past its last page. */
  start: number;
  end: number;
  dictionaryOffset: number | undefined;
  dataOffset: number;
  uncompressedBytes: number;
  /** Some pages are DELTA_BINARY_PACKED. */
  delta: boolean;
  /** Pages are BROTLI-compressed (the codec of the chunk). */
  compressed: boolean;
  pages: readonly PageLocation[];
}

interface ChunkMeta {
  spec: ParquetColumnSpec;
  start: number;
  dictionaryOffset: number | undefined;
  dataOffset: number;
  uncompressedBytes: number;
  compressedBytes: number;
  dictionary: boolean;
  /** Some pages are DELTA_BINARY_PACKED. */
  delta?: boolean;
  /** The chunk's codec when it is not the spec's (a copied chunk keeps its own). */
  compressed?: boolean;
  pages: PageLocation[];
  offsetIndexAt?: number;
  offsetIndexLength?: number;
}

interface RowGroupMeta {
  rows: number;
  start: number;
  bytes: number;
  chunks: ChunkMeta[];
}

/** A column's rows, normalized: which rows hold a value, and the values (or dictionary indices). */
interface Normalized {
  /** 1 where the row has a value; undefined for a required column. */
  levels: Uint8Array | undefined;
  /** Non-null values in row order (plain), or undefined when dictionary-encoded. */
  values: ParquetValue[] | undefined;
  dictionary: ParquetValue[] | undefined;
  /** Dictionary index of each non-null value. */
  indices: Int32Array | undefined;
  present: number;
}

const MAGIC = Buffer.from('PAR1', 'latin1');

/** The dictionary key of -0: a Map takes -0 and 0 for one key, but a DOUBLE column keeps them apart. */
const NEGATIVE_ZERO = Symbol('-0');

/**
 * A Parquet file writer for flat schemas (no nesting, no repetition), written row group by row
 * group into memory: DATA_PAGE_V2 pages (levels uncompressed, values compressed unless that does
 * not shrink them), PLAIN or RLE_DICTIONARY values, and an offset index per column chunk so
 * readers (hyparquet, DuckDB) read only the pages holding the rows they want. The search sidecar
 * writes ~10M rows an hour per core through this, hence hand-written: a general writer spends
 * most of its time on per-value checks the sidecar's fixed layout does not need (docs/adr/004).
 */
export class ParquetFileWriter {
  private readonly out = new ByteSink(1024 * 1024);
  private readonly scratchLevels = new ByteSink(16 * 1024);
  private readonly scratchValues = new ByteSink(128 * 1024);
  private readonly rowGroups: RowGroupMeta[] = [];
  private rows = 0;

  constructor(private readonly options: ParquetWriterOptions) {
    for (const spec of options.columns) {
      if (spec.encoding === 'delta' && spec.type !== 'INT64') {
        throw new Error(`column ${spec.name}: delta encoding is for INT64 columns, not ${spec.type}`);
      }
    }
    this.out.bytes(MAGIC);
  }

  get bytesWritten(): number {
    return this.out.pos;
  }

  /** Writes one row group: `data[i]` holds column `i`'s `rows` values. */
  writeRowGroup(rows: number, data: readonly ColumnData[]): void {
    if (data.length !== this.options.columns.length) {
      throw new Error(`row group has ${data.length} columns; the schema has ${this.options.columns.length}`);
    }
    const start = this.out.pos;
    const chunks = this.options.columns.map((spec, i) => this.writeChunk(spec, data[i], rows));
    this.rowGroups.push({ rows, start, bytes: this.out.pos - start, chunks });
    this.rows += rows;
  }

  /**
   * Writes one row group of chunks copied from other files (`null`: a column the source lacks,
   * written as all nulls): no value is decoded or compressed again. Only the offsets move.
   */
  copyRowGroup(rows: number, chunks: readonly (SourceChunk | null)[]): void {
    const { columns } = this.options;
    if (chunks.length !== columns.length) {
      throw new Error(`row group has ${chunks.length} columns; the schema has ${columns.length}`);
    }
    const start = this.out.pos;
    const metas = columns.map((spec, i): ChunkMeta => {
      const source = chunks[i];
      if (!source) return this.writeChunk(spec, new Array<null>(rows).fill(null), rows);
      const shift = this.out.pos - source.start;
      this.out.bytes(source.file.subarray(source.start, source.end));
      return {
        spec,
        start: source.start + shift,
        dictionaryOffset: source.dictionaryOffset === undefined ? undefined : source.dictionaryOffset + shift,
        dataOffset: source.dataOffset + shift,
        uncompressedBytes: source.uncompressedBytes,
        compressedBytes: source.end - source.start,
        dictionary: source.dictionaryOffset !== undefined,
        delta: source.delta,
        compressed: source.compressed,
        pages: source.pages.map((page) => ({ ...page, offset: page.offset + shift })),
      };
    });
    this.rowGroups.push({ rows, start, bytes: this.out.pos - start, chunks: metas });
    this.rows += rows;
  }

  /** Offset indexes, then the footer; returns the whole file. */
  finish(): Uint8Array {
    for (const group of this.rowGroups) {
      for (const chunk of group.chunks) {
        chunk.offsetIndexAt = this.out.pos;
        const thrift = new CompactWriter(this.out);
        thrift.structList(1, chunk.pages, (page) => {
          thrift.i64(1, page.offset);
          thrift.i32(2, page.size);
          thrift.i64(3, page.firstRow);
        });
        thrift.stop();
        chunk.offsetIndexLength = this.out.pos - chunk.offsetIndexAt;
      }
    }
    const footerAt = this.out.pos;
    this.writeFooter();
    const footerLength = this.out.pos - footerAt;
    this.out.int32(footerLength);
    this.out.bytes(MAGIC);
    return new Uint8Array(this.out.view());
  }

  private writeChunk(spec: ParquetColumnSpec, data: ColumnData, rows: number): ChunkMeta {
    const normalized = normalize(spec, data, rows);
    const chunk: ChunkMeta = {
      spec,
      start: this.out.pos,
      dictionaryOffset: undefined,
      dataOffset: 0,
      uncompressedBytes: 0,
      compressedBytes: 0,
      dictionary: normalized.dictionary !== undefined,
      pages: [],
    };
    if (normalized.dictionary) {
      chunk.dictionaryOffset = this.out.pos;
      const values = this.scratchValues;
      values.reset();
      writePlain(values, spec, normalized.dictionary, 0, normalized.dictionary.length);
      const raw = values.view();
      const body = spec.compressed ? this.options.compress(raw) : raw;
      const headerBytes = this.pageHeader(PAGE_TYPE.DICTIONARY_PAGE, raw.length, body.length, (thrift) =>
        thrift.struct(7, () => {
          thrift.i32(1, normalized.dictionary!.length);
          thrift.i32(2, ENCODING.PLAIN);
        }),
      );
      this.out.bytes(body);
      chunk.uncompressedBytes += headerBytes + raw.length;
      chunk.compressedBytes += headerBytes + body.length;
    }
    chunk.dataOffset = this.out.pos;
    const bitWidth = normalized.dictionary ? bitWidthFor(Math.max(0, normalized.dictionary.length - 1)) : 0;
    let valueAt = 0;
    for (const [first, end] of pageRanges(spec, normalized, rows, this.options.pageBytes)) {
      const levels = this.scratchLevels;
      levels.reset();
      let present = end - first;
      if (normalized.levels) {
        writeHybridRle(levels, normalized.levels.subarray(first, end), end - first, 1);
        present = 0;
        for (let row = first; row < end; row++) present += normalized.levels[row];
      }
      const values = this.scratchValues;
      values.reset();
      let encoding: number = ENCODING.PLAIN;
      if (normalized.indices) {
        encoding = ENCODING.RLE_DICTIONARY;
        values.byte(bitWidth);
        writeHybridRle(values, normalized.indices.subarray(valueAt, valueAt + present), present, bitWidth);
      } else {
        const all = normalized.values!;
        const deltas =
          spec.encoding === 'delta' && present > 0
            ? int64Deltas(all as (bigint | number)[], valueAt, valueAt + present)
            : undefined;
        if (deltas) {
          encoding = ENCODING.DELTA_BINARY_PACKED;
          chunk.delta = true;
          writeDeltaBinaryPacked(values, all[valueAt] as bigint | number, present, deltas);
        } else writePlain(values, spec, all, valueAt, valueAt + present);
      }
      valueAt += present;
      const raw = values.view();
      let body: Uint8Array = raw;
      if (spec.compressed) {
        const compressed = this.options.compress(raw);
        if (compressed.length < raw.length) body = compressed;
      }
      const isCompressed = body !== raw;
      const offset = this.out.pos;
      const levelBytes = levels.pos;
      const headerBytes = this.pageHeader(
        PAGE_TYPE.DATA_PAGE_V2,
        levelBytes + raw.length,
        levelBytes + body.length,
        (thrift) =>
          thrift.struct(8, () => {
            thrift.i32(1, end - first);
            thrift.i32(2, end - first - present);
            thrift.i32(3, end - first);
            thrift.i32(4, encoding);
            thrift.i32(5, levelBytes);
            thrift.i32(6, 0);
            thrift.bool(7, isCompressed);
          }),
      );
      this.out.bytes(levels.view());
      this.out.bytes(body);
      chunk.uncompressedBytes += headerBytes + levelBytes + raw.length;
      chunk.compressedBytes += headerBytes + levelBytes + body.length;
      chunk.pages.push({ offset, size: this.out.pos - offset, firstRow: first });
    }
    return chunk;
  }

  /** Writes a page header; returns its length. */
  private pageHeader(
    type: number,
    uncompressed: number,
    compressed: number,
    typeHeader: (thrift: CompactWriter) => void,
  ): number {
    const at = this.out.pos;
    const thrift = new CompactWriter(this.out);
    thrift.i32(1, type);
    thrift.i32(2, uncompressed);
    thrift.i32(3, compressed);
    typeHeader(thrift);
    thrift.stop();
    return this.out.pos - at;
  }

  private writeFooter(): void {
    const { columns, createdBy, codec } = this.options;
    const thrift = new CompactWriter(this.out);
    thrift.i32(1, 2);
    const root = { name: 'schema', children: columns.length } as const;
    thrift.structList(2, [root, ...columns], (element) => {
      if ('children' in element) {
        thrift.string(4, element.name);
        thrift.i32(5, element.children);
        return;
      }
      thrift.i32(1, PHYSICAL_TYPE[element.type]);
      if (element.type === 'FIXED_LEN_BYTE_ARRAY') thrift.i32(2, element.typeLength ?? 0);
      thrift.i32(3, element.nullable ? REPETITION.OPTIONAL : REPETITION.REQUIRED);
      thrift.string(4, element.name);
      const converted = CONVERTED_TYPE[element.type];
      if (converted !== undefined) thrift.i32(6, converted);
    });
    thrift.i64(3, this.rows);
    thrift.structList(4, this.rowGroups, (group) => {
      thrift.structList(1, group.chunks, (chunk) => {
        thrift.i64(2, chunk.start);
        thrift.struct(3, () => {
          thrift.i32(1, PHYSICAL_TYPE[chunk.spec.type]);
          thrift.i32List(2, [
            ENCODING.PLAIN,
            ...(chunk.dictionary ? [ENCODING.RLE_DICTIONARY] : []),
            ...(chunk.delta ? [ENCODING.DELTA_BINARY_PACKED] : []),
            ENCODING.RLE,
          ]);
          thrift.stringList(3, [chunk.spec.name]);
          thrift.i32(4, (chunk.compressed ?? chunk.spec.compressed) ? CODEC[codec] : CODEC.UNCOMPRESSED);
          thrift.i64(5, group.rows);
          thrift.i64(6, chunk.uncompressedBytes);
          thrift.i64(7, chunk.compressedBytes);
          thrift.i64(9, chunk.dataOffset);
          if (chunk.dictionaryOffset !== undefined) thrift.i64(11, chunk.dictionaryOffset);
        });
        thrift.i64(4, chunk.offsetIndexAt!);
        thrift.i32(5, chunk.offsetIndexLength!);
      });
      thrift.i64(2, group.bytes);
      thrift.i64(3, group.rows);
      thrift.i64(5, group.start);
      thrift.i64(6, group.bytes);
    });
    thrift.string(6, createdBy);
    thrift.stop();
  }
}

function normalize(spec: ParquetColumnSpec, data: ColumnData, rows: number): Normalized {
  if ('runs' in data) return normalizeRuns(spec, data, rows);
  if (data.length !== rows) throw new Error(`column ${spec.name}: ${data.length} values for ${rows} rows`);
  let levels: Uint8Array | undefined;
  let present = rows;
  if (spec.nullable) {
    levels = new Uint8Array(rows);
    present = 0;
    for (let row = 0; row < rows; row++) {
      if (data[row] !== null && data[row] !== undefined) {
        levels[row] = 1;
        present++;
      }
    }
  } else {
    for (let row = 0; row < rows; row++)
      if (data[row] === null || data[row] === undefined)
        throw new Error(`column ${spec.name} is required; row ${row} has no value`);
  }
  const values =
    present === rows ? (data as ParquetValue[]) : data.filter((v) => v !== null && v !== undefined);
  if (spec.encoding === 'dictionary') {
    const encoded = dictionaryEncode(spec, values);
    if (encoded) return { levels, values: undefined, ...encoded, present };
  }
  return { levels, values, dictionary: undefined, indices: undefined, present };
}

function normalizeRuns(
  spec: ParquetColumnSpec,
  data: { readonly runs: readonly ParquetValue[]; readonly lengths: ArrayLike<number> },
  rows: number,
): Normalized {
  const levels = spec.nullable ? new Uint8Array(rows) : undefined;
  const dictionary: ParquetValue[] = [];
  // Runs of strings and numbers repeat (a root service per trace): one entry each. Bytes
  // (trace IDs) are one per run already, and comparing them would cost more than it saves.
  const entries = new Map<unknown, number>();
  let present = 0;
  for (let r = 0; r < data.runs.length; r++) {
    if (data.runs[r] !== null && data.runs[r] !== undefined) present += data.lengths[r];
  }
  const indices = new Int32Array(present);
  let row = 0;
  let at = 0;
  for (let r = 0; r < data.runs.length; r++) {
    const length = data.lengths[r];
    const value = data.runs[r];
    if (value === null || value === undefined) {
      if (!levels) throw new Error(`column ${spec.name} is required; run ${r} has no value`);
    } else {
      const key = Object.is(value, -0) ? NEGATIVE_ZERO : value;
      let entry = value instanceof Uint8Array ? undefined : entries.get(key);
      if (entry === undefined) {
        entry = dictionary.length;
        dictionary.push(value);
        if (!(value instanceof Uint8Array)) entries.set(key, entry);
      }
      indices.fill(entry, at, at + length);
      levels?.fill(1, row, row + length);
      at += length;
    }
    row += length;
  }
  if (row !== rows) throw new Error(`column ${spec.name}: runs cover ${row} rows of ${rows}`);
  return { levels, values: undefined, dictionary, indices, present };
}

/** Dictionary and indices, or undefined when the dictionary would pass `DICTIONARY_MAX_BYTES`. */
function dictionaryEncode(
  spec: ParquetColumnSpec,
  values: readonly ParquetValue[],
): { dictionary: ParquetValue[]; indices: Int32Array } | undefined {
  const index = new Map<unknown, number>();
  // Bytes are compared by content, but callers often pass one array per distinct value (a
  // resource shared by its spans): found by identity, they skip the content key.
  const byIdentity = new Map<Uint8Array, number>();
  const dictionary: ParquetValue[] = [];
  const indices = new Int32Array(values.length);
  let bytes = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value instanceof Uint8Array) {
      const known = byIdentity.get(value);
      if (known !== undefined) {
        indices[i] = known;
        continue;
      }
    }
    const key =
      value instanceof Uint8Array
        ? Buffer.from(value).toString('latin1')
        : Object.is(value, -0)
          ? NEGATIVE_ZERO
          : value;
    let at = index.get(key);
    if (at === undefined) {
      at = dictionary.length;
      index.set(key, at);
      dictionary.push(value);
      bytes += plainSize(spec, value);
      if (bytes > DICTIONARY_MAX_BYTES) return undefined;
    }
    if (value instanceof Uint8Array) byIdentity.set(value, at);
    indices[i] = at;
  }
  return { dictionary, indices };
}

/** Row ranges of the data pages: cut where the estimated encoded bytes reach `pageBytes`. */
function pageRanges(
  spec: ParquetColumnSpec,
  normalized: Normalized,
  rows: number,
  pageBytes: number,
): [number, number][] {
  const ranges: [number, number][] = [];
  if (rows === 0) return [[0, 0]];
  const { levels, values } = normalized;
  // Dictionary indices are a few bits a row: a row group's fit in a page or two.
  const fixedRowBytes = normalized.indices ? 2 : undefined;
  let first = 0;
  let bytes = 0;
  let valueAt = 0;
  for (let row = 0; row < rows; row++) {
    if (!levels || levels[row] === 1) {
      bytes += fixedRowBytes ?? plainSize(spec, values![valueAt]);
      valueAt++;
    }
    if (bytes >= pageBytes) {
      ranges.push([first, row + 1]);
      first = row + 1;
      bytes = 0;
    }
  }
  if (first < rows) ranges.push([first, rows]);
  return ranges;
}

/** Estimated PLAIN bytes of one value (strings by UTF-16 length: exact for ASCII). */
function plainSize(spec: ParquetColumnSpec, value: ParquetValue): number {
  switch (spec.type) {
    case 'STRING':
      return 4 + (value as string).length;
    case 'JSON':
      return typeof value === 'string' ? 4 + value.length : 64;
    case 'BYTES':
      return 4 + (value as Uint8Array).length;
    case 'INT32':
      return 4;
    case 'INT64':
    case 'DOUBLE':
      return 8;
    case 'BOOLEAN':
      return 1;
    case 'FIXED_LEN_BYTE_ARRAY':
      return spec.typeLength ?? 0;
  }
}

function writePlain(
  out: ByteSink,
  spec: ParquetColumnSpec,
  values: readonly ParquetValue[],
  from: number,
  to: number,
): void {
  switch (spec.type) {
    case 'STRING':
      for (let i = from; i < to; i++) out.lengthPrefixedUtf8(values[i] as string);
      return;
    case 'JSON':
      for (let i = from; i < to; i++) {
        const value = values[i];
        out.lengthPrefixedUtf8(typeof value === 'string' ? value : JSON.stringify(value));
      }
      return;
    case 'BYTES':
      for (let i = from; i < to; i++) {
        const value = values[i] as Uint8Array;
        out.int32(value.length);
        out.bytes(value);
      }
      return;
    case 'INT32':
      for (let i = from; i < to; i++) out.int32(values[i] as number);
      return;
    case 'INT64':
      for (let i = from; i < to; i++) {
        const value = values[i];
        if (typeof value === 'bigint') out.int64(value);
        else out.int64Number(value as number);
      }
      return;
    case 'DOUBLE':
      for (let i = from; i < to; i++) out.double(values[i] as number);
      return;
    case 'BOOLEAN': {
      const bytes = Math.ceil((to - from) / 8);
      out.ensure(bytes);
      out.buf.fill(0, out.pos, out.pos + bytes);
      for (let i = from; i < to; i++)
        if (values[i]) out.buf[out.pos + ((i - from) >>> 3)] |= 1 << ((i - from) & 7);
      out.pos += bytes;
      return;
    }
    case 'FIXED_LEN_BYTE_ARRAY':
      for (let i = from; i < to; i++) {
        const value = values[i] as Uint8Array;
        if (value.length !== spec.typeLength) {
          throw new Error(`column ${spec.name}: ${value.length}-byte value, ${spec.typeLength} expected`);
        }
        out.bytes(value);
      }
      return;
  }
}
