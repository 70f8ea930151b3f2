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

/** How long a page's answer waits for the app's request, and how many bytes of them wait at most. */
const PAGE_ANSWER_TTL_MS = 10_000;
const PAGE_ANSWER_MAX_BYTES = 64 * 2 ** 20;

function flightKey(tenantId: string, key: string, opts: FindOptions): string {
  return `${tenantId}\u0000${key}\u0000${opts.startMs ?? ''}\u0000${opts.endMs ?? ''}`;
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
  /** Answers a rendered page was made from, kept for the app's own request that follows it. */
  private readonly pageAnswers = new Map<string, { found: FoundTrace; until: number }>();
  /** Page lookups under way whose answer no other request has shared yet. */
  private readonly pagesWaiting = new Set<string>();

  /**
   * Concurrent lookups of the same trace share one search (dashboards ask for one trace from
   * several panels at once). Answers are immutable, so sharing is safe.
   */
  findTraceById(
    tenantId: string,
    traceId: Buffer,
    key: string,
    opts: FindOptions = {},
  ): Promise<FoundTrace | undefined> {
    const flight = flightKey(tenantId, key, opts);
    const kept = this.pageAnswers.get(flight);
    if (kept) {
      this.pageAnswers.delete(flight);
      if (kept.until >= Date.now()) return Promise.resolve(kept.found);
    }
    const pending = this.inFlight.get(flight);
    if (pending) {
      this.pagesWaiting.delete(flight); // this is the request a page's answer would be kept for
      return pending;
    }
    const search = this.search(tenantId, traceId, key, opts).finally(() => this.inFlight.delete(flight));
    this.inFlight.set(flight, search);
    return search;
  }

  /**
   * A lookup for a page rendered ahead of the app: its answer is also the answer to the next
   * request for the trace within a few seconds (the app's, once its code has loaded), and to that
   * one only. The app then shows what the page showed, and the trace is not searched twice.
   */
  async findTraceForPage(tenantId: string, traceId: Buffer, key: string): Promise<FoundTrace | undefined> {
    const flight = flightKey(tenantId, key, {});
    // A page searches afresh: taking an earlier page's answer would pass it on from page to page.
    this.pageAnswers.delete(flight);
    const lookup = this.findTraceById(tenantId, traceId, key);
    this.pagesWaiting.add(flight);
    let found: FoundTrace | undefined;
    let unshared = false;
    try {
      found = await lookup;
    } finally {
      unshared = this.pagesWaiting.delete(flight);
    }
    if (!found || !unshared) return found;
    this.keepPageAnswer(flight, found);
    return found;
  }

  private keepPageAnswer(flight: string, found: FoundTrace): void {
    if (found.data.length > PAGE_ANSWER_MAX_BYTES) return;
    const now = Date.now();
    this.pageAnswers.delete(flight);
    let bytes = found.data.length;
    // Newest last: keep what fits, dropping the expired and then the oldest.
    for (const [other, kept] of [...this.pageAnswers].reverse()) {
      if (kept.until >= now && bytes + kept.found.data.length <= PAGE_ANSWER_MAX_BYTES) {
        bytes += kept.found.data.length;
      } else {
        this.pageAnswers.delete(other);
      }
    }
    this.pageAnswers.set(flight, { found, until: now + PAGE_ANSWER_TTL_MS });
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
