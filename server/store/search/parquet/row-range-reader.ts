import { type FileMetaData, parquetMetadata, readOffsetIndex } from 'hyparquet';
import type { ParquetColumnType } from './parquet-types';
import type { PageLocation } from './parquet-writer';
import { damaged, type LayoutChunk, type LayoutColumn, type RowValues, readColumn } from './row-range-decode';

/** Reads byte range [offset, offset+length) of the file. */
export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

export type { LayoutChunk, LayoutColumn, RowValue, RowValues } from './row-range-decode';

export interface LayoutRowGroup {
  rows: number;
  /** One chunk per column, in `columns` order. */
  chunks: readonly LayoutChunk[];
}

/** The file's footer and every chunk's offset index, parsed once and kept (cache it per file). */
export interface ParquetLayout {
  fileBytes: number;
  columns: readonly LayoutColumn[];
  columnIndex: ReadonlyMap<string, number>;
  rowGroups: readonly LayoutRowGroup[];
}

/** A lookup's byte span up to this is fetched in one read; past it, one read per cluster of nearby ranges. */
export const SINGLE_READ_MAX_BYTES = 4 * 1024 * 1024;
/** Past the single-read cap, needed ranges closer than this are still read together. */
const MERGE_GAP_BYTES = 256 * 1024;
/** The first read of `readParquetLayout`: the footer and offset indexes usually fit in it. */
const TAIL_BYTES = 256 * 1024;
const MAGIC = 0x31524150; // "PAR1", little-endian

/** The layout of a file read by ranges: the tail first, more only when the footer or offset indexes do not fit it. */
export async function readParquetLayout(read: ReadRange, fileBytes: number): Promise<ParquetLayout> {
  if (fileBytes < 12) damaged(`a ${fileBytes}-byte file has no footer`);
  let tailAt = Math.max(0, fileBytes - TAIL_BYTES);
  let tail = await readExactly(read, tailAt, fileBytes - tailAt);
  const footerAt = fileBytes - 8 - footerLength(tail);
  if (footerAt < 4) damaged(`a footer of ${fileBytes - 8 - footerAt} bytes in a ${fileBytes}-byte file`);
  if (footerAt < tailAt) {
    tail = await readExactly(read, footerAt, fileBytes - footerAt);
    tailAt = footerAt;
  }
  const metadata = parseFooter(tail.subarray(footerAt - tailAt));
  let lo = footerAt;
  let hi = footerAt;
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const at = Number(chunk.offset_index_offset ?? footerAt);
      lo = Math.min(lo, at);
      hi = Math.max(hi, at + (chunk.offset_index_length ?? 0));
    }
  }
  if (lo < 4 || hi > footerAt) damaged('offset indexes outside the file');
  const indexes = lo >= tailAt ? tail.subarray(lo - tailAt) : await readExactly(read, lo, hi - lo);
  return layoutOf(metadata, fileBytes, (at) => indexes.subarray(at - lo));
}

/** The layout of a file held whole in memory. */
export function parquetLayoutOf(file: Uint8Array): ParquetLayout {
  if (file.length < 12) damaged(`a ${file.length}-byte file has no footer`);
  const metadata = parseFooter(file.subarray(file.length - 8 - footerLength(file)));
  return layoutOf(metadata, file.length, (at) => file.subarray(at));
}

/**
 * Values of rows [firstRow, firstRow+rows) of one row group (rows relative to the group), for the
 * named columns (a missing column name → an array of nulls). STRING → string, JSON → the text
 * parsed, BYTES and FIXED_LEN_BYTE_ARRAY → Uint8Array (views of the read bytes), INT64 → bigint,
 * INT32 and DOUBLE → number, BOOLEAN → boolean, null for a null. Only the pages holding the rows
 * (and the chunks' dictionary pages) are read: in one read when they lie within
 * `SINGLE_READ_MAX_BYTES` of each other, else in one per cluster of nearby ranges, concurrently.
 */
export async function readRowRange(
  layout: ParquetLayout,
  read: ReadRange,
  rowGroup: number,
  firstRow: number,
  rows: number,
  columns: readonly string[],
): Promise<Map<string, RowValues>> {
  const plan = planRows(layout, rowGroup, firstRow, rows, columns);
  const ranges: [number, number][] = [];
  for (const column of plan.columns) {
    if (!column) continue;
    const { chunk, first, last } = column;
    if (chunk.dictionaryAt !== undefined) ranges.push([chunk.dictionaryAt, chunk.dataAt]);
    const lastPage = chunk.pages[last];
    ranges.push([chunk.pages[first].offset, lastPage.offset + lastPage.size]);
  }
  return decodeRows(plan, await fetchRanges(read, ranges));
}

/** `readRowRange` of a file held whole in memory: no reads, so no waiting (a build worker's inputs). */
export function readRowRangeInMemory(
  layout: ParquetLayout,
  file: Uint8Array,
  rowGroup: number,
  firstRow: number,
  rows: number,
  columns: readonly string[],
): Map<string, RowValues> {
  if (file.length !== layout.fileBytes)
    damaged(`a ${file.length}-byte file for a ${layout.fileBytes}-byte layout`);
  return decodeRows(planRows(layout, rowGroup, firstRow, rows, columns), (offset, length) =>
    file.subarray(offset, offset + length),
  );
}

interface RowsPlan {
  names: readonly string[];
  group: LayoutRowGroup;
  firstRow: number;
  rows: number;
  /** Per column asked for: its chunk and the pages holding the rows; undefined for a missing column. */
  columns: ({ column: LayoutColumn; chunk: LayoutChunk; first: number; last: number } | undefined)[];
}

function planRows(
  layout: ParquetLayout,
  rowGroup: number,
  firstRow: number,
  rows: number,
  names: readonly string[],
): RowsPlan {
  const group = layout.rowGroups[rowGroup];
  if (!group) throw new RangeError(`row group ${rowGroup} of ${layout.rowGroups.length}`);
  if (!Number.isInteger(firstRow) || !Number.isInteger(rows) || firstRow < 0 || rows < 0)
    throw new RangeError(`rows ${firstRow} + ${rows}`);
  if (firstRow + rows > group.rows)
    throw new RangeError(`rows [${firstRow}, ${firstRow + rows}) of a ${group.rows}-row group`);
  const end = firstRow + rows;
  const columns = names.map((name) => {
    const c = layout.columnIndex.get(name);
    if (c === undefined || rows === 0) return undefined;
    const chunk = group.chunks[c];
    return {
      column: layout.columns[c],
      chunk,
      first: pageOf(chunk.pages, firstRow),
      last: pageOf(chunk.pages, end - 1),
    };
  });
  return { names, group, firstRow, rows, columns };
}

function decodeRows(plan: RowsPlan, fetched: Fetched): Map<string, RowValues> {
  const out = new Map<string, RowValues>();
  const end = plan.firstRow + plan.rows;
  plan.columns.forEach((column, i) => {
    const values: RowValues = new Array(plan.rows).fill(null);
    if (column)
      readColumn(
        column.column,
        column.chunk,
        plan.group.rows,
        column.first,
        column.last,
        plan.firstRow,
        end,
        fetched,
        values,
      );
    out.set(plan.names[i], values);
  });
  return out;
}

type Fetched = (offset: number, length: number) => Uint8Array;

/** The last page whose first row is at or before `row`. */
function pageOf(pages: readonly PageLocation[], row: number): number {
  let lo = 0;
  let hi = pages.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (pages[mid].firstRow <= row) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Reads the ranges: the whole span at once when it is small enough, else clusters of nearby ranges. */
async function fetchRanges(read: ReadRange, ranges: [number, number][]): Promise<Fetched> {
  if (ranges.length === 0) return () => damaged('nothing was read');
  ranges.sort((a, b) => a[0] - b[0]);
  const spans: [number, number][] = [];
  const whole = ranges[ranges.length - 1][1] - ranges[0][0] <= SINGLE_READ_MAX_BYTES;
  for (const [start, end] of ranges) {
    const last = spans[spans.length - 1];
    if (last && (whole || start - last[1] <= MERGE_GAP_BYTES)) last[1] = Math.max(last[1], end);
    else spans.push([start, end]);
  }
  const buffers = await Promise.all(spans.map(([start, end]) => readExactly(read, start, end - start)));
  return (offset, length) => {
    for (let i = 0; i < spans.length; i++) {
      const at = offset - spans[i][0];
      if (at >= 0 && offset + length <= spans[i][1]) return buffers[i].subarray(at, at + length);
    }
    return damaged(`bytes [${offset}, ${offset + length}) were not read`);
  };
}

/** The bytes read, as a plain Uint8Array (a Buffer's views would be Buffers: values are Uint8Arrays). */
async function readExactly(read: ReadRange, offset: number, length: number): Promise<Uint8Array> {
  const bytes = await read(offset, length);
  if (bytes.length !== length) damaged(`read of ${length} bytes at ${offset} returned ${bytes.length}`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function footerLength(tail: Uint8Array): number {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  if (view.getUint32(tail.length - 4, true) !== MAGIC) damaged('no PAR1 at the end');
  return view.getUint32(tail.length - 8, true);
}

/** The footer's metadata from `bytes`: the footer, its length and the magic. */
function parseFooter(bytes: Uint8Array): FileMetaData {
  try {
    return parquetMetadata(bytes);
  } catch (err) {
    return damaged(`the footer does not parse (${(err as Error).message})`);
  }
}

function layoutOf(
  metadata: FileMetaData,
  fileBytes: number,
  indexAt: (at: number) => Uint8Array,
): ParquetLayout {
  const [root, ...elements] = metadata.schema;
  if (root?.num_children !== elements.length) damaged('only flat schemas are read');
  const columns = elements.map((element): LayoutColumn => {
    const type = columnType(element.type, element.converted_type);
    if (!type || element.num_children) damaged(`column ${element.name}: type ${element.type} is not read`);
    const nullable = element.repetition_type === 'OPTIONAL';
    if (!nullable && element.repetition_type !== 'REQUIRED') damaged(`column ${element.name} is repeated`);
    return { name: element.name, type, typeLength: element.type_length ?? 0, nullable };
  });
  const columnIndex = new Map(columns.map((column, i) => [column.name, i]));
  const rowGroups = metadata.row_groups.map((group, g): LayoutRowGroup => {
    const rows = Number(group.num_rows);
    const chunks: LayoutChunk[] = new Array(columns.length);
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      const c = columnIndex.get(meta?.path_in_schema[0] ?? '');
      const where = `row group ${g}, column ${meta?.path_in_schema[0]}`;
      if (!meta || c === undefined || chunks[c]) damaged(`${where}: not a column of the schema`);
      if (chunk.offset_index_offset === undefined) damaged(`${where}: no offset index`);
      if (meta.codec !== 'BROTLI' && meta.codec !== 'UNCOMPRESSED') damaged(`${where}: codec ${meta.codec}`);
      const view = indexAt(Number(chunk.offset_index_offset));
      let pages: PageLocation[];
      try {
        pages = readOffsetIndex({
          view: new DataView(view.buffer, view.byteOffset, view.byteLength),
          offset: 0,
        }).page_locations.map((page) => ({
          offset: Number(page.offset),
          size: page.compressed_page_size,
          firstRow: Number(page.first_row_index),
        }));
      } catch (err) {
        return damaged(`${where}: the offset index does not parse (${(err as Error).message})`);
      }
      const dataAt = Number(meta.data_page_offset);
      const dictionaryAt =
        meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
      checkPages(pages, dataAt, dictionaryAt, rows, fileBytes, where);
      chunks[c] = { compressed: meta.codec === 'BROTLI', dictionaryAt, dataAt, pages };
    }
    for (let c = 0; c < columns.length; c++)
      if (!chunks[c]) damaged(`row group ${g} lacks column ${columns[c].name}`);
    return { rows, chunks };
  });
  return { fileBytes, columns, columnIndex, rowGroups };
}

/** Pages start at `dataAt`, follow one another in order, start at row 0 with rising first rows, and lie in the file. */
function checkPages(
  pages: PageLocation[],
  dataAt: number,
  dictionaryAt: number | undefined,
  rows: number,
  fileBytes: number,
  where: string,
): void {
  if (pages.length === 0 || pages[0].offset !== dataAt || pages[0].firstRow !== 0)
    damaged(`${where}: the offset index does not start at the first data page`);
  if (dictionaryAt !== undefined && !(dictionaryAt >= 4 && dictionaryAt < dataAt))
    damaged(`${where}: dictionary page at ${dictionaryAt}, data at ${dataAt}`);
  for (let p = 0; p < pages.length; p++) {
    const { offset, size, firstRow } = pages[p];
    const next = pages[p + 1];
    if (!(size > 0) || offset + size > fileBytes - 8 || (next && next.offset < offset + size))
      damaged(`${where}: page ${p} at ${offset} (${size} bytes) overlaps another or leaves the file`);
    if (firstRow > rows || (next && !(next.firstRow > firstRow)))
      damaged(`${where}: page ${p}'s first row ${firstRow} is out of order`);
  }
}

function columnType(type: string | undefined, converted: string | undefined): ParquetColumnType | undefined {
  if (type === 'BYTE_ARRAY') {
    if (converted === undefined) return 'BYTES';
    return converted === 'UTF8' ? 'STRING' : converted === 'JSON' ? 'JSON' : undefined;
  }
  if (type === 'INT32' && converted !== undefined) return undefined;
  if (type === 'INT64' && converted !== undefined) return undefined;
  const plain = ['INT32', 'INT64', 'DOUBLE', 'BOOLEAN', 'FIXED_LEN_BYTE_ARRAY'] as const;
  return plain.find((t) => t === type);
}
