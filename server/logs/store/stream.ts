import type { WalLocation } from '../../wal/segments';
import type { Labels, LogEntry } from '../model';
import type { ChunkColumns, ChunkMeta } from './chunk-format';

/** A WAL record shared by the streams of one push; released once none of them holds its entries. */
export interface WalRef {
  location: WalLocation;
  pendingStreams: number;
}

/** What a cut takes from a head: its entries and the WAL records they came from. */
export interface CutHead {
  entries: LogEntry[];
  refs: Set<WalRef>;
}

/**
 * One stream of one tenant: its chunks in storage, the chunks being written, and the head of
 * entries not yet in a chunk. Also keeps the stream's overall time span, so label and series
 * lookups need no chunk.
 */
export class StreamState {
  chunks: ChunkMeta[] = [];
  /** Cut heads whose chunk is being written: still answered from memory. */
  readonly flushing = new Set<ChunkColumns>();
  head: LogEntry[] = [];
  headBytes = 0;
  /** Wall-clock time of the oldest unflushed append (for `max_chunk_age`). */
  headSinceMs = 0;
  headSorted = true;
  cutting = false;
  private refs = new Set<WalRef>();
  minMs = Number.POSITIVE_INFINITY;
  maxMs = Number.NEGATIVE_INFINITY;

  constructor(
    readonly key: string,
    readonly labels: Labels,
  ) {}

  append(entries: LogEntry[], ref: WalRef | undefined, nowMs: number): number {
    if (this.head.length === 0) this.headSinceMs = nowMs;
    let bytes = 0;
    let last = this.head.at(-1);
    for (const e of entries) {
      if (last && (e.ms < last.ms || (e.ms === last.ms && e.ns < last.ns))) this.headSorted = false;
      this.head.push(e);
      bytes += e.line.length;
      last = e;
      if (e.ms < this.minMs) this.minMs = e.ms;
      if (e.ms > this.maxMs) this.maxMs = e.ms;
    }
    this.headBytes += bytes;
    if (ref) this.refs.add(ref);
    return bytes;
  }

  /** The head in time order (sorted in place on first need; the WAL keeps push order anyway). */
  sortedHead(): LogEntry[] {
    if (!this.headSorted) {
      this.head.sort((a, b) => a.ms - b.ms || a.ns - b.ns);
      this.headSorted = true;
    }
    return this.head;
  }

  takeHead(): CutHead {
    const cut = { entries: this.head, refs: this.refs };
    this.head = [];
    this.headBytes = 0;
    this.headSorted = true;
    this.refs = new Set();
    return cut;
  }

  addChunk(meta: ChunkMeta): void {
    this.chunks.push(meta);
    this.chunks.sort((a, b) => a.minMs - b.minMs || a.minNs - b.minNs);
    if (meta.minMs < this.minMs) this.minMs = meta.minMs;
    if (meta.maxMs > this.maxMs) this.maxMs = meta.maxMs;
  }

  /** Recomputes the span after chunks were dropped by retention. */
  recomputeSpan(): void {
    this.minMs = Number.POSITIVE_INFINITY;
    this.maxMs = Number.NEGATIVE_INFINITY;
    for (const c of this.chunks) {
      this.minMs = Math.min(this.minMs, c.minMs);
      this.maxMs = Math.max(this.maxMs, c.maxMs);
    }
    for (const c of this.flushing) {
      this.minMs = Math.min(this.minMs, c.ms[0]);
      this.maxMs = Math.max(this.maxMs, c.ms[c.ms.length - 1]);
    }
    for (const e of this.head) {
      this.minMs = Math.min(this.minMs, e.ms);
      this.maxMs = Math.max(this.maxMs, e.ms);
    }
  }

  isEmpty(): boolean {
    return this.chunks.length === 0 && this.head.length === 0 && this.flushing.size === 0;
  }

  /** Whether any entry may fall in [startMs, endMs] (ms granularity: a cheap first cut). */
  overlaps(startMs: number, endMs: number): boolean {
    return this.minMs <= endMs && this.maxMs >= startMs;
  }
}
