import { BlockReadError, retryIfBlockGone, type StaleBlocks } from '../query/stale-blocks';
import type { SearchableUnflushedSource, UnflushedTrace, UnflushedTraceRef } from '../query/unflushed-source';
import type { QueryDeadline } from '../query-guards/deadline';
import { searchTraceFromOtlp } from '../search-model/otlp-to-search';
import type { SearchQuery, SpanSetMatch } from '../search-model/search-query';
import type { SearchTrace } from '../search-model/search-trace';
import type { BlockEntry } from '../store/blocklist';
import { forEachLimited } from '../store/for-each-limited';
import { rowGroupMayMatch } from '../store/search/search-summary';
import type { LoadedSummary } from '../store/search/sidecar-reader';
import { type RowGroupUnit, rowGroupTraces, type SearchStats } from './block-search';
import { columnNeedsOf } from './column-needs';

export interface SearchRequest {
  query: SearchQuery;
  limit: number;
  /** Only traces overlapping [startMs, endMs] (unix ms), when given. */
  startMs?: number;
  endMs?: number;
}

export interface SearchHit {
  trace: SearchTrace;
  matches: SpanSetMatch[];
}

export interface SearchResult {
  /** Newest trace start first. */
  hits: SearchHit[];
  stats: SearchStats;
  totalBlocks: number;
  /** Why some data could not be searched (blocks without search data), if any was skipped. */
  partialReason?: string;
}

export interface TraceSearchDeps {
  unflushed: SearchableUnflushedSource;
  blocks: { blocks(tenantId: string): BlockEntry[] };
  /**
   * The whole trace by ID (every block and unflushed part combined), for a match that may be
   * only part of its trace: its root has not been seen, or it is both in a block and unflushed.
   */
  wholeTrace?: (tenantId: string, traceId: string) => Promise<SearchTrace | undefined>;
  /** A querier's way to recover from a blocklist that lags the bucket (absent: errors stand). */
  staleBlocks?: StaleBlocks;
}

/** Unflushed traces fetched per request to the unflushed source. */
const UNFLUSHED_BATCH = 256;
/**
 * Search summaries read at once by the first search of a fresh store, which needs every block's:
 * one after another they cost a round trip each (200 blocks on S3: 0.7–1.2 s with a 2–5 ms GET,
 * far more at an object store's usual 20–50 ms), while 32 at once keep well inside the backend
 * pool (`pool.max_workers`, 400 by default) and leave it room for other queries.
 */
export const SUMMARY_READS_AT_ONCE = 32;

/** A place a match may come from, visited newest first: an unflushed trace or a block's row group. */
type Unit =
  | { maxStartMs: number; unflushed: UnflushedTraceRef }
  | { maxStartMs: number; rowGroup: RowGroupUnit };

/**
 * TraceQL search over everything a tenant has: unflushed traces (live, head block, blocks being
 * built) and flushed blocks through their search sidecars. Answers are the newest matching
 * traces by trace start, the same on every call: places are visited newest first, and the walk
 * stops once `limit` matches are held and no place left can hold a newer trace.
 */
export class TraceSearch {
  constructor(private readonly deps: TraceSearchDeps) {}

  search(tenantId: string, request: SearchRequest, deadline: QueryDeadline): Promise<SearchResult> {
    return retryIfBlockGone(this.deps.staleBlocks, () => this.searchOnce(tenantId, request, deadline));
  }

  private async searchOnce(
    tenantId: string,
    request: SearchRequest,
    deadline: QueryDeadline,
  ): Promise<SearchResult> {
    const { query, limit } = request;
    const stats: SearchStats = {
      inspectedTraces: 0,
      inspectedSpans: 0,
      bytesRead: 0,
      inspectedBlocks: new Set(),
    };
    // Unflushed first, blocks after (UnflushedSource's contract): every acknowledged span is in
    // one or both, never neither.
    const refs = await this.deps.unflushed.unflushedRefs(tenantId);
    const blocks = this.deps.blocks.blocks(tenantId);
    const { units, skipped } = await this.units(refs, blocks, request, deadline);
    units.sort((a, b) => b.maxStartMs - a.maxStartMs);
    const needs = columnNeedsOf(query.fields);
    const hits: SearchHit[] = [];
    const seen = new Set<string>();
    const unflushedKeys = new Set(refs.map((ref) => ref.key));
    const fetched = new Map<string, UnflushedTrace | null>();
    for (let i = 0; i < units.length; i++) {
      const unit = units[i];
      if (hits.length >= limit && unit.maxStartMs < startMs(hits[limit - 1].trace)) break;
      await deadline.checkpoint();
      if ('unflushed' in unit) {
        if (!fetched.has(unit.unflushed.key)) await this.fetchUnflushed(tenantId, units, i, fetched);
        const traces = await this.unflushedTrace(tenantId, unit.unflushed, fetched, stats);
        const partly = unit.unflushed.partlyFlushed ? new Set([unit.unflushed.key]) : undefined;
        await this.judge(tenantId, traces, request, hits, seen, deadline, partly);
        continue;
      }
      for await (const batch of blockReads(
        unit.rowGroup,
        rowGroupTraces(unit.rowGroup, query, needs, stats),
      )) {
        await this.judge(tenantId, batch, request, hits, seen, deadline, unflushedKeys);
        // Slices come newest first: once the last one is older than every hit held, this group is done.
        const last = batch[batch.length - 1];
        if (last && hits.length >= limit && last.startUnixNano < hits[limit - 1].trace.startUnixNano) break;
        await deadline.checkpoint();
      }
    }
    return {
      hits,
      stats,
      totalBlocks: blocks.length,
      partialReason:
        skipped > 0
          ? `${skipped} block(s) written before search data existed were not searched (trace by ID still finds their traces)`
          : undefined,
    };
  }

  /** Evaluates traces and keeps their matches among the newest `limit` hits. */
  private async judge(
    tenantId: string,
    traces: SearchTrace[],
    request: SearchRequest,
    hits: SearchHit[],
    seen: Set<string>,
    deadline: QueryDeadline,
    /** Traces known to have parts elsewhere (unflushed spans of a block's trace, or the reverse). */
    partial?: Set<string>,
  ): Promise<void> {
    const { query, limit } = request;
    for (let trace of traces) {
      if (seen.has(trace.traceId) || !overlaps(trace, request)) continue;
      if (deadline.spend(trace.spans.length)) await deadline.pause();
      let matches = query.evaluate(trace);
      // A part of a trace (its root not seen, or it is in a block and still unflushed too) may
      // miss what the whole has, or match where the whole would not: judge the whole.
      const partOnly = trace.rootServiceName === undefined || partial?.has(trace.traceId) === true;
      if (partOnly && this.deps.wholeTrace) {
        const whole = await this.deps.wholeTrace(tenantId, trace.traceId);
        if (whole) {
          trace = whole;
          matches = query.evaluate(whole);
        }
      }
      if (matches.length === 0) continue;
      seen.add(trace.traceId);
      insertNewestFirst(hits, { trace, matches }, limit);
    }
  }

  private async units(
    refs: UnflushedTraceRef[],
    blocks: BlockEntry[],
    request: SearchRequest,
    deadline: QueryDeadline,
  ): Promise<{ units: Unit[]; skipped: number }> {
    const units: Unit[] = [];
    for (const ref of refs) {
      if (request.startMs !== undefined && ref.endMs < request.startMs) continue;
      if (request.endMs !== undefined && ref.startMs > request.endMs) continue;
      units.push({ maxStartMs: ref.startMs, unflushed: ref });
    }
    let skipped = 0;
    const searchable: { entry: BlockEntry; reader: NonNullable<BlockEntry['search']> }[] = [];
    for (const entry of blocks) {
      const { meta } = entry;
      if (request.startMs !== undefined && meta.endMs < request.startMs) continue;
      if (request.endMs !== undefined && meta.startMs > request.endMs) continue;
      if (!entry.search) {
        if (meta.totalSpans > 0) skipped++;
        continue;
      }
      searchable.push({ entry, reader: entry.search });
    }
    const summaries = await readSummaries(searchable, deadline);
    // Units in block order, whatever order the reads finished in: the sort below is stable, so
    // places with the same newest start keep that order and answers stay the same from call to call.
    for (let i = 0; i < searchable.length; i++) {
      const { entry, reader } = searchable[i];
      const summary = summaries[i];
      for (const group of summary.groups) {
        if (request.endMs !== undefined && group.minTraceStartMs > request.endMs) continue;
        if (
          request.startMs !== undefined &&
          group.maxTraceStartMs + group.maxTraceDurationNanos / 1e6 < request.startMs
        ) {
          continue;
        }
        if (!rowGroupMayMatch(group, request.query.prefilter)) continue;
        units.push({
          maxStartMs: group.maxTraceStartMs,
          rowGroup: { entry, reader, summary, group },
        });
      }
    }
    return { units, skipped };
  }

  /**
   * The parts of the unflushed traces from `units[from]` on, a batch at a time: a querier asks
   * remote ingesters once per batch, not once per trace.
   */
  private async fetchUnflushed(
    tenantId: string,
    units: Unit[],
    from: number,
    fetched: Map<string, UnflushedTrace | null>,
  ): Promise<void> {
    const keys: string[] = [];
    for (let i = from; i < units.length && keys.length < UNFLUSHED_BATCH; i++) {
      const unit = units[i];
      if ('unflushed' in unit && !fetched.has(unit.unflushed.key)) keys.push(unit.unflushed.key);
    }
    const found = await this.deps.unflushed.unflushedTraces(tenantId, keys);
    for (const key of keys) fetched.set(key, found.get(key) ?? null);
  }

  private async unflushedTrace(
    tenantId: string,
    ref: UnflushedTraceRef,
    fetched: Map<string, UnflushedTrace | null>,
    stats: SearchStats,
  ): Promise<SearchTrace[]> {
    const found = fetched.get(ref.key);
    fetched.delete(ref.key);
    if (!found) {
      // Flushed since the snapshot, into a block the snapshot does not have: read it whole.
      const whole = await this.deps.wholeTrace?.(tenantId, ref.key);
      return whole ? [whole] : [];
    }
    const trace = searchTraceFromOtlp(ref.key, found.parts);
    stats.inspectedTraces++;
    stats.inspectedSpans += trace.spans.length;
    for (const part of found.parts) stats.bytesRead += part.byteLength;
    return [trace];
  }
}

/**
 * Every block's search summary (from memory once read), `SUMMARY_READS_AT_ONCE` reads at a time.
 * No read starts once the deadline has passed or the client has gone (the search is answered or
 * failed by then: reads past that point are load for nothing), nor after one has failed, whose
 * error the search fails with (`forEachLimited`).
 */
async function readSummaries(
  blocks: readonly { entry: BlockEntry; reader: NonNullable<BlockEntry['search']> }[],
  deadline: QueryDeadline,
): Promise<LoadedSummary[]> {
  const summaries: LoadedSummary[] = new Array(blocks.length);
  await forEachLimited([...blocks.keys()], SUMMARY_READS_AT_ONCE, async (i) => {
    deadline.check();
    try {
      summaries[i] = await blocks[i].reader.summary();
    } catch (err) {
      // A read of its block: one deleted since the last poll (compacted) gets the search retried.
      const { tenantId, blockId } = blocks[i].entry.meta;
      throw new BlockReadError(tenantId, blockId, err);
    }
  });
  return summaries;
}

function startMs(trace: SearchTrace): number {
  return Number(trace.startUnixNano / 1_000_000n);
}

function overlaps(trace: SearchTrace, request: SearchRequest): boolean {
  const start = startMs(trace);
  if (request.endMs !== undefined && start > request.endMs) return false;
  if (request.startMs !== undefined && start + trace.durationNanos / 1e6 < request.startMs) return false;
  return true;
}

/** Keeps `hits` sorted newest start first (ties by trace ID, so answers are stable) and at most `limit` long. */
function insertNewestFirst(hits: SearchHit[], hit: SearchHit, limit: number): void {
  const newer = (a: SearchHit, b: SearchHit) =>
    a.trace.startUnixNano > b.trace.startUnixNano ||
    (a.trace.startUnixNano === b.trace.startUnixNano && a.trace.traceId < b.trace.traceId);
  let i = hits.length;
  while (i > 0 && newer(hit, hits[i - 1])) i--;
  if (i >= limit) return;
  hits.splice(i, 0, hit);
  if (hits.length > limit) hits.pop();
}

/** The batches of a row group, with a failed read of it said to be a read of its block (`StaleBlocks`). */
async function* blockReads<T>(unit: RowGroupUnit, batches: AsyncGenerator<T>): AsyncGenerator<T> {
  const { tenantId, blockId } = unit.entry.meta;
  try {
    for (;;) {
      let next: IteratorResult<T>;
      try {
        next = await batches.next();
      } catch (err) {
        throw new BlockReadError(tenantId, blockId, err);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    // The consumer stopped early (enough hits, a deadline): close the reads it started.
    await batches.return(undefined);
  }
}
