import type { TraceModel } from './build-model';

/** The tree columns these functions need; both `TraceModel` and `TraceLayout` have them. */
export type TreeShape = Pick<TraceModel, 'parent' | 'childCount' | 'subtreeEnd'>;

/**
 * The rows to render, as span indices in tree order: everything except the descendants of
 * collapsed spans. With `onlyMatches`, just the matching spans (collapsing is then moot).
 * Linear in the number of spans; a collapsed subtree is skipped in one step via `subtreeEnd`.
 */
export function visibleRows(
  model: TreeShape,
  collapsed: ReadonlySet<number>,
  matches: Uint8Array | null,
  onlyMatches: boolean,
): Int32Array {
  const n = model.parent.length;
  const rows = new Int32Array(n);
  let count = 0;
  if (onlyMatches && matches) {
    for (let i = 0; i < n; i++) if (matches[i]) rows[count++] = i;
    return rows.slice(0, count);
  }
  let i = 0;
  while (i < n) {
    rows[count++] = i;
    i = collapsed.has(i) && model.childCount[i] > 0 ? model.subtreeEnd[i] : i + 1;
  }
  return rows.slice(0, count);
}

/** Every span that has children: what "collapse all" collapses. */
export function allParents(model: TreeShape): Set<number> {
  const parents = new Set<number>();
  for (let i = 0; i < model.parent.length; i++) if (model.childCount[i] > 0) parents.add(i);
  return parents;
}

/**
 * `collapsed` without the ancestors of `index`, so that span becomes visible. Returns the same set
 * when nothing changes. O(depth).
 */
export function expandAncestors(
  model: TreeShape,
  collapsed: ReadonlySet<number>,
  index: number,
): ReadonlySet<number> {
  let next: Set<number> | null = null;
  for (let p = model.parent[index]; p >= 0; p = model.parent[p]) {
    if (collapsed.has(p)) {
      next ??= new Set(collapsed);
      next.delete(p);
    }
  }
  return next ?? collapsed;
}

/** Position of span `index` among `rows` (binary search: rows ascend), or -1. */
export function rowOf(rows: Int32Array, index: number): number {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid] === index) return mid;
    if (rows[mid] < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The next (direction 1) or previous (-1) entry of the ascending `targets` after or before
 * `current`, wrapping around; -1 when `targets` is empty. Used for next/previous error and match.
 */
export function stepTo(targets: Int32Array, current: number, direction: 1 | -1): number {
  if (targets.length === 0) return -1;
  let lo = 0;
  let hi = targets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (targets[mid] <= current) lo = mid + 1;
    else hi = mid;
  }
  // lo = first target > current
  if (direction === 1) return targets[lo < targets.length ? lo : 0];
  const before = lo - 1 >= 0 && targets[lo - 1] === current ? lo - 2 : lo - 1;
  return targets[before >= 0 ? before : targets.length - 1];
}
