import { type Area, placeTooltip } from './tooltip-placement';

// A 1280 × 800 window with a chart container at its origin; the exemplar tooltip (280 × 220)
// opens 10 px beside a dot, its top 10 px above it.
const WINDOW: Area = { left: 0, top: 0, right: 1280, bottom: 800 };
const TOOLTIP = { width: 280, height: 220 };
const dotAt = (x: number, y: number, area = WINDOW) =>
  placeTooltip({ anchor: { x, y }, size: TOOLTIP, area, gap: 10, lift: 10 });

/** Whether the whole tooltip lies inside the area. */
const visible = (p: { left: number; top: number }, area = WINDOW) =>
  p.left >= area.left &&
  p.top >= area.top &&
  p.left + TOOLTIP.width <= area.right &&
  p.top + TOOLTIP.height <= area.bottom;

describe('tooltip placement', () => {
  it('opens right of a dot at the left edge and in the middle', () => {
    expect(dotAt(5, 300)).toEqual({ left: 15, top: 290, side: 'right', vertical: 'down' });
    expect(dotAt(640, 300)).toEqual({ left: 650, top: 290, side: 'right', vertical: 'down' });
  });

  it('flips to the left of a dot near the right edge, staying fully visible', () => {
    const placed = dotAt(1240, 300);
    expect(placed).toEqual({ left: 1240 - 10 - 280, top: 290, side: 'left', vertical: 'down' });
    expect(visible(placed)).toBe(true);
  });

  it('rises above a dot near the bottom edge', () => {
    const placed = dotAt(1240, 780);
    expect(placed).toMatchObject({ side: 'left', vertical: 'up', top: 780 + 10 - 220 });
    expect(visible(placed)).toBe(true);
  });

  it('stays inside the visible area that clips the chart, not just the window', () => {
    // The chart sits in a scrolled pane whose visible part starts 100 px above the container.
    const pane: Area = { left: 0, top: -100, right: 600, bottom: 150 };
    const placed = dotAt(400, 120, pane);
    expect(placed).toMatchObject({ side: 'left', vertical: 'up' });
    expect(visible(placed, pane)).toBe(true);
  });

  it('when neither side has room, takes the roomier one and shifts back into view', () => {
    const narrow: Area = { left: 0, top: 0, right: 400, bottom: 800 };
    const nearLeft = dotAt(150, 300, narrow);
    expect(nearLeft.side).toBe('right');
    expect(visible(nearLeft, narrow)).toBe(true);
    const nearRight = dotAt(250, 300, narrow);
    expect(nearRight.side).toBe('left');
    expect(visible(nearRight, narrow)).toBe(true);
  });

  it("keeps the crosshair's preference for the left on the right half, unless the left has no room", () => {
    const crosshair = (x: number) =>
      placeTooltip({ anchor: { x, y: 8 }, size: TOOLTIP, area: WINDOW, gap: 12, lift: 0, prefer: 'left' });
    expect(crosshair(900)).toMatchObject({ left: 900 - 12 - 280, top: 8, side: 'left' });
    expect(crosshair(200)).toMatchObject({ left: 212, side: 'right' });
  });
});
