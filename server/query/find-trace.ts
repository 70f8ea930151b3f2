import type { LoupeConfig } from '../config/types';
import type { Ingester } from '../ingester/ingester';
import type { SelfMetrics } from '../metrics/self-metrics';
import { combineTraceParts } from '../otlp/combine-trace';
import type { Blocklist } from '../store/blocklist';

export interface FoundTrace {
  /** OTLP TracesData bytes (wire-identical to Tempo's `Trace`). */
  data: Buffer;
  spanCount: number;
  /** Spans were refused or cut at max_bytes_per_trace: the answer is partial. */
  truncated: boolean;
  /** Blocks whose index was probed. */
  inspectedBlocks: number;
}

export interface FindOptions {
  startMs?: number;
  endMs?: number;
}

/**
 * Trace by ID across everything that may hold its spans: flushed blocks (narrowed by
 * `start`/`end`), blocks being built, the head block and live traces. Parts are merged
 * oldest first and duplicate span IDs dropped.
 */
export class TraceFinder {
  constructor(
    private readonly config: LoupeConfig,
    private readonly ingester: Ingester,
    private readonly blocklist: Blocklist,
    private readonly metrics: SelfMetrics,
  ) {}

  /** Lookups under way, by tenant, ID and time range: the same question asked twice is answered once. */
  private readonly inFlight = new Map<string, Promise<FoundTrace | undefined>>();

  /**
   * Concurrent lookups of the same trace share one search: opening a trace page asks for the
   * trace twice at once (the page, rendered ahead of the app, and the app's own request), and so
   * do dashboards with several panels on one trace. Answers are immutable, so sharing is safe.
   */
  findTraceById(
    tenantId: string,
    traceId: Buffer,
    key: string,
    opts: FindOptions = {},
  ): Promise<FoundTrace | undefined> {
    const flight = `${tenantId}\u0000${key}\u0000${opts.startMs ?? ''}\u0000${opts.endMs ?? ''}`;
    const pending = this.inFlight.get(flight);
    if (pending) return pending;
    const search = this.search(tenantId, traceId, key, opts).finally(() => this.inFlight.delete(flight));
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
    // Both snapshots are taken in the same tick: a block joins the blocklist in the same tick it
    // leaves the ingester, so the trace is always seen in one of them.
    // Oldest block first, so the first copy of a duplicated span is the one kept.
    const candidates = this.blocklist
      .candidates(tenantId, traceId, opts.startMs, opts.endMs)
      .sort((a, b) => a.meta.createdAt.localeCompare(b.meta.createdAt));
    const unflushed = this.ingester.findUnflushed(tenantId, key);
    const fromBlocks = await Promise.all(candidates.map((c) => c.reader.findTrace(traceId)));
    const parts: Uint8Array[] = [];
    let truncated = unflushed?.truncated ?? false;
    for (const found of fromBlocks) {
      if (!found) continue;
      if (found.data.length > 0) parts.push(found.data);
      truncated ||= found.truncated;
    }
    if (unflushed) parts.push(...unflushed.parts);
    const outcome = parts.length > 0 ? 'found' : 'not_found';
    this.metrics.traceLookupSeconds.observe({ outcome }, (performance.now() - began) / 1000);
    if (parts.length === 0) return undefined;
    const combined = combineTraceParts(parts, this.config.overrides.maxBytesPerTrace);
    return {
      data: combined.data,
      spanCount: combined.spanCount,
      truncated: truncated || combined.truncated,
      inspectedBlocks: candidates.length,
    };
  }
}
