// @vitest-environment node
import {
  axisTicks,
  barGeometry,
  createTimeScale,
  durationLabelPlacement,
  eventFraction,
  FULL_WINDOW,
  isFullWindow,
  panWindow,
  windowFromDrag,
  zoomWindow,
} from './time-scale';

describe('time scale', () => {
  it('places bars as fractions of the visible window', () => {
    const scale = createTimeScale(100e6, FULL_WINDOW);
    expect(barGeometry(scale, 25e6, 50e6)).toEqual({ left: 0.25, width: 0.5, visible: true });
    const zoomed = createTimeScale(100e6, { start: 0.5, end: 1 });
    expect(barGeometry(zoomed, 75e6, 25e6)).toEqual({ left: 0.5, width: 0.5, visible: true });
    expect(barGeometry(zoomed, 0, 10e6).visible).toBe(false);
  });

  it('labels round ticks across the window', () => {
    const ticks = axisTicks(createTimeScale(100e6, FULL_WINDOW), 5);
    expect(ticks.map((t) => t.label)).toEqual(['0ns', '20ms', '40ms', '60ms', '80ms', '100ms']);
    expect(ticks[1].fraction).toBeCloseTo(0.2);
  });

  it('survives a zero-length trace', () => {
    const scale = createTimeScale(0, FULL_WINDOW);
    expect(barGeometry(scale, 0, 0).visible).toBe(true);
  });

  it('turns drags, zooms and pans into windows inside the trace', () => {
    expect(windowFromDrag(0.8, 0.2)).toEqual({ start: 0.2, end: 0.8 });
    expect(windowFromDrag(-1, 0.5)).toEqual({ start: 0, end: 0.5 });
    expect(windowFromDrag(0.3, 0.3)).toEqual(FULL_WINDOW);
    const zoomed = zoomWindow(FULL_WINDOW, 0.5);
    expect(zoomed.start).toBeCloseTo(0.25);
    expect(zoomed.end).toBeCloseTo(0.75);
    expect(panWindow(zoomed, 1)).toEqual({ start: 0.5, end: 1 });
    expect(isFullWindow(zoomWindow(zoomed, 10))).toBe(true);
  });

  it('puts duration labels where they fit', () => {
    expect(durationLabelPlacement({ left: 0.1, width: 0.3, visible: true })).toBe('right');
    expect(durationLabelPlacement({ left: 0.5, width: 0.45, visible: true })).toBe('left');
    expect(durationLabelPlacement({ left: 0, width: 1, visible: true })).toBe('inside');
  });

  it('positions events along their span', () => {
    expect(eventFraction(15, 10, 10)).toBe(0.5);
    expect(eventFraction(99, 10, 10)).toBe(1);
    expect(eventFraction(5, 10, 0)).toBe(0);
  });
});
