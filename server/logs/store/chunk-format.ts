import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

/** Off the event loop (libuv's thread pool): a chunk is megabytes. */
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

import type { Labels, LogEntry } from '../model';

/**
 * A chunk: one stream's entries over a span of time, sorted by timestamp, stored as gzip'd JSON
 * columns. Lines are one array so a line filter is a tight loop over strings; structured
 * metadata stays as one JSON text per entry, parsed only for entries a query returns or filters
 * on (most of a chunk's decode time would otherwise go to objects nobody looks at).
 */
export const CHUNK_FORMAT = 'loupe-logs-v1';

export interface ChunkMeta {
  format: typeof CHUNK_FORMAT;
  id: string;
  tenantId: string;
  labels: Labels;
  /** Timestamps of the first and last entry. */
  minMs: number;
  minNs: number;
  maxMs: number;
  maxNs: number;
  count: number;
  /** Uncompressed line bytes, and the size of the stored object. */
  lineBytes: number;
  storedBytes: number;
}

/** A chunk read back: parallel columns, ascending by (ms, ns). */
export interface ChunkColumns {
  ms: number[];
  ns: number[];
  lines: string[];
  /** JSON of each entry's structured metadata, or '' when it has none. */
  metas: string[];
}

interface StoredChunk {
  format: typeof CHUNK_FORMAT;
  ms: number[];
  ns: number[];
  lines: string[];
  metas: string[];
}

/** Sorts entries by time (stable, so equal timestamps keep push order) and lays them out as columns. */
export function toColumns(entries: LogEntry[]): ChunkColumns {
  const sorted = [...entries].sort((a, b) => a.ms - b.ms || a.ns - b.ns);
  const columns: ChunkColumns = { ms: [], ns: [], lines: [], metas: [] };
  for (const e of sorted) {
    columns.ms.push(e.ms);
    columns.ns.push(e.ns);
    columns.lines.push(e.line);
    columns.metas.push(e.meta && Object.keys(e.meta).length > 0 ? JSON.stringify(e.meta) : '');
  }
  return columns;
}

export function encodeChunk(columns: ChunkColumns): Promise<Buffer> {
  const stored: StoredChunk = { format: CHUNK_FORMAT, ...columns };
  return gzipAsync(JSON.stringify(stored), { level: 4 });
}

export async function decodeChunk(data: Buffer): Promise<ChunkColumns> {
  const stored = JSON.parse((await gunzipAsync(data)).toString('utf8')) as StoredChunk;
  if (stored.format !== CHUNK_FORMAT)
    throw new Error(`unknown chunk format ${JSON.stringify(stored.format)}`);
  const { ms, ns, lines, metas } = stored;
  if (ns.length !== ms.length || lines.length !== ms.length || metas.length !== ms.length) {
    throw new Error('chunk columns differ in length');
  }
  return { ms, ns, lines, metas };
}

/** Approximate heap bytes of decoded columns, for the cache budget. */
export function columnsWeight(columns: ChunkColumns): number {
  let bytes = columns.ms.length * 48;
  for (const line of columns.lines) bytes += line.length;
  for (const meta of columns.metas) bytes += meta.length;
  return bytes;
}
