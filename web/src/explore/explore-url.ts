import { globalParams } from '../state/url-state';

/**
 * Explore's URL: `/explore?left=<pane>&right=<pane>` plus each pane type's own parameters, so a
 * split view survives reload and can be shared. At most one pane of each type:
 *   trace:   `traceId`, and the trace view's own `span`, filter params
 *   logs:    `logs` (a LogQL query)
 *   metrics: `metrics` (PromQL, repeatable: one chart per query), `mds` (data source uid)
 *   search:  `search` (a TraceQL query), `searchLimit`
 * The global `from`/`to`/`tenant` apply to every pane.
 */
export type PaneType = 'trace' | 'logs' | 'metrics' | 'search';
export const PANE_TYPES: readonly PaneType[] = ['trace', 'logs', 'metrics', 'search'];

export interface TracePaneState {
  type: 'trace';
  traceId: string;
  spanId?: string;
}
export interface LogsPaneState {
  type: 'logs';
  query: string;
}
export interface MetricsPaneState {
  type: 'metrics';
  queries: string[];
  /** Metrics data source uid; undefined = Loupe's own. */
  datasource?: string;
}
export interface SearchPaneState {
  type: 'search';
  query: string;
  /** Traces to ask for; undefined = the search's default (the pane checks the value). */
  limit?: number;
}
export type PaneState = TracePaneState | LogsPaneState | MetricsPaneState | SearchPaneState;

function isPaneType(value: string | null): value is PaneType {
  return value !== null && (PANE_TYPES as readonly string[]).includes(value);
}

/** `{ [key]: n }` for a positive integer, `{}` otherwise, so absent stays absent. */
function positiveInt<K extends string>(text: string | null, key: K): { [P in K]?: number } {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? ({ [key]: n } as { [P in K]?: number }) : {};
}

function readPane(type: PaneType, params: URLSearchParams): PaneState {
  switch (type) {
    case 'trace':
      return { type, traceId: params.get('traceId') ?? '', spanId: params.get('span') ?? undefined };
    case 'logs':
      return { type, query: params.get('logs') ?? '' };
    case 'metrics':
      return { type, queries: params.getAll('metrics'), datasource: params.get('mds') ?? undefined };
    case 'search':
      return { type, query: params.get('search') ?? '', ...positiveInt(params.get('searchLimit'), 'limit') };
  }
}

/** The panes an Explore URL describes (left first); a missing or unknown `left` means logs. */
export function readPanes(params: URLSearchParams): PaneState[] {
  const left = params.get('left');
  const right = params.get('right');
  const panes = [readPane(isPaneType(left) ? left : 'logs', params)];
  if (isPaneType(right) && right !== panes[0].type) panes.push(readPane(right, params));
  return panes;
}

function writePane(params: URLSearchParams, pane: PaneState): void {
  switch (pane.type) {
    case 'trace':
      params.set('traceId', pane.traceId);
      if (pane.spanId) params.set('span', pane.spanId);
      return;
    case 'logs':
      params.set('logs', pane.query);
      return;
    case 'metrics':
      for (const query of pane.queries) params.append('metrics', query);
      if (pane.datasource) params.set('mds', pane.datasource);
      return;
    case 'search':
      params.set('search', pane.query);
      if (pane.limit) params.set('searchLimit', String(pane.limit));
      return;
  }
}

/**
 * Link to Explore with these panes, keeping the global parameters of `current`.
 * @example exploreHref([{ type: 'logs', query: '{a="b"}' }, { type: 'trace', traceId: 'ab' }], new URLSearchParams())
 *   === '/explore?left=logs&logs=%7Ba%3D%22b%22%7D&right=trace&traceId=ab'
 */
export function exploreHref(panes: readonly PaneState[], current: URLSearchParams): string {
  const params = globalParams(current);
  const [left, right] = panes;
  params.set('left', left.type);
  writePane(params, left);
  if (right && right.type !== left.type) {
    params.set('right', right.type);
    writePane(params, right);
  }
  return `/explore?${params.toString()}`;
}

/** The trace view's own parameters (see `url-state.ts`): kept while the same trace stays open. */
const TRACE_VIEW_PARAMS = ['span', 'service', 'op', 'attr', 'minDur', 'errors', 'only', 'ds'];
const PANE_PARAMS: Record<PaneType, readonly string[]> = {
  trace: ['traceId', ...TRACE_VIEW_PARAMS],
  logs: ['logs'],
  metrics: ['metrics', 'mds'],
  search: ['search', 'searchLimit'],
};

/**
 * A copy of `current` showing `panes` instead of `previous` (by default the panes `current`
 * describes). Unlike `exploreHref` it keeps everything else, and a trace that stays open keeps its
 * selection and filter.
 */
export function withPanes(
  current: URLSearchParams,
  panes: readonly PaneState[],
  previous: readonly PaneState[] = readPanes(current),
): URLSearchParams {
  const next = new URLSearchParams(current);
  const before = previous.find((p) => p.type === 'trace');
  const after = panes.find((p) => p.type === 'trace');
  const sameTrace = before?.type === 'trace' && after?.type === 'trace' && before.traceId === after.traceId;
  next.delete('left');
  next.delete('right');
  for (const type of PANE_TYPES) {
    for (const name of PANE_PARAMS[type]) {
      if (!(sameTrace && TRACE_VIEW_PARAMS.includes(name))) next.delete(name);
    }
  }
  const [left, right] = panes;
  next.set('left', left.type);
  writePane(next, left);
  if (right && right.type !== left.type) {
    next.set('right', right.type);
    writePane(next, right);
  }
  return next;
}

/**
 * The panes after opening `target` beside `source` (Grafana's split on a link): `source` keeps its
 * place (replacing the open pane of its type), `target` takes the other one.
 * @example besidePanes([{type:'logs',query:'{a="b"}'}], logs, trace) → [logs, trace]
 */
export function besidePanes(
  current: readonly PaneState[],
  source: PaneState,
  target: PaneState,
): PaneState[] {
  if (source.type === target.type) return [target];
  const sourceAt = current.findIndex((p) => p.type === source.type);
  return sourceAt === 1 ? [target, source] : [source, target];
}
