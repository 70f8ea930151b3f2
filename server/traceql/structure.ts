import type { SearchSpan } from '../search-model/search-trace';
import type { StructuralOp } from './ast';

/**
 * A trace's parent/child links by span index, built once per trace and only for queries that
 * need them (structural operators, `span:childCount`).
 *
 * Relations follow `parentSpanId` among the spans present. A span whose parent is missing has no
 * parent and no siblings; its own subtree keeps its relations. (Tempo numbers spans as a nested
 * set from the root and relates nothing in a subtree cut off from it.)
 */
export interface TraceStructure {
  /** Index of each span's parent, or -1. */
  readonly parent: Int32Array;
  readonly childCount: Int32Array;
}

export function buildStructure(spans: readonly SearchSpan[]): TraceStructure {
  const n = spans.length;
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) if (!byId.has(spans[i].spanId)) byId.set(spans[i].spanId, i);
  const parent = new Int32Array(n);
  const childCount = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const id = spans[i].parentSpanId;
    const p = id === '' ? -1 : (byId.get(id) ?? -1);
    parent[i] = p === i ? -1 : p;
    if (parent[i] >= 0) childCount[parent[i]]++;
  }
  return { parent, childCount };
}

/**
 * The spans a structural operator returns, for sorted span indexes `left` and `right`; sorted.
 * Each relation is one pass over the spans (marks, not pairwise tests): a wide trace is a
 * thousand children of one parent, a deep one a chain of thousands.
 */
export function relate(
  op: StructuralOp,
  left: readonly number[],
  right: readonly number[],
  st: TraceStructure,
): number[] {
  switch (op) {
    case '>':
    case '<':
    case '>>':
    case '<<':
    case '~':
      return filterRight(right, related(op, left, st), true);
    case '!>':
    case '!<':
    case '!>>':
    case '!<<':
    case '!~':
      return filterRight(right, related(op.slice(1) as BaseOp, left, st), false);
    default: {
      // `&>`: right spans with a parent on the left, and left spans with a child on the right.
      const base = op.slice(1) as BaseOp;
      const fromRight = filterRight(right, related(base, left, st), true);
      const fromLeft = filterRight(left, related(CONVERSE[base], right, st), true);
      return mergeSorted(fromRight, fromLeft);
    }
  }
}

type BaseOp = '>' | '<' | '>>' | '<<' | '~';
const CONVERSE: Record<BaseOp, BaseOp> = { '>': '<', '<': '>', '>>': '<<', '<<': '>>', '~': '~' };

/** Whether span `i` stands in relation `op` to some span of `left` (`i` is a child of one, …). */
type Membership = (i: number) => boolean;

function related(op: BaseOp, left: readonly number[], st: TraceStructure): Membership {
  const { parent } = st;
  const n = parent.length;
  const inLeft = new Uint8Array(n);
  for (const l of left) inLeft[l] = 1;
  switch (op) {
    case '>':
      return (i) => parent[i] >= 0 && inLeft[parent[i]] === 1;
    case '<': {
      const isParent = new Uint8Array(n);
      for (const l of left) if (parent[l] >= 0) isParent[parent[l]] = 1;
      return (i) => isParent[i] === 1;
    }
    case '<<': {
      const isAncestor = new Uint8Array(n);
      for (const l of left) {
        // Stops at the first span already marked: its ancestors are too (and a cycle ends).
        for (let x = parent[l]; x >= 0 && isAncestor[x] === 0; x = parent[x]) isAncestor[x] = 1;
      }
      return (i) => isAncestor[i] === 1;
    }
    case '>>':
      return descendantOf(inLeft, parent);
    case '~': {
      const leftChildren = new Int32Array(n);
      for (const l of left) if (parent[l] >= 0) leftChildren[parent[l]]++;
      // A span is not its own sibling.
      return (i) => parent[i] >= 0 && leftChildren[parent[i]] - inLeft[i] > 0;
    }
  }
}

const UNKNOWN = 0;
const YES = 1;
const NO = 2;
const VISITING = 3;

/** Whether a span has a strict ancestor in `inLeft`; memoised along each walk up, so O(spans). */
function descendantOf(inLeft: Uint8Array, parent: Int32Array): Membership {
  const state = new Uint8Array(parent.length);
  const path: number[] = [];
  return (i) => {
    if (state[i] === YES || state[i] === NO) return state[i] === YES;
    let answer = NO;
    path.length = 0;
    path.push(i);
    state[i] = VISITING;
    for (let x = i; ; ) {
      const p = parent[x];
      if (p < 0) break;
      if (inLeft[p] === 1) {
        answer = YES;
        break;
      }
      if (state[p] !== UNKNOWN) {
        answer = state[p] === VISITING ? NO : state[p]; // VISITING: a parent cycle
        break;
      }
      state[p] = VISITING;
      path.push(p);
      x = p;
    }
    for (const x of path) state[x] = answer;
    return answer === YES;
  };
}

function filterRight(right: readonly number[], member: Membership, keep: boolean): number[] {
  const out: number[] = [];
  for (const r of right) if (member(r) === keep) out.push(r);
  return out;
}

/** The union of two sorted index lists, sorted, without duplicates. */
export function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a.slice();
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i] : Number.POSITIVE_INFINITY;
    const y = j < b.length ? b[j] : Number.POSITIVE_INFINITY;
    if (x <= y) {
      out.push(x);
      i++;
      if (x === y) j++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}
