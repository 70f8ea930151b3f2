import { combineTraceParts } from '../otlp/combine-trace';
import { BlockReadError, retryIfBlockGone, type StaleBlocks } from './stale-blocks';
import type { UnflushedSource } from './unflushed-source';

export interface FoundTrace {
  /** OTLP TracesData bytes (wire-identical to Tempo's `Trace`). */
  data: Buffer;
  spanCount: number;
  /** Spans were refused or cut at max_bytes_per_trace: the answer is partial. */
  truncated: boolean;
}

export interface FindOptions {
  startMs?: number;
  endMs?: number;
}

/** What a trace lookup needs of the blocklist: the blocks that may hold a trace. */
export interface BlockCandidates {
  candidates(
    tenantId: string,
    traceId: Uint8Array,
    startMs?: number,
    endMs?: number,
  ): {
    meta: { createdAt: string; tenantId: string; blockId: string };
    reader: { findTrace(traceId: Uint8Array): Promise<{ data: Uint8Array; truncated: boolean } | undefined> };
  }[];
}

/** One way to look a trace up; the trace page's hand-off wraps it (`http/trace-page-lookups.ts`). */
export interface TraceLookup {
  findTraceById(
    tenantId: string,
    traceId: Buffer,
    key: string,
    opts?: FindOptions,
  ): Promise<FoundTrace | undefined>;
}

export interface TraceFinderDeps {
  unflushed: UnflushedSource;
  blocks: BlockCandidates;
  /** The tenant's `max_bytes_per_trace` (0: no limit): a combined trace is cut past it. */
  maxBytesPerTrace: (tenantId: string) => number;
  metrics: { traceLookupSeconds: { observe(labels: { outcome: string }, seconds: number): void } };
  /** A querier's way to recover from a blocklist that lags the bucket (absent: errors stand). */
  staleBlocks?: StaleBlocks;
}

/** One lookup question (tenant, trace, time range) as a key: concurrent ones share one search. */
export function lookupKey(tenantId: string, key: string, opts: FindOptions): string {
  return `${tenantId}\u0000${key}\u0000${opts.startMs ?? ''}\u0000${opts.endMs ?? ''}`;
}

/**
 * Trace by ID across everything that may hold its spans: flushed blocks (narrowed by
 * `start`/`end`), and what the unflushed source holds (blocks being built, the head block and
 * live traces). Parts are merged oldest first and duplicate span IDs dropped.
 */
export class TraceFinder implements TraceLookup {
  /** Lookups under way, by tenant, ID and time range: the same question asked twice is answered once. */
  private readonly inFlight = new Map<string, Promise<FoundTrace | undefined>>();

  constructor(private readonly deps: TraceFinderDeps) {}

  /**
   * Concurrent lookups of the same trace share one search (dashboards ask for one trace from
   * several panels at once). Answers are immutable, so sharing is safe; nothing is cached.
   */
  findTraceById(
    tenantId: string,
    traceId: Buffer,
    key: string,
    opts: FindOptions = {},
  ): Promise<FoundTrace | undefined> {
    const flight = lookupKey(tenantId, key, opts);
    const pending = this.inFlight.get(flight);
    if (pending) return pending;
    const search = retryIfBlockGone(this.deps.staleBlocks, () =>
      this.search(tenantId, traceId, key, opts),
    ).finally(() => this.inFlight.delete(flight));
    this.inFlight.set(flight, search);
    return search;
  }

  private async search(
    tenantId: string,
    traceId: Buffer,
    key: string,
    opts: FindOptions,
  ): Promise<FoundTrace | undefined> {
    const began = performance.now();
    // Unflushed first, blocks after (UnflushedSource's contract): a block flushed meanwhile is in
    // the blocklist by the time it is read, so every span is found once or twice, never missed.
    const unflushed = (await this.deps.unflushed.unflushedTraces(tenantId, [key])).get(key);
    // Oldest block first, so the first copy of a duplicated span is the one kept.
    const candidates = this.deps.blocks
      .candidates(tenantId, traceId, opts.startMs, opts.endMs)
      .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt));
    const fromBlocks = await Promise.all(
      candidates.map((c) =>
        c.reader.findTrace(traceId).catch((err: unknown) => {
          throw new BlockReadError(c.meta.tenantId, c.meta.blockId, err);
        }),
      ),
    );
    const parts: Uint8Array[] = [];
    let truncated = unflushed?.truncated ?? false;
    for (const found of fromBlocks) {
      if (!found) continue;
      if (found.data.length > 0) parts.push(found.data);
      truncated ||= found.truncated;
    }
    if (unflushed) parts.push(...unflushed.parts);
    const outcome = parts.length > 0 ? 'found' : 'not_found';
    this.deps.metrics.traceLookupSeconds.observe({ outcome }, (performance.now() - began) / 1000);
    if (parts.length === 0) return undefined;
    const combined = combineTraceParts(parts, this.deps.maxBytesPerTrace(tenantId));
    return { data: combined.data, spanCount: combined.spanCount, truncated: truncated || combined.truncated };
  }
}
