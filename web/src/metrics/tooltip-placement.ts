/** A rectangle by its edges, in the pixels of a tooltip's positioned container. */
export interface Area {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface TooltipPlacementInput {
  /** The point the tooltip is about: an exemplar dot, or the top of the crosshair. */
  anchor: { x: number; y: number };
  /** The tooltip's measured size. */
  size: { width: number; height: number };
  /** What the user can see of the container: the viewport and every clipping ancestor. */
  area: Area;
  /** Horizontal distance between the anchor and the tooltip's near edge. */
  gap: number;
  /** How far above the anchor the tooltip's top sits when it hangs down (below it when it rises). */
  lift: number;
  /** The side tried first. */
  prefer?: 'left' | 'right';
}

export interface TooltipPlacement {
  left: number;
  top: number;
  side: 'left' | 'right';
  vertical: 'down' | 'up';
}

/** One way to place the tooltip along an axis: where it starts, and whether it fits there. */
interface Option<Side> {
  side: Side;
  start: number;
  fits: boolean;
  /** Space between the anchor and the area's edge on this side. */
  room: number;
}

/** The first option if it fits, else the second, else the roomier (the first on a tie). */
function pick<Side>(first: Option<Side>, second: Option<Side>): Option<Side> {
  if (first.fits) return first;
  if (second.fits) return second;
  return first.room >= second.room ? first : second;
}

const clamp = (start: number, length: number, min: number, max: number) =>
  Math.max(min, Math.min(start, max - length));

/**
 * Where a tooltip goes beside a point so that all of it stays visible: on the preferred side
 * (right unless told) `gap` away from the point, flipped to the other side when it would cross
 * the area's edge there; hanging down from `lift` above the point, flipped to rise from `lift`
 * below it when it would cross the bottom. When neither side fits, the roomier side, shifted back
 * inside the area (the left and top edges win when the tooltip is larger than the area).
 *
 * @example
 * // A dot 20 px from the right edge of an 800 px wide chart: the tooltip opens to its left.
 * placeTooltip({ anchor: { x: 780, y: 50 }, size: { width: 200, height: 80 },
 *   area: { left: 0, top: 0, right: 800, bottom: 600 }, gap: 10, lift: 10 })
 * // → { left: 570, top: 40, side: 'left', vertical: 'down' }
 */
export function placeTooltip(input: TooltipPlacementInput): TooltipPlacement {
  const { anchor, size, area, gap, lift } = input;
  const [right, left, down, up] = [
    anchor.x + gap,
    anchor.x - gap - size.width,
    anchor.y - lift,
    anchor.y + lift - size.height,
  ];
  type Across = Option<'left' | 'right'>;
  const toRight: Across = {
    side: 'right',
    start: right,
    fits: right + size.width <= area.right,
    room: area.right - anchor.x,
  };
  const toLeft: Across = { side: 'left', start: left, fits: left >= area.left, room: anchor.x - area.left };
  const horizontal = input.prefer === 'left' ? pick(toLeft, toRight) : pick(toRight, toLeft);
  const fitsVertically = (top: number) => top >= area.top && top + size.height <= area.bottom;
  const vertical = pick<'down' | 'up'>(
    { side: 'down', start: down, fits: fitsVertically(down), room: area.bottom - anchor.y },
    { side: 'up', start: up, fits: fitsVertically(up), room: anchor.y - area.top },
  );
  return {
    left: clamp(horizontal.start, size.width, area.left, area.right),
    top: clamp(vertical.start, size.height, area.top, area.bottom),
    side: horizontal.side,
    vertical: vertical.side,
  };
}
