import { FLAG_ERROR, type TraceModel } from './build-model';
import { serviceColor } from './colors';

/** The part of CanvasRenderingContext2D the minimap uses (a fake one in tests). */
export interface MinimapContext {
  fillStyle: string | CanvasGradient | CanvasPattern;
  clearRect(x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
}

const ERROR = -2;
const EMPTY = -1;

/**
 * Draws the whole trace: x is time, y is the row in tree order. With more spans than pixel rows,
 * each pixel row is rasterised first (errors win over service colours) and drawn as runs, so
 * 100k spans cost a few hundred rectangles rather than 100k. Linear in spans plus bar pixels.
 * @returns how many rectangles were drawn
 */
export function drawMinimap(
  ctx: MinimapContext,
  model: Pick<
    TraceModel,
    'parent' | 'flags' | 'serviceIndex' | 'services' | 'offsetNs' | 'durationNs' | 'stats'
  >,
  width: number,
  height: number,
  errorColor: string,
): number {
  ctx.clearRect(0, 0, width, height);
  const n = model.parent.length;
  const total = model.stats.durationNs > 0 ? model.stats.durationNs : 1;
  const colors = model.services.map(serviceColor);
  const colorOf = (i: number) => (model.flags[i] & FLAG_ERROR ? ERROR : model.serviceIndex[i]);
  let current = EMPTY;
  let drawn = 0;
  const fill = (color: number, x: number, y: number, w: number, h: number) => {
    if (color !== current) {
      ctx.fillStyle = color === ERROR ? errorColor : colors[color];
      current = color;
    }
    ctx.fillRect(x, y, w, h);
    drawn++;
  };

  const rows = Math.max(1, Math.floor(height));
  if (n <= rows) {
    const rowHeight = height / Math.max(n, 1);
    for (let i = 0; i < n; i++) {
      const x = (model.offsetNs[i] / total) * width;
      fill(colorOf(i), x, i * rowHeight, Math.max(1, (model.durationNs[i] / total) * width), rowHeight);
    }
    return drawn;
  }

  const columns = Math.max(1, Math.ceil(width));
  const line = new Int32Array(columns);
  for (let y = 0; y < rows; y++) {
    line.fill(EMPTY);
    const to = Math.floor(((y + 1) * n) / rows);
    for (let i = Math.floor((y * n) / rows); i < to; i++) {
      const color = colorOf(i);
      const x0 = Math.min(columns - 1, Math.floor((model.offsetNs[i] / total) * columns));
      const x1 = Math.min(
        columns,
        Math.max(x0 + 1, Math.ceil(((model.offsetNs[i] + model.durationNs[i]) / total) * columns)),
      );
      for (let x = x0; x < x1; x++) if (line[x] !== ERROR) line[x] = color;
    }
    let start = 0;
    for (let x = 1; x <= columns; x++) {
      if (x < columns && line[x] === line[start]) continue;
      if (line[start] !== EMPTY)
        fill(
          line[start],
          (start / columns) * width,
          (y / rows) * height,
          ((x - start) / columns) * width,
          height / rows,
        );
      start = x;
    }
  }
  return drawn;
}
