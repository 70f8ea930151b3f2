/** Plane geometry of the service graph: boxes, the curves of calls, and where they meet. */
import type { GraphNode } from './service-graph';

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A cubic Bézier curve: its start, two control points and its end. */
export type Curve = readonly [Point, Point, Point, Point];

/** A box of `width` × `height` centred on (x, y). */
export const centredBox = (x: number, y: number, width: number, height: number): Box => ({
  left: x - width / 2,
  top: y - height / 2,
  right: x + width / 2,
  bottom: y + height / 2,
});

/** Whether two boxes come closer than `gap` pixels. */
export function boxesOverlap(a: Box, b: Box, gap = 0): boolean {
  return a.left < b.right + gap && b.left < a.right + gap && a.top < b.bottom + gap && b.top < a.bottom + gap;
}

/**
 * A call's curve: from the right of the caller to the left of the callee, a loop above a service
 * calling itself, or an arch over the top of both for a call back to the left (a cycle).
 */
export function edgeCurve(from: GraphNode, to: GraphNode, rowHeight: number): Curve {
  if (from === to) {
    const { x, y, radius: r } = from;
    return [
      { x: x - r / 2, y: y - r },
      { x: x - r * 2, y: y - r * 4 },
      { x: x + r * 2, y: y - r * 4 },
      { x: x + r / 2, y: y - r },
    ];
  }
  if (to.x <= from.x) {
    const lift = Math.min(from.y - from.radius, to.y - to.radius) - rowHeight / 2 - (from.x - to.x) / 10;
    return [
      { x: from.x, y: from.y - from.radius },
      { x: from.x, y: lift },
      { x: to.x, y: lift },
      { x: to.x, y: to.y - to.radius },
    ];
  }
  const x1 = from.x + from.radius;
  const x2 = to.x - to.radius;
  const bend = Math.max((x2 - x1) / 2, 30);
  return [
    { x: x1, y: from.y },
    { x: x1 + bend, y: from.y },
    { x: x2 - bend, y: to.y },
    { x: x2, y: to.y },
  ];
}

/** The SVG path data of a curve. */
export function curvePath([p0, p1, p2, p3]: Curve): string {
  const r = (n: number) => Math.round(n * 10) / 10;
  return `M${r(p0.x)},${r(p0.y)} C${r(p1.x)},${r(p1.y)} ${r(p2.x)},${r(p2.y)} ${r(p3.x)},${r(p3.y)}`;
}

/** The point at `t` (0 = start, 1 = end) along a curve. */
export function pointOnCurve([p0, p1, p2, p3]: Curve, t: number): Point {
  const u = 1 - t;
  const [a, b, c, d] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
  return { x: a * p0.x + b * p1.x + c * p2.x + d * p3.x, y: a * p0.y + b * p1.y + c * p2.y + d * p3.y };
}

const SAMPLES = 24;
/** Points along a curve, ends included: a polyline close enough to test crossings on. */
export const sampleCurve = (curve: Curve) =>
  Array.from({ length: SAMPLES }, (_, i) => pointOnCurve(curve, i / (SAMPLES - 1)));

/** Whether the segment from `a` to `b` passes through `box` (Liang–Barsky clipping). */
function segmentCrossesBox(a: Point, b: Point, box: Box): boolean {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  let enter = 0;
  let leave = 1;
  const sides: [number, number][] = [
    [-dx, a.x - box.left],
    [dx, box.right - a.x],
    [-dy, a.y - box.top],
    [dy, box.bottom - a.y],
  ];
  for (const [p, q] of sides) {
    if (p === 0) {
      if (q < 0) return false;
    } else if (p < 0) {
      enter = Math.max(enter, q / p);
    } else {
      leave = Math.min(leave, q / p);
    }
    if (enter > leave) return false;
  }
  return true;
}

/** Whether a polyline passes through `box`. */
export const crossesBox = (points: readonly Point[], box: Box) =>
  points.some((p, i) => i > 0 && segmentCrossesBox(points[i - 1], p, box));
