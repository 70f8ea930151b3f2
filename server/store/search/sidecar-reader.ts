import { brotliDecompressSync } from 'node:zlib';
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead } from 'hyparquet';
import type { Backend, BackendCallOptions } from '../backend/backend';
import { blockObjectKey } from '../block-keys';
import { SIDECAR_OBJECT, SUMMARY_OBJECT } from './search-layout';
import {
  type LoadedRowGroup,
  loadRowGroups,
  SEARCH_SUMMARY_FORMAT,
  type SearchSummary,
} from './search-summary';

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
        for (let row = from; row < to; row++) target[row - rowStart] = data[row - chunk.rowStart];
      },
    });
    for (const [column, values] of arrays) out.set(column, values);
    return out;
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
    if (summary.format !== SEARCH_SUMMARY_FORMAT) {
      throw new Error(
        `block ${this.blockId}: unknown search summary format ${JSON.stringify(summary.format)}`,
      );
    }
    return withGroups(summary);
  }
}

function withGroups(summary: SearchSummary): LoadedSummary {
  return { ...summary, groups: loadRowGroups(summary) };
}
