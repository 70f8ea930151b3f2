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

/** Start and side along one axis: the wanted side if it fits, else the other, else the roomier. */
function along(
  wanted: 'before' | 'after',
  after: { start: number; fits: boolean; room: number },
  before: { start: number; fits: boolean; room: number },
): { start: number; side: 'before' | 'after' } {
  const [first, second] =
    wanted === 'after' ? (['after', 'before'] as const) : (['before', 'after'] as const);
  const option = { after, before };
  if (option[first].fits) return { start: option[first].start, side: first };
  if (option[second].fits) return { start: option[second].start, side: second };
  const side = option[first].room >= option[second].room ? first : second;
  return { start: option[side].start, side };
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
  const right = anchor.x + gap;
  const left = anchor.x - gap - size.width;
  const horizontal = along(
    input.prefer === 'left' ? 'before' : 'after',
    { start: right, fits: right + size.width <= area.right, room: area.right - anchor.x },
    { start: left, fits: left >= area.left, room: anchor.x - area.left },
  );
  const down = anchor.y - lift;
  const up = anchor.y + lift - size.height;
  const vertical = along(
    'after',
    {
      start: down,
      fits: down >= area.top && down + size.height <= area.bottom,
      room: area.bottom - anchor.y,
    },
    { start: up, fits: up >= area.top && up + size.height <= area.bottom, room: anchor.y - area.top },
  );
  return {
    left: clamp(horizontal.start, size.width, area.left, area.right),
    top: clamp(vertical.start, size.height, area.top, area.bottom),
    side: horizontal.side === 'after' ? 'right' : 'left',
    vertical: vertical.side === 'after' ? 'down' : 'up',
  };
}
