import type { Logger } from 'pino';
import type { Backend } from '../../store/backend/backend';
import { blobWalCodec, RECORD_KIND_LOGS, type WalBlobRecord } from '../../wal/blob-codec';
import { Wal } from '../../wal/wal';
import { streamKey } from '../labels';
import type { LogPush } from '../model';
import { ChunkCache } from './chunk-cache';
import { type ChunkColumns, type ChunkMeta, toColumns } from './chunk-format';
import { ChunkStore } from './chunk-store';
import { StreamState, type WalRef } from './stream';
import { decodePush, encodePush } from './wal-push';

export interface LogStoreOptions {
  backend: Backend;
  walPath: string;
  maxChunkBytes: number;
  maxChunkAgeMs: number;
  retentionMs: number;
  /** Heap budget for decoded chunks kept for queries. */
  cacheBytes?: number;
  onChunkWritten?: (meta: ChunkMeta) => void;
  logger: Pick<Logger, 'warn' | 'error' | 'info'>;
}

const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Every tenant's streams. A push is durable in the WAL before `push` resolves, then lives in its
 * streams' heads; a head becomes a chunk in the backend when it is big or old enough, and only
 * then are its WAL records released. Replaying the WAL on `open` rebuilds the heads, so nothing
 * acknowledged is lost across a crash (a chunk written just before a crash may be replayed once
 * more; queries drop such duplicates).
 */
export class LogStore {
  private readonly tenants = new Map<string, Map<string, StreamState>>();
  private readonly wal: Wal<WalBlobRecord>;
  readonly chunks: ChunkStore;
  private readonly cache: ChunkCache;
  private readonly inFlightCuts = new Set<Promise<void>>();

  constructor(private readonly opts: LogStoreOptions) {
    this.wal = new Wal({ dir: opts.walPath, codec: blobWalCodec });
    this.chunks = new ChunkStore(opts.backend);
    this.cache = new ChunkCache(opts.cacheBytes ?? DEFAULT_CACHE_BYTES);
  }

  /** Loads chunk metas, then replays the WAL into the heads. */
  async open(): Promise<{ chunks: number; replayedPushes: number }> {
    const metas = await this.chunks.loadAll((key, err) =>
      this.opts.logger.warn({ key, err }, 'skipping unreadable log chunk meta'),
    );
    for (const meta of metas) this.stream(meta.tenantId, meta.labels).addChunk(meta);
    const now = Date.now();
    // No cuts while replaying: a cut releases WAL records, and the WAL is still counting them.
    // The first tick after opening cuts whatever replay filled past the limits.
    const { records } = await this.wal.open(({ record, location }) => {
      if (record.kind !== RECORD_KIND_LOGS) return;
      this.apply(record.tenantId, decodePush(record.data), location, now, false);
    });
    return { chunks: metas.length, replayedPushes: records };
  }

  /** Resolves once the push is durable; its entries are then visible to queries. */
  async push(tenantId: string, push: LogPush): Promise<void> {
    if (push.streams.length === 0) return;
    const { locations, durable } = this.wal.append([
      { kind: RECORD_KIND_LOGS, tenantId, data: encodePush(push) },
    ]);
    await durable;
    this.apply(tenantId, push, locations[0], Date.now());
  }

  private apply(
    tenantId: string,
    push: LogPush,
    location: WalRef['location'],
    nowMs: number,
    mayCut = true,
  ): void {
    const ref: WalRef = { location, pendingStreams: push.streams.length };
    for (const s of push.streams) {
      const stream = this.stream(tenantId, s.labels);
      stream.append(s.entries, ref, nowMs);
      if (mayCut && stream.headBytes >= this.opts.maxChunkBytes) this.startCut(tenantId, stream);
    }
  }

  private stream(tenantId: string, labels: ChunkMeta['labels']): StreamState {
    let streams = this.tenants.get(tenantId);
    if (!streams) {
      streams = new Map();
      this.tenants.set(tenantId, streams);
    }
    const key = streamKey(labels);
    let stream = streams.get(key);
    if (!stream) {
      stream = new StreamState(key, labels);
      streams.set(key, stream);
    }
    return stream;
  }

  tenantStreams(tenantId: string): Iterable<StreamState> {
    return this.tenants.get(tenantId)?.values() ?? [];
  }

  /** A chunk's columns, from the cache or the backend. */
  async readChunk(meta: ChunkMeta): Promise<ChunkColumns> {
    const cached = this.cache.get(meta.id);
    if (cached) return cached;
    const columns = await this.chunks.read(meta);
    this.cache.set(meta.id, columns);
    return columns;
  }

  /** Cuts heads past their size or age. (Retention runs on its own schedule: `applyRetention`.) */
  async tick(nowMs: number): Promise<void> {
    for (const [tenantId, streams] of this.tenants) {
      for (const stream of streams.values()) {
        const old = stream.head.length > 0 && nowMs - stream.headSinceMs >= this.opts.maxChunkAgeMs;
        if (old || stream.headBytes >= this.opts.maxChunkBytes) {
          this.startCut(tenantId, stream);
        }
      }
    }
    await this.settle();
  }

  /** Cuts every head into a chunk (shutdown), and waits for all writes. */
  async flushAll(): Promise<void> {
    await this.settle();
    for (const [tenantId, streams] of this.tenants) {
      for (const stream of streams.values()) if (stream.head.length > 0) this.startCut(tenantId, stream);
    }
    await this.settle();
  }

  /** Stops the WAL; with `flush`, heads become chunks first (otherwise the next start replays them). */
  async close({ flush }: { flush: boolean }): Promise<void> {
    if (flush) await this.flushAll();
    else await this.settle();
    await this.wal.close();
  }

  private async settle(): Promise<void> {
    while (this.inFlightCuts.size > 0) await Promise.allSettled([...this.inFlightCuts]);
  }

  private startCut(tenantId: string, stream: StreamState): void {
    if (stream.cutting || stream.head.length === 0) return;
    stream.cutting = true;
    const { entries, refs } = stream.takeHead();
    const columns = toColumns(entries);
    stream.flushing.add(columns);
    const done = this.writeChunk(tenantId, stream, columns, refs)
      .catch((err) => {
        this.opts.logger.error({ err, tenantId, stream: stream.key }, 'releasing log WAL records failed');
        return false;
      })
      .then((written) => {
        stream.cutting = false;
        this.inFlightCuts.delete(done);
        // Pushes that arrived during the write may have filled the head again (after a failed
        // write the next tick retries, rather than a tight loop here).
        if (written && stream.headBytes >= this.opts.maxChunkBytes) this.startCut(tenantId, stream);
      });
    this.inFlightCuts.add(done);
  }

  private async writeChunk(
    tenantId: string,
    stream: StreamState,
    columns: ChunkColumns,
    refs: Set<WalRef>,
  ): Promise<boolean> {
    let meta: ChunkMeta;
    try {
      meta = await this.chunks.write(tenantId, stream.labels, columns);
    } catch (err) {
      // Put the entries back: they stay queryable and in the WAL, and the next tick retries.
      this.opts.logger.error({ err, tenantId, stream: stream.key }, 'writing a log chunk failed');
      stream.flushing.delete(columns);
      const entries = columns.lines.map((line, i) => ({
        ms: columns.ms[i],
        ns: columns.ns[i],
        line,
        ...(columns.metas[i] ? { meta: JSON.parse(columns.metas[i]) as Record<string, string> } : {}),
      }));
      for (const ref of refs) stream.append([], ref, Date.now());
      stream.append(entries, undefined, Date.now());
      return false;
    }
    this.cache.set(meta.id, columns);
    this.opts.onChunkWritten?.(meta);
    stream.addChunk(meta);
    stream.flushing.delete(columns);
    const drained = [];
    for (const ref of refs) if (--ref.pendingStreams === 0) drained.push(ref.location);
    if (drained.length > 0) await this.wal.release(drained);
    return true;
  }

  /**
   * Deletes chunks whose newest entry is older than the retention at `nowMs`. Called by the one
   * retention schedule (`server/compactor/retention-schedule.ts`) with the clock every store shares.
   */
  async applyRetention(nowMs: number): Promise<void> {
    const cutoff = nowMs - this.opts.retentionMs;
    for (const [tenantId, streams] of this.tenants) {
      for (const [key, stream] of streams) {
        const expired = stream.chunks.filter((c) => c.maxMs < cutoff);
        if (expired.length === 0) continue;
        stream.chunks = stream.chunks.filter((c) => c.maxMs >= cutoff);
        stream.recomputeSpan();
        for (const meta of expired) {
          this.cache.delete(meta.id);
          try {
            await this.chunks.delete(meta);
          } catch (err) {
            this.opts.logger.warn(
              { err, tenantId, chunk: meta.id },
              'retention could not delete a log chunk',
            );
          }
        }
        if (stream.isEmpty()) streams.delete(key);
      }
    }
  }

  /** WAL size on disk (for self-metrics). */
  walSize(): { bytes: number; segments: number } {
    return this.wal.size();
  }
}
