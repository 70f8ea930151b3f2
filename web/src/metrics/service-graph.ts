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

/** `0.004` → "0.4 % errors": the text beside the colour, for readers who cannot tell them apart. */
export function errorLabel(ratio: number): string {
  const percent = ratio * 100;
  return `${percent >= 10 || percent === 0 ? Math.round(percent) : percent.toFixed(1)} % errors`;
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
  /** Column: 0 for services nothing calls, then one more per hop. */
  depth: number;
  x: number;
  y: number;
  radius: number;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: (GraphEdge & { from: GraphNode; to: GraphNode })[];
  width: number;
  height: number;
}

const MIN_RADIUS = 8;
const MAX_RADIUS = 26;

/**
 * Columns by depth, left to right (callers before callees); within a column, by name.
 * Depth is the shortest hop count from a service nothing calls; services only reachable in a
 * cycle start at the alphabetically first of them. Node area grows with its rate.
 * Deterministic: the same edges always give the same picture.
 */
export function layoutServiceGraph(
  unsortedEdges: readonly GraphEdge[],
  size: { columnWidth: number; rowHeight: number; padding: number },
): GraphLayout {
  const edges = [...unsortedEdges].sort(
    (a, b) => a.client.localeCompare(b.client) || a.server.localeCompare(b.server),
  );
  const names = [...new Set(edges.flatMap((e) => [e.client, e.server]))].sort();
  const callees = new Map<string, string[]>(names.map((n) => [n, []]));
  const served = new Map<string, number>(names.map((n) => [n, 0]));
  const sent = new Map<string, number>(names.map((n) => [n, 0]));
  const called = new Set<string>();
  for (const e of edges) {
    callees.get(e.client)?.push(e.server);
    served.set(e.server, (served.get(e.server) ?? 0) + e.rate);
    sent.set(e.client, (sent.get(e.client) ?? 0) + e.rate);
    if (e.client !== e.server) called.add(e.server);
  }

  const depth = new Map<string, number>();
  const visit = (roots: string[]) => {
    const queue = roots.filter((r) => !depth.has(r));
    for (const r of queue) depth.set(r, 0);
    for (let i = 0; i < queue.length; i++) {
      const next = (depth.get(queue[i]) ?? 0) + 1;
      for (const callee of callees.get(queue[i]) ?? []) {
        if (depth.has(callee)) continue;
        depth.set(callee, next);
        queue.push(callee);
      }
    }
  };
  visit(names.filter((n) => !called.has(n)));
  for (const name of names) if (!depth.has(name)) visit([name]);

  const rateOf = (name: string) => (served.get(name) || sent.get(name)) ?? 0;
  const maxRate = Math.max(...names.map(rateOf), 0);
  const columns = new Map<number, string[]>();
  for (const name of names) {
    const d = depth.get(name) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), name]);
  }
  const tallest = Math.max(...[...columns.values()].map((c) => c.length), 1);
  const height = tallest * size.rowHeight + size.padding * 2;
  const nodes = new Map<string, GraphNode>();
  for (const [d, column] of columns) {
    const offset = (height - column.length * size.rowHeight) / 2;
    column.forEach((name, row) => {
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
  }
  const columnCount = Math.max(...columns.keys(), 0) + 1;
  return {
    nodes: names.map((n) => nodes.get(n) as GraphNode),
    edges: edges.map((e) => ({
      ...e,
      from: nodes.get(e.client) as GraphNode,
      to: nodes.get(e.server) as GraphNode,
    })),
    width: columnCount * size.columnWidth + size.padding * 2,
    height,
  };
}
