import type { Labels } from '../model';
import type { ChunkColumns, ChunkMeta } from '../store/chunk-format';
import type { LogStore } from '../store/log-store';
import type { StreamState } from '../store/stream';

/** Entries of one stream in time order, from a chunk, a chunk being written, or the head. */
export interface ScanSource {
  ms: number[];
  ns: number[];
  lines: string[];
  meta(i: number): Labels | undefined;
  minMs: number;
  maxMs: number;
}

function fromColumns(columns: ChunkColumns): ScanSource {
  const { metas } = columns;
  return {
    ms: columns.ms,
    ns: columns.ns,
    lines: columns.lines,
    meta: (i) => (metas[i] ? (JSON.parse(metas[i]) as Labels) : undefined),
    minMs: columns.ms[0],
    maxMs: columns.ms[columns.ms.length - 1],
  };
}

/** Pending sources of a stream for [startMs, endMs]; chunks load lazily, newest or oldest first. */
export interface PendingSource {
  minMs: number;
  maxMs: number;
  load(): Promise<ScanSource>;
}

export function streamSources(
  store: LogStore,
  stream: StreamState,
  startMs: number,
  endMs: number,
): PendingSource[] {
  const out: PendingSource[] = [];
  const overlaps = (minMs: number, maxMs: number) => minMs <= endMs && maxMs >= startMs;
  for (const meta of stream.chunks) {
    if (!overlaps(meta.minMs, meta.maxMs)) continue;
    out.push({ minMs: meta.minMs, maxMs: meta.maxMs, load: () => loadChunk(store, meta) });
  }
  for (const columns of stream.flushing) {
    const source = fromColumns(columns);
    if (overlaps(source.minMs, source.maxMs)) out.push({ ...source, load: async () => source });
  }
  if (stream.head.length > 0) {
    const head = stream.sortedHead();
    const source: ScanSource = {
      ms: head.map((e) => e.ms),
      ns: head.map((e) => e.ns),
      lines: head.map((e) => e.line),
      meta: (i) => head[i].meta,
      minMs: head[0].ms,
      maxMs: head[head.length - 1].ms,
    };
    if (overlaps(source.minMs, source.maxMs))
      out.push({ minMs: source.minMs, maxMs: source.maxMs, load: async () => source });
  }
  return out;
}

async function loadChunk(store: LogStore, meta: ChunkMeta): Promise<ScanSource> {
  return fromColumns(await store.readChunk(meta));
}
