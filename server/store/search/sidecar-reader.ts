import { brotliDecompressSync } from 'node:zlib';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { readPlain } from 'hyparquet/src/plain.js';
import type { Backend, BackendCallOptions } from '../backend/backend';
import { blockObjectKey } from '../block-keys';
import { READABLE_SEARCH_FORMATS, SIDECAR_OBJECT, SUMMARY_OBJECT } from './search-layout';
import { type LoadedRowGroup, loadRowGroups, type SearchSummary } from './search-summary';

const DECOMPRESSORS = {
  BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)),
};

/** A column's values for rows [rowStart, rowEnd), by column name; a missing column is absent. */
export type ColumnValues = Map<string, ArrayLike<unknown>>;

export interface LoadedSummary extends SearchSummary {
  groups: LoadedRowGroup[];
}

/**
 * Reads one block's search sidecar: the summary once (then from memory), the Parquet footer once,
 * and after that only the column chunks a search names, by ranged reads.
 */
export class SidecarReader {
  private summaryPromise: Promise<LoadedSummary> | undefined;
  private metadataPromise: Promise<FileMetaData> | undefined;
  private readonly file: AsyncBuffer;

  constructor(
    private readonly backend: Backend,
    private readonly tenantId: string,
    private readonly blockId: string,
    parquetBytes: number,
    summary?: SearchSummary,
  ) {
    if (summary) this.summaryPromise = Promise.resolve(withGroups(summary));
    const key = blockObjectKey(tenantId, blockId, SIDECAR_OBJECT);
    this.file = {
      byteLength: parquetBytes,
      slice: async (start, end = parquetBytes) => {
        const bytes = await backend.readRange(key, start, end - start);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      },
    };
  }

  summary(options?: BackendCallOptions): Promise<LoadedSummary> {
    this.summaryPromise ??= this.loadSummary(options).catch((err) => {
      this.summaryPromise = undefined;
      throw err;
    });
    return this.summaryPromise;
  }

  /** Values of `columns` for rows [rowStart, rowEnd); only the pages holding them are read. */
  async readColumns(
    columns: readonly string[],
    rowStart: number,
    rowEnd: number,
    stats?: { bytesRead: number },
  ): Promise<ColumnValues> {
    const metadata = await this.metadata();
    const present = new Set(metadata.schema.map((element) => element.name));
    // IDs are bytes (v2) or hex text (v1); searches compare and answer hex.
    const ids = new Set(
      metadata.schema.filter((element) => element.type === 'FIXED_LEN_BYTE_ARRAY').map((e) => e.name),
    );
    const wanted = columns.filter((column) => present.has(column));
    const out: ColumnValues = new Map();
    if (wanted.length === 0 || rowEnd <= rowStart) return out;
    const arrays = new Map<string, unknown[]>(wanted.map((column) => [column, new Array(rowEnd - rowStart)]));
    const file: AsyncBuffer = stats
      ? {
          byteLength: this.file.byteLength,
          slice: (start, end = this.file.byteLength) => {
            stats.bytesRead += end - start;
            return this.file.slice(start, end);
          },
        }
      : this.file;
    await parquetRead({
      file,
      metadata,
      columns: wanted,
      rowStart,
      rowEnd,
      compressors: DECOMPRESSORS,
      useOffsetIndex: true,
      onChunk: (chunk) => {
        const target = arrays.get(chunk.columnName);
        if (!target) return;
        const from = Math.max(chunk.rowStart, rowStart);
        const to = Math.min(chunk.rowEnd, rowEnd);
        const data = chunk.columnData;
        if (ids.has(chunk.columnName)) {
          hexInto(target, rowStart, data as ArrayLike<Uint8Array | null>, chunk.rowStart, from, to);
          return;
        }
        for (let row = from; row < to; row++) target[row - rowStart] = data[row - chunk.rowStart];
      },
    });
    for (const [column, values] of arrays) out.set(column, values);
    return out;
  }

  /**
   * The distinct values of `column` in each of these row groups (indexes), read from the column
   * chunks' dictionary pages, so a key's values cost its dictionary, not its rows. Undefined for
   * a group whose chunk has no dictionary page (written PLAIN: too many distinct bytes).
   */
  async dictionaryValues(column: string, groups: readonly number[]): Promise<(unknown[] | undefined)[]> {
    const metadata = await this.metadata();
    const element = metadata.schema.find((e) => e.name === column);
    return Promise.all(
      groups.map(async (group) => {
        const chunk = metadata.row_groups[group]?.columns.find(
          (c) => c.meta_data?.path_in_schema[0] === column,
        );
        const meta = chunk?.meta_data;
        if (!element?.type || !meta || meta.dictionary_page_offset === undefined) return undefined;
        if (meta.codec !== 'BROTLI' && meta.codec !== 'UNCOMPRESSED') return undefined;
        const bytes = await this.file.slice(
          Number(meta.dictionary_page_offset),
          Number(meta.data_page_offset),
        );
        const reader = { view: new DataView(bytes), offset: 0 };
        const header = parquetHeader(reader);
        const count = header.dictionary_page_header?.num_values;
        if (header.type !== 'DICTIONARY_PAGE' || count === undefined) return undefined;
        const stored = new Uint8Array(bytes, reader.offset, header.compressed_page_size);
        const page = meta.codec === 'BROTLI' ? brotliDecompressSync(stored) : stored;
        const values = readPlain(
          { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 },
          element.type,
          count,
          element.type_length,
        );
        if (element.converted_type !== 'UTF8') return Array.from(values as ArrayLike<unknown>);
        return Array.from(values as ArrayLike<Uint8Array>, (v) =>
          Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8'),
        );
      }),
    );
  }

  private metadata(): Promise<FileMetaData> {
    this.metadataPromise ??= parquetMetadataAsync(this.file).catch((err) => {
      this.metadataPromise = undefined;
      throw err;
    });
    return this.metadataPromise;
  }

  private async loadSummary(options?: BackendCallOptions): Promise<LoadedSummary> {
    const data = await this.backend.read(
      blockObjectKey(this.tenantId, this.blockId, SUMMARY_OBJECT),
      options,
    );
    if (!data) throw new Error(`block ${this.blockId} has no ${SUMMARY_OBJECT}`);
    const summary = JSON.parse(data.toString('utf8')) as SearchSummary;
    if (!READABLE_SEARCH_FORMATS.includes(summary.format)) {
      throw new Error(
        `block ${this.blockId}: unknown search summary format ${JSON.stringify(summary.format)}`,
      );
    }
    return withGroups(summary);
  }
}

/**
 * Byte IDs as hex; a dictionary-encoded column hands the same bytes object to every row of a
 * trace, so each is converted once.
 */
function hexInto(
  target: unknown[],
  targetStart: number,
  data: ArrayLike<Uint8Array | null>,
  dataStart: number,
  from: number,
  to: number,
): void {
  let last: Uint8Array | null = null;
  let lastHex = '';
  for (let row = from; row < to; row++) {
    const bytes = data[row - dataStart];
    if (bytes === null || bytes === undefined) {
      target[row - targetStart] = '';
      continue;
    }
    if (bytes !== last) {
      last = bytes;
      lastHex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
    }
    target[row - targetStart] = lastHex;
  }
}

function withGroups(summary: SearchSummary): LoadedSummary {
  return { ...summary, groups: loadRowGroups(summary) };
}
