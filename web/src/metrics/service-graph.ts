import type { MatrixSeries } from './prometheus-api';

/** One caller → callee edge, with its average rates over the time range (per second). */
export interface GraphEdge {
  client: string;
  server: string;
  rate: number;
  failedRate: number;
  /** failed / total, 0 when there were no requests. */
  errorRatio: number;
}

export type ErrorLevel = 'ok' | 'warn' | 'bad';

/** Green under 1 % failed, amber under 5 %, red from 5 %. */
export function errorLevel(ratio: number): ErrorLevel {
  if (ratio < 0.01) return 'ok';
  if (ratio < 0.05) return 'warn';
  return 'bad';
}

/** `0.004` → "0.4": a percentage to one decimal under 10 %, whole from there. */
export function errorPercent(ratio: number): string {
  const percent = ratio * 100;
  return `${percent >= 10 || percent === 0 ? Math.round(percent) : percent.toFixed(1)}`;
}

/** `0.004` → "0.4 % errors": the text beside the colour, for readers who cannot tell them apart. */
export function errorLabel(ratio: number): string {
  return `${errorPercent(ratio)} % errors`;
}

function meanValue(series: MatrixSeries): number {
  let sum = 0;
  let count = 0;
  for (const [, text] of series.values) {
    const v = Number.parseFloat(text);
    if (Number.isFinite(v)) {
      sum += v;
      count += 1;
    }
  }
  return count ? sum / count : 0;
}

const edgeKey = (client: string, server: string) => `${client}\u0000${server}`;

/**
 * Edges from the range results of the request and failed-request queries (by client, server):
 * each rate is the mean over the range. Series without both labels are ignored.
 */
export function buildEdges(requests: readonly MatrixSeries[], failed: readonly MatrixSeries[]): GraphEdge[] {
  const failedRates = new Map<string, number>();
  for (const series of failed) {
    const { client, server } = series.metric;
    if (client && server) failedRates.set(edgeKey(client, server), meanValue(series));
  }
  const edges: GraphEdge[] = [];
  for (const series of requests) {
    const { client, server } = series.metric;
    if (!client || !server) continue;
    const rate = meanValue(series);
    const failedRate = failedRates.get(edgeKey(client, server)) ?? 0;
    edges.push({
      client,
      server,
      rate,
      failedRate,
      errorRatio: rate > 0 ? Math.min(failedRate / rate, 1) : 0,
    });
  }
  return edges.sort((a, b) => a.client.localeCompare(b.client) || a.server.localeCompare(b.server));
}

export interface GraphNode {
  name: string;
  /** Requests per second it served, or (for a pure client) sent. */
  rate: number;
  /** Column: 0 for services nothing calls, then the longest chain of calls that reaches it. */
  depth: number;
  x: number;
  y: number;
  radius: number;
}

export type LaidOutEdge = GraphEdge & { from: GraphNode; to: GraphNode };

export interface GraphLayout {
  nodes: GraphNode[];
  edges: LaidOutEdge[];
  width: number;
}

export interface GraphSize {
  columnWidth: number;
  rowHeight: number;
  padding: number;
}

const MIN_RADIUS = 8;
const MAX_RADIUS = 26;

/**
 * Each service's column: the length of the longest chain of calls reaching it from a service
 * nothing calls, so every caller stands left of all its callees (a service called both by the
 * frontend and by one of the frontend's callees goes right of both). Calls that close a cycle,
 * found by a depth-first walk from the roots in name order, and self-calls do not count; services
 * only reachable in a cycle start at the alphabetically first of them. Iterative: no recursion.
 */
function columnsOf(names: readonly string[], callees: Map<string, string[]>, roots: readonly string[]) {
  const state = new Map<string, 'open' | 'done'>();
  const closesCycle = new Set<string>();
  const finished: string[] = [];
  for (const start of [...roots, ...names]) {
    if (state.has(start)) continue;
    state.set(start, 'open');
    const stack: { name: string; next: number }[] = [{ name: start, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const callee = callees.get(top.name)?.[top.next++];
      if (callee === undefined) {
        state.set(top.name, 'done');
        finished.push(top.name);
        stack.pop();
      } else if (state.get(callee) === 'open') {
        closesCycle.add(edgeKey(top.name, callee));
      } else if (!state.has(callee)) {
        state.set(callee, 'open');
        stack.push({ name: callee, next: 0 });
      }
    }
  }
  // Reverse finishing order is a topological order of the calls that close no cycle.
  const depth = new Map<string, number>(names.map((n) => [n, 0]));
  for (const name of finished.reverse()) {
    const next = (depth.get(name) ?? 0) + 1;
    for (const callee of callees.get(name) ?? []) {
      if (callee === name || closesCycle.has(edgeKey(name, callee))) continue;
      if ((depth.get(callee) ?? 0) < next) depth.set(callee, next);
    }
  }
  return depth;
}

/**
 * Columns by depth, left to right (callers before callees). Within a column, services sit in the
 * order of the mean height of their callers in earlier columns, so fan-outs do not cross, then by
 * name. Node area grows with its rate. Deterministic: the same edges always give the same picture.
 */
export function layoutServiceGraph(unsortedEdges: readonly GraphEdge[], size: GraphSize): GraphLayout {
  const edges = [...unsortedEdges].sort(
    (a, b) => a.client.localeCompare(b.client) || a.server.localeCompare(b.server),
  );
  const names = [...new Set(edges.flatMap((e) => [e.client, e.server]))].sort();
  const callees = new Map<string, string[]>(names.map((n) => [n, []]));
  const callers = new Map<string, string[]>(names.map((n) => [n, []]));
  const served = new Map<string, number>(names.map((n) => [n, 0]));
  const sent = new Map<string, number>(names.map((n) => [n, 0]));
  for (const e of edges) {
    callees.get(e.client)?.push(e.server);
    callers.get(e.server)?.push(e.client);
    served.set(e.server, (served.get(e.server) ?? 0) + e.rate);
    sent.set(e.client, (sent.get(e.client) ?? 0) + e.rate);
  }
  const roots = names.filter((n) => (callers.get(n) ?? []).every((caller) => caller === n));
  const depth = columnsOf(names, callees, roots);

  const rateOf = (name: string) => (served.get(name) || sent.get(name)) ?? 0;
  const maxRate = Math.max(...names.map(rateOf), 0);
  // Depths are contiguous: a service at depth d > 0 has a caller at depth d - 1.
  const columns = Array.from({ length: Math.max(...depth.values(), 0) + 1 }, (_, d) =>
    names.filter((n) => depth.get(n) === d),
  );
  const tallest = Math.max(...columns.map((c) => c.length), 1);
  const height = tallest * size.rowHeight + size.padding * 2;
  const nodes = new Map<string, GraphNode>();
  columns.forEach((column, d) => {
    const meanCallerY = (name: string) => {
      const placed = (callers.get(name) ?? []).flatMap((c) => nodes.get(c)?.y ?? []);
      return placed.length ? placed.reduce((sum, y) => sum + y, 0) / placed.length : 0;
    };
    const order = column
      .map((name) => ({ name, at: meanCallerY(name) }))
      .sort((a, b) => a.at - b.at || a.name.localeCompare(b.name));
    const offset = (height - column.length * size.rowHeight) / 2;
    order.forEach(({ name }, row) => {
      const rate = rateOf(name);
      const share = maxRate > 0 ? Math.sqrt(rate / maxRate) : 0;
      nodes.set(name, {
        name,
        rate,
        depth: d,
        x: size.padding + d * size.columnWidth + size.columnWidth / 2,
        y: offset + row * size.rowHeight + size.rowHeight / 2,
        radius: MIN_RADIUS + share * (MAX_RADIUS - MIN_RADIUS),
      });
    });
  });
  return {
    nodes: names.map((n) => nodes.get(n) as GraphNode),
    edges: edges.map((e) => ({
      ...e,
      from: nodes.get(e.client) as GraphNode,
      to: nodes.get(e.server) as GraphNode,
    })),
    width: columns.length * size.columnWidth + size.padding * 2,
  };
}
