import type { TempoTraceSummary } from './search-api';

/** Tempo's `rootServiceName` while a trace's root span has not arrived. */
export const ROOT_NOT_RECEIVED = '<root span not yet received>';

export interface ServiceSummary {
  name: string;
  spanCount: number;
  errorCount: number;
}

/** One search hit as the table and the scatter show it, worked out once per answer. */
export interface TraceRow {
  traceId: string;
  /** Undefined while the root span has not arrived. */
  rootService: string | undefined;
  rootName: string | undefined;
  startMs: number;
  durationMs: number;
  /** Spans in the trace (the sum over its services), or undefined when the server sent no stats. */
  spanCount: number | undefined;
  /** Spans that matched the query. */
  matched: number;
  errorCount: number;
  /** Most spans first. */
  services: ServiceSummary[];
  /** Which tail-sampling policy kept it, when Loupe sampled it. */
  sampling?: { policy: string; reason: string };
}

/** Nanosecond strings to milliseconds; a double keeps them to well under a microsecond. */
const nanosToMs = (nanos: string | undefined) => (nanos ? Number(nanos) / 1e6 : 0);

export function toTraceRow(trace: TempoTraceSummary): TraceRow {
  const stats = Object.entries(trace.serviceStats ?? {});
  const services = stats
    .map(([name, s]) => ({ name, spanCount: s.spanCount ?? 0, errorCount: s.errorCount ?? 0 }))
    .sort((a, b) => b.spanCount - a.spanCount || a.name.localeCompare(b.name));
  const spanSets = trace.spanSets ?? (trace.spanSet ? [trace.spanSet] : []);
  const missingRoot = !trace.rootServiceName || trace.rootServiceName === ROOT_NOT_RECEIVED;
  return {
    traceId: trace.traceID,
    rootService: missingRoot ? undefined : trace.rootServiceName,
    rootName: missingRoot ? undefined : trace.rootTraceName,
    startMs: nanosToMs(trace.startTimeUnixNano),
    durationMs: trace.durationMs ?? 0,
    spanCount: stats.length ? services.reduce((n, s) => n + s.spanCount, 0) : undefined,
    matched: spanSets.reduce((n, set) => n + (set.matched ?? set.spans?.length ?? 0), 0),
    errorCount: services.reduce((n, s) => n + s.errorCount, 0),
    services,
    ...(trace.sampling ? { sampling: trace.sampling } : {}),
  };
}

export type SortKey = 'trace' | 'root' | 'start' | 'duration' | 'spans' | 'matched' | 'errors';
export type SortDirection = 'ascending' | 'descending';
export interface SortOrder {
  key: SortKey;
  direction: SortDirection;
}

/** The server's order: newest first. */
export const DEFAULT_SORT: SortOrder = { key: 'start', direction: 'descending' };

const compareBy: Record<SortKey, (a: TraceRow, b: TraceRow) => number> = {
  trace: (a, b) => a.traceId.localeCompare(b.traceId),
  root: (a, b) =>
    (a.rootService ?? '\uffff').localeCompare(b.rootService ?? '\uffff') ||
    (a.rootName ?? '').localeCompare(b.rootName ?? ''),
  start: (a, b) => a.startMs - b.startMs,
  duration: (a, b) => a.durationMs - b.durationMs,
  spans: (a, b) => (a.spanCount ?? -1) - (b.spanCount ?? -1),
  matched: (a, b) => a.matched - b.matched,
  errors: (a, b) => a.errorCount - b.errorCount,
};

/** A sorted copy; ties keep the server's order, so equal rows do not jump between sorts. */
export function sortRows(rows: readonly TraceRow[], order: SortOrder): TraceRow[] {
  const compare = compareBy[order.key];
  const sign = order.direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => sign * compare(a.row, b.row) || a.index - b.index)
    .map(({ row }) => row);
}

/** A column header click: the same column flips, another starts descending (biggest, newest first). */
export function nextSort(current: SortOrder, key: SortKey): SortOrder {
  if (current.key === key) {
    return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  }
  return { key, direction: key === 'trace' || key === 'root' ? 'ascending' : 'descending' };
}

/**
 * How long ago, coarsely: "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago".
 * @example formatAge(Date.now() - 90_000, Date.now()) === '1 min ago'
 */
export function formatAge(epochMs: number, nowMs: number): string {
  const seconds = Math.floor((nowMs - epochMs) / 1000);
  if (seconds < 0) return 'in the future';
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** "frontend: GET /checkout", or why there is no root yet. */
export function rootLabel(row: TraceRow): string {
  if (!row.rootService) return 'root span not yet received';
  return row.rootName ? `${row.rootService}: ${row.rootName}` : row.rootService;
}
