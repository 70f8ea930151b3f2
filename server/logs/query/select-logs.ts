import { QueryDeadline } from '../../query-guards/deadline';
import type { LogQuery } from '../logql/ast';
import { compileMatchers, compilePipeline, type PipelineEntry } from '../logql/pipeline';
import type { Labels } from '../model';
import type { LogStore } from '../store/log-store';
import type { StreamState } from '../store/stream';
import { type ScanSource, streamSources } from './sources';

export type Direction = 'forward' | 'backward';

export interface TimeRange {
  /** Inclusive start and exclusive end, as Loki takes them. */
  startMs: number;
  startNs: number;
  endMs: number;
  endNs: number;
}

export interface SelectedEntry {
  ms: number;
  ns: number;
  line: string;
  stream: StreamState;
  meta: Labels | undefined;
  parsed: Labels | undefined;
}

export interface SelectStats {
  linesScanned: number;
  bytesScanned: number;
  chunksRead: number;
}

/** Streams of a tenant whose index labels match the selector and whose span meets the range. */
export function matchingStreams(
  store: LogStore,
  tenantId: string,
  query: Pick<LogQuery, 'matchers'>,
  range: TimeRange,
) {
  const match = compileMatchers(query.matchers);
  const out: StreamState[] = [];
  for (const stream of store.tenantStreams(tenantId)) {
    if (stream.overlaps(range.startMs, range.endMs) && match(stream.labels)) out.push(stream);
  }
  return out;
}

/**
 * Entries a log query selects, at most `limit` (0 = no limit), newest first for `backward`.
 * Each stream contributes at most `limit` entries, scanning its sources from the wanted end and
 * stopping once the rest cannot beat what it has. Identical entries (same stream, time and
 * line: a chunk replayed from the WAL after a crash) are returned once.
 *
 * What is kept across streams is cut back to the best `limit` whenever it reaches twice that,
 * so a selector matching every stream holds at most ~3 × `limit` entries, not `limit` per
 * stream; and once `limit` are kept, a source lying wholly beyond the worst of them is not read.
 */
export async function selectLogs(
  store: LogStore,
  tenantId: string,
  query: LogQuery,
  range: TimeRange,
  limit: number,
  direction: Direction,
  stats: SelectStats = { linesScanned: 0, bytesScanned: 0, chunksRead: 0 },
  deadline = QueryDeadline.unbounded(),
): Promise<SelectedEntry[]> {
  const pipeline = compilePipeline(query.pipeline);
  const max = limit > 0 ? limit : Number.POSITIVE_INFINITY;
  const backward = direction === 'backward';
  const beyond = (minMs: number, maxMs: number, worst: number) => (backward ? maxMs < worst : minMs > worst);
  let kept: SelectedEntry[] = [];
  /** The time of the worst of `max` entries kept across streams, once there are that many. */
  let keptWorst: number | undefined;
  for (const stream of matchingStreams(store, tenantId, query, range)) {
    const sources = streamSources(store, stream, range.startMs, range.endMs);
    sources.sort(backward ? (a, b) => b.maxMs - a.maxMs : (a, b) => a.minMs - b.minMs);
    const found: SelectedEntry[] = [];
    for (const pending of sources) {
      // Sources come newest-end first (backward) or oldest-start first (forward): a source lying
      // wholly beyond the worst entry kept (this stream's, or all streams') cannot contribute.
      if (keptWorst !== undefined && beyond(pending.minMs, pending.maxMs, keptWorst)) break;
      if (found.length >= max) {
        const worst = worstKept(found, max, backward);
        if (beyond(pending.minMs, pending.maxMs, worst)) break;
      }
      const source = await pending.load();
      stats.chunksRead++;
      await scan(source, stream, range, pipeline, backward, max, found, stats, deadline);
    }
    for (const e of found) kept.push(e);
    if (kept.length >= 2 * max) {
      kept = best(kept, max, backward);
      // Fewer than `max` when identical entries were dropped: then no bound yet.
      if (kept.length >= max) keptWorst = kept[kept.length - 1].ms;
    }
  }
  const out = best(kept, max, backward);
  for (const e of out) if (e.meta === undefined && metaPending.has(e)) resolveMeta(e);
  return out;
}

/** The first `max` of `entries` in answer order, identical entries once. */
function best(entries: SelectedEntry[], max: number, backward: boolean): SelectedEntry[] {
  sortEntries(entries, backward);
  const out: SelectedEntry[] = [];
  for (const e of entries) {
    const last = out.at(-1);
    if (last && last.ms === e.ms && last.ns === e.ns && last.stream === e.stream && last.line === e.line)
      continue;
    out.push(e);
    if (out.length >= max) break;
  }
  return out;
}

/** Entries chosen on the line-filter fast path get their metadata parsed only if they are returned. */
const metaPending = new WeakMap<SelectedEntry, { source: ScanSource; index: number }>();

function resolveMeta(e: SelectedEntry): void {
  const pending = metaPending.get(e)!;
  e.meta = pending.source.meta(pending.index);
  metaPending.delete(e);
}

function worstKept(found: SelectedEntry[], max: number, backward: boolean): number {
  sortEntries(found, backward);
  found.length = Math.min(found.length, max);
  return found[found.length - 1].ms;
}

function sortEntries(entries: SelectedEntry[], backward: boolean): void {
  entries.sort((a, b) => {
    const byTime = a.ms - b.ms || a.ns - b.ns;
    if (byTime !== 0) return backward ? -byTime : byTime;
    if (a.stream !== b.stream) return a.stream.key < b.stream.key ? -1 : 1;
    return a.line < b.line ? -1 : a.line > b.line ? 1 : 0;
  });
}

function lowerBound(source: ScanSource, ms: number, ns: number): number {
  let lo = 0;
  let hi = source.ms.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = source.ms[mid];
    if (m < ms || (m === ms && source.ns[mid] < ns)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Scans one source, pausing for the event loop as `deadline` asks (a unit: a line). */
async function scan(
  source: ScanSource,
  stream: StreamState,
  range: TimeRange,
  pipeline: ReturnType<typeof compilePipeline>,
  backward: boolean,
  max: number,
  found: SelectedEntry[],
  stats: SelectStats,
  deadline: QueryDeadline,
): Promise<void> {
  const from = lowerBound(source, range.startMs, range.startNs);
  const to = lowerBound(source, range.endMs, range.endNs); // exclusive end
  const { ms, ns, lines } = source;
  stats.linesScanned += to - from;
  // Within one source, entries come in scan order, so `max` from it is all it can give.
  let taken = 0;
  const step = backward ? -1 : 1;
  for (let i = backward ? to - 1 : from; backward ? i >= from : i < to; i += step) {
    const line = lines[i];
    if (deadline.spend(pipeline.units(line))) await deadline.pause();
    stats.bytesScanned += line.length;
    if (pipeline.lineFiltersOnly) {
      if (!pipeline.matchLine(line)) continue;
      const e: SelectedEntry = { ms: ms[i], ns: ns[i], line, stream, meta: undefined, parsed: undefined };
      metaPending.set(e, { source, index: i });
      found.push(e);
    } else {
      const entry: PipelineEntry = { line, stream: stream.labels, meta: source.meta(i), parsed: undefined };
      if (!pipeline.run(entry)) continue;
      found.push({ ms: ms[i], ns: ns[i], line: entry.line, stream, meta: entry.meta, parsed: entry.parsed });
    }
    if (++taken >= max) break;
  }
}
