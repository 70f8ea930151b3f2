import { formatCount } from './format';
import { toEpochMs } from './nanos';
import type { ParsedTrace, Span } from './types';

/** Per-span flags in `TraceModel.flags`. */
export const FLAG_ERROR = 1; // status ERROR or an exception event
export const FLAG_ERROR_BELOW = 2; // some descendant has FLAG_ERROR
export const FLAG_SKEW = 4; // starts before its parent
export const FLAG_ORPHAN = 8; // parent ID not found in the trace
export const FLAG_DUPLICATE = 16; // span ID seen before
export const FLAG_CYCLE = 32; // parent links loop; the tree was cut here

export interface TraceStats {
  rootService: string;
  rootName: string;
  startEpochMs: number;
  durationNs: number;
  spanCount: number;
  serviceCount: number;
  /** Levels in the tree: a lone root has depth 1. */
  depth: number;
  errorCount: number;
  skewCount: number;
}

/**
 * A trace as a tree flattened in depth-first order. Index `i` everywhere means the i-th span in
 * that order; the descendants of `i` are exactly `i + 1 … subtreeEnd[i] - 1`.
 */
export interface TraceModel {
  traceId: string;
  baseSec: number;
  format: ParsedTrace['format'];
  partialMessage?: string;
  sampling?: ParsedTrace['sampling'];
  spans: readonly Span[];
  /** Parent index, -1 for roots. */
  parent: Int32Array;
  depth: Int32Array;
  /** Exclusive end of the subtree. */
  subtreeEnd: Int32Array;
  childCount: Int32Array;
  /** 1-based position among siblings (ARIA `aria-posinset`). */
  posInSet: Int32Array;
  rootCount: number;
  serviceIndex: Int32Array;
  services: string[];
  /** Start relative to the trace start, and duration, in nanoseconds. */
  offsetNs: Float64Array;
  durationNs: Float64Array;
  flags: Uint8Array;
  /** Indices with FLAG_ERROR, ascending. */
  errorIndices: Int32Array;
  /** Tree index of the (first) span with this ID, or -1. */
  indexOfSpan(spanId: string): number;
  stats: TraceStats;
  warnings: string[];
}

function hasExceptionEvent(span: Span): boolean {
  for (const event of span.events) if (event.name === 'exception') return true;
  return false;
}

/** Children of every span (and of a virtual root at index n) in CSR form, sorted by start time. */
function childLists(parentOf: Int32Array, start: Float64Array) {
  const n = parentOf.length;
  const offsets = new Int32Array(n + 2);
  for (let i = 0; i < n; i++) offsets[(parentOf[i] < 0 ? n : parentOf[i]) + 1]++;
  for (let k = 0; k <= n; k++) offsets[k + 1] += offsets[k];
  const cursor = offsets.slice();
  const children = new Int32Array(n);
  for (let i = 0; i < n; i++) children[cursor[parentOf[i] < 0 ? n : parentOf[i]]++] = i;
  const byStart = (a: number, b: number) => start[a] - start[b] || a - b;
  for (let k = 0; k <= n; k++) {
    const from = offsets[k];
    const to = offsets[k + 1];
    if (to - from > 16) children.subarray(from, to).sort(byStart);
    else if (to - from > 1) insertionSort(children, from, to, byStart);
  }
  return { offsets, children };
}

/** Most spans have a handful of children: sorting those in place beats a general sort. */
function insertionSort(a: Int32Array, from: number, to: number, compare: (x: number, y: number) => number) {
  for (let i = from + 1; i < to; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= from && compare(a[j], v) > 0) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/**
 * Builds the tree: links parents by ID, orders siblings by start time, flattens depth-first
 * (iteratively: deep traces cannot overflow a stack) and derives depth, subtree ranges, error
 * bubbling and statistics. O(n log n) for the sibling sort, linear otherwise. Orphans become
 * roots, duplicate IDs and parent cycles become warnings; the parsed spans are not modified.
 */
export function buildTraceModel(parsed: ParsedTrace): TraceModel {
  const input = parsed.spans;
  const n = input.length;
  const inFlags = new Uint8Array(n);
  const start = new Float64Array(n);
  const byId = new Map<string, number>();
  let duplicates = 0;
  for (let i = 0; i < n; i++) {
    start[i] = input[i].startNs;
    if (byId.has(input[i].spanId)) {
      inFlags[i] |= FLAG_DUPLICATE;
      duplicates++;
    } else byId.set(input[i].spanId, i);
  }
  const parentOf = new Int32Array(n).fill(-1);
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    const parentId = input[i].parentSpanId;
    if (parentId === '') continue;
    const j = byId.get(parentId);
    if (j === undefined || j === i) {
      inFlags[i] |= FLAG_ORPHAN;
      orphans++;
    } else parentOf[i] = j;
  }
  const { offsets, children } = childLists(parentOf, start);

  // Iterative pre-order DFS; each span is pushed once, so the stack never exceeds n.
  const order = new Int32Array(n);
  const pos = new Int32Array(n).fill(-1);
  const visited = new Uint8Array(n);
  const stack = new Int32Array(n);
  let out = 0;
  const visit = (root: number) => {
    let sp = 0;
    stack[sp++] = root;
    visited[root] = 1;
    while (sp > 0) {
      const v = stack[--sp];
      pos[v] = out;
      order[out++] = v;
      for (let c = offsets[v + 1] - 1; c >= offsets[v]; c--) {
        const child = children[c];
        if (!visited[child]) {
          visited[child] = 1;
          stack[sp++] = child;
        }
      }
    }
  };
  for (let c = offsets[n]; c < offsets[n + 1]; c++) visit(children[c]);
  // Whatever is left hangs off a parent cycle: climb to the cycle and cut it there.
  let cycles = 0;
  const walkMark = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (visited[i]) continue;
    let v = i;
    while (walkMark[v] !== i + 1) {
      walkMark[v] = i + 1;
      v = parentOf[v];
    }
    inFlags[v] |= FLAG_CYCLE;
    cycles++;
    visit(v);
  }

  const parent = new Int32Array(n);
  const depth = new Int32Array(n);
  const flags = new Uint8Array(n);
  const offsetNs = new Float64Array(n);
  const durationNs = new Float64Array(n);
  const serviceIndex = new Int32Array(n);
  const posInSet = new Int32Array(n);
  const childCount = new Int32Array(n);
  const spans: Span[] = new Array(n);
  const serviceByName = new Map<string, number>();
  const services: string[] = [];
  let traceStart = Number.POSITIVE_INFINITY;
  let traceEnd = Number.NEGATIVE_INFINITY;
  let rootCount = 0;
  let maxDepth = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const span = input[i];
    spans[k] = span;
    const p = (inFlags[i] & FLAG_CYCLE) !== 0 || parentOf[i] < 0 ? -1 : pos[parentOf[i]];
    parent[k] = p;
    depth[k] = p < 0 ? 0 : depth[p] + 1;
    if (depth[k] > maxDepth) maxDepth = depth[k];
    posInSet[k] = p < 0 ? ++rootCount : ++childCount[p];
    let f = inFlags[i];
    if (span.statusCode === 'ERROR' || hasExceptionEvent(span)) f |= FLAG_ERROR;
    if (p >= 0 && span.startNs < spans[p].startNs) f |= FLAG_SKEW;
    flags[k] = f;
    durationNs[k] = span.durationNs;
    traceStart = Math.min(traceStart, span.startNs);
    traceEnd = Math.max(traceEnd, span.startNs + span.durationNs);
    const service = span.resource.serviceName;
    let s = serviceByName.get(service);
    if (s === undefined) {
      s = services.length;
      services.push(service);
      serviceByName.set(service, s);
    }
    serviceIndex[k] = s;
  }

  // Reverse pre-order visits children before parents: subtree sizes and error bubbling in one pass.
  const subtreeEnd = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  let errorCount = 0;
  let skewCount = 0;
  for (let k = n - 1; k >= 0; k--) {
    subtreeEnd[k] = k + size[k];
    const p = parent[k];
    if (flags[k] & FLAG_ERROR) errorCount++;
    if (flags[k] & FLAG_SKEW) skewCount++;
    if (p >= 0) {
      size[p] += size[k];
      if (flags[k] & (FLAG_ERROR | FLAG_ERROR_BELOW)) flags[p] |= FLAG_ERROR_BELOW;
    }
  }
  const errorIndices = new Int32Array(errorCount);
  for (let k = 0, e = 0; k < n; k++) {
    offsetNs[k] = spans[k].startNs - traceStart;
    if (flags[k] & FLAG_ERROR) errorIndices[e++] = k;
  }
  const indexOfSpan = (spanId: string) => {
    const i = byId.get(spanId);
    return i === undefined ? -1 : pos[i];
  };

  const root = pickRoot(spans, parent, flags);
  const warnings: string[] = [];
  if (orphans > 0) {
    warnings.push(
      `${plural(orphans, 'span')} ${orphans === 1 ? 'refers' : 'refer'} to a parent that is not in the trace; shown at the top level.`,
    );
  }
  if (duplicates > 0)
    warnings.push(
      `${plural(duplicates, 'span ID')} ${duplicates === 1 ? 'appears' : 'appear'} more than once.`,
    );
  if (cycles > 0) warnings.push(`Parent links form ${plural(cycles, 'cycle')}; cut where marked.`);
  return {
    traceId: parsed.traceId,
    baseSec: parsed.baseSec,
    format: parsed.format,
    partialMessage: parsed.partialMessage,
    sampling: parsed.sampling,
    spans,
    parent,
    depth,
    subtreeEnd,
    childCount,
    posInSet,
    rootCount,
    serviceIndex,
    services,
    offsetNs,
    durationNs,
    flags,
    errorIndices,
    indexOfSpan,
    warnings,
    stats: {
      rootService: root >= 0 ? spans[root].resource.serviceName : '',
      rootName: root >= 0 ? spans[root].name : '',
      startEpochMs: n > 0 ? toEpochMs(parsed.baseSec, traceStart) : 0,
      durationNs: n > 0 ? traceEnd - traceStart : 0,
      spanCount: n,
      serviceCount: services.length,
      depth: n > 0 ? maxDepth + 1 : 0,
      errorCount,
      skewCount,
    },
  };
}

/** The first real root (no parent ID at all); failing that, the first top-level span. */
function pickRoot(spans: readonly Span[], parent: Int32Array, flags: Uint8Array): number {
  for (let k = 0; k < spans.length; k++) {
    if (parent[k] < 0 && !(flags[k] & (FLAG_ORPHAN | FLAG_CYCLE))) return k;
  }
  return spans.length > 0 ? 0 : -1;
}

/** "1 span", "3 spans". */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}
