import { type ColumnMetaData, type FileMetaData, parquetMetadata, readOffsetIndex } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import type { ParquetColumnType } from './parquet-types';
import type { SourceChunk } from './parquet-writer';

/** One column of a source file's flat schema, typed as `ParquetColumnSpec` types them. */
export interface SourceColumn {
  name: string;
  /** Undefined for a physical or logical type this writer does not write. */
  type: ParquetColumnType | undefined;
  typeLength: number | undefined;
  nullable: boolean;
}

export interface SourceRowGroup {
  rows: number;
  /** Column chunks by column name. */
  chunks: Map<string, SourceFileChunk>;
}

/** A chunk to copy, and where its dictionary page's values are (when it has one). */
export interface SourceFileChunk extends SourceChunk {
  dictionary?: { values: number; bodyAt: number; bodyBytes: number };
}

export interface SourceFile {
  columns: SourceColumn[];
  rowGroups: SourceRowGroup[];
}

/**
 * A Parquet file written by `ParquetFileWriter` (a flat schema, an offset index per chunk), read
 * as chunks to copy into another file of the same layout: its footer and offset indexes, and
 * every page header checked against them (`checkChunk`), so a damaged file throws here rather
 * than being copied into a new one. Values are not read.
 */
export function readSourceFile(file: Uint8Array): SourceFile {
  const metadata: FileMetaData = parquetMetadata(file);
  const columns = metadata.schema.slice(1).map(
    (element): SourceColumn => ({
      name: element.name,
      type: columnType(element.type, element.converted_type),
      typeLength: element.type_length,
      nullable: element.repetition_type === 'OPTIONAL',
    }),
  );
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const rowGroups = metadata.row_groups.map((group): SourceRowGroup => {
    const chunks = new Map<string, SourceFileChunk>();
    for (const column of group.columns) {
      const meta = column.meta_data;
      if (!meta || column.offset_index_offset === undefined) {
        throw new Error('a column chunk without metadata or offset index cannot be copied');
      }
      const offsetIndex = readOffsetIndex({ view, offset: Number(column.offset_index_offset) });
      const dictionaryOffset =
        meta.dictionary_page_offset === undefined ? undefined : Number(meta.dictionary_page_offset);
      const dataOffset = Number(meta.data_page_offset);
      const start = dictionaryOffset ?? dataOffset;
      const chunk: SourceFileChunk = {
        file,
        start,
        end: start + Number(meta.total_compressed_size),
        dictionaryOffset,
        dataOffset,
        uncompressedBytes: Number(meta.total_uncompressed_size),
        delta: meta.encodings.includes('DELTA_BINARY_PACKED'),
        compressed: codecOf(meta),
        pages: offsetIndex.page_locations.map((page) => ({
          offset: Number(page.offset),
          size: page.compressed_page_size,
          firstRow: Number(page.first_row_index),
        })),
      };
      checkChunk(view, chunk, meta.path_in_schema[0]);
      chunks.set(meta.path_in_schema[0], chunk);
    }
    return { rows: Number(group.num_rows), chunks };
  });
  return { columns, rowGroups };
}

/**
 * The chunk's pages tile it exactly: the dictionary page (if any) up to the first data page, then
 * the offset index's pages one after another to its end, each a page header whose stated size
 * fills its slot, inside the file.
 */
function checkChunk(view: DataView, chunk: SourceFileChunk, column: string): void {
  const fail = (what: string): never => {
    throw new Error(`column ${column}: ${what}; the file cannot be copied`);
  };
  if (chunk.start < 4 || chunk.end > view.byteLength - 8 || chunk.start >= chunk.end)
    fail('chunk outside the file');
  const pageAt = (offset: number, size: number, type: string): PageHeader => {
    const reader = { view: new DataView(view.buffer, view.byteOffset + offset, size), offset: 0 };
    let header: ReturnType<typeof parquetHeader> | undefined;
    try {
      header = parquetHeader(reader);
    } catch {
      fail(`no page header at ${offset}`);
    }
    if (!header || header.type !== type || reader.offset + header.compressed_page_size !== size)
      return fail(`no ${type} at ${offset}`);
    return { header, bodyAt: offset + reader.offset };
  };
  if (chunk.dictionaryOffset !== undefined) {
    const size = chunk.dataOffset - chunk.dictionaryOffset;
    const { header, bodyAt } = pageAt(chunk.dictionaryOffset, size, 'DICTIONARY_PAGE');
    const values = header.dictionary_page_header?.num_values;
    if (values !== undefined) chunk.dictionary = { values, bodyAt, bodyBytes: header.compressed_page_size };
  }
  let next = chunk.dataOffset;
  for (const page of chunk.pages) {
    if (page.offset !== next || page.size <= 0)
      fail(`page at ${page.offset} is not where the previous one ends`);
    pageAt(page.offset, page.size, 'DATA_PAGE_V2');
    next = page.offset + page.size;
  }
  if (next !== chunk.end) fail('pages do not end where the chunk does');
}

interface PageHeader {
  header: ReturnType<typeof parquetHeader>;
  /** Where the page's body starts in the file. */
  bodyAt: number;
}

function codecOf(meta: ColumnMetaData): boolean {
  if (meta.codec === 'BROTLI') return true;
  if (meta.codec === 'UNCOMPRESSED') return false;
  throw new Error(`column ${meta.path_in_schema.join('.')}: codec ${meta.codec} is not copied`);
}

function columnType(type: string | undefined, converted: string | undefined): ParquetColumnType | undefined {
  switch (type) {
    case 'BYTE_ARRAY':
      return converted === 'UTF8'
        ? 'STRING'
        : converted === 'JSON'
          ? 'JSON'
          : converted === undefined
            ? 'BYTES'
            : undefined;
    case 'INT32':
    case 'INT64':
    case 'DOUBLE':
    case 'BOOLEAN':
    case 'FIXED_LEN_BYTE_ARRAY':
      return type;
    default:
      return undefined;
  }
}
