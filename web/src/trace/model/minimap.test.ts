// @vitest-environment node
import { syntheticTrace, traceOf } from '../../../test/trace-builders';
import { buildTraceModel } from './build-model';
import { serviceColor } from './colors';
import { drawMinimap, type MinimapContext } from './minimap';

function recorder() {
  const rects: { x: number; y: number; w: number; h: number; fill: string }[] = [];
  let fillChanges = 0;
  const ctx: MinimapContext = {
    fillStyle: '',
    clearRect() {},
    fillRect(x, y, w, h) {
      rects.push({ x, y, w, h, fill: String(ctx.fillStyle) });
    },
  };
  return {
    rects,
    get fillChanges() {
      return fillChanges;
    },
    ctx: new Proxy(ctx, {
      set(target, prop, value) {
        if (prop === 'fillStyle') fillChanges++;
        return Reflect.set(target, prop, value);
      },
    }),
  };
}

describe('drawMinimap', () => {
  it('draws one bar per span, in its service colour, errors in red', () => {
    const model = buildTraceModel(
      traceOf([
        ['a', '', 'web', 0, 100],
        ['b', 'a', 'api', 50, 50, { statusCode: 'ERROR' }],
      ]),
    );
    const r = recorder();
    drawMinimap(r.ctx, model, 200, 40, 'red');
    expect(r.rects).toEqual([
      { x: 0, y: 0, w: 200, h: 20, fill: serviceColor('web') },
      { x: 100, y: 20, w: 100, h: 20, fill: 'red' },
    ]);
  });

  it('sets the colour only when it changes', () => {
    const model = buildTraceModel(
      traceOf([
        ['a', '', 'web', 0, 100],
        ['b', 'a', 'web', 10, 10],
        ['c', 'a', 'web', 20, 10],
        ['d', 'a', 'api', 30, 10],
      ]),
    );
    const r = recorder();
    drawMinimap(r.ctx, model, 100, 40, 'red');
    expect(r.fillChanges).toBe(2);
  });

  it('rasterises 100,000 spans into a few runs per pixel row, errors on top', () => {
    const model = buildTraceModel(syntheticTrace(100_000, 5));
    const r = recorder();
    const drawn = drawMinimap(r.ctx, model, 800, 48, 'red');
    expect(drawn).toBe(r.rects.length);
    expect(drawn).toBeLessThan(48 * 800);
    // Every pixel row holds spans, so every row gets paint; nothing is drawn outside the canvas.
    expect(new Set(r.rects.map((rect) => rect.y)).size).toBe(48);
    for (const rect of r.rects) {
      expect(rect.x + rect.w).toBeLessThanOrEqual(800 + 1e-9);
      expect(rect.y + rect.h).toBeLessThanOrEqual(48 + 1e-9);
    }
    expect(r.rects.some((rect) => rect.fill === 'red')).toBe(true);
    // The root spans the whole trace: the first row starts at x = 0.
    expect(r.rects[0]).toMatchObject({ x: 0, y: 0 });
  });
});
