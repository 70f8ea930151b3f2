import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from 'react';
import { usePreferences } from '../../state/preferences';
import { formatDuration } from '../model/format';
import type { TraceLayout } from '../model/layout';
import { drawMinimap } from '../model/minimap';
import {
  FULL_WINDOW,
  isFullWindow,
  panWindow,
  type ViewWindow,
  windowFromDrag,
  zoomWindow,
} from '../model/time-scale';
import { useViewStore } from '../state/view-store';

const HEIGHT = 48;

/**
 * The whole trace in miniature. Drag across it to zoom the waterfall's time axis to that window;
 * with the keyboard: + / - zoom, ← / → pan, 0 resets.
 */
export function Minimap({ layout, viewWindow }: { layout: TraceLayout; viewWindow: ViewWindow }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const setWindow = useViewStore((s) => s.setWindow);
  const theme = usePreferences((s) => s.theme);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    // The observer reports the first size after the page's own layout, so the first rows paint
    // without waiting for this canvas (reading clientWidth here would force a layout, then a draw).
    if (typeof ResizeObserver === 'undefined') {
      setWidth(box.clientWidth);
      return;
    }
    const observer = new ResizeObserver(() => setWidth(box.clientWidth));
    observer.observe(box);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(HEIGHT * ratio);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    // Redrawn when the theme changes: its error colour differs.
    const fallback = theme === 'light' ? '#e02f44' : '#f2495c';
    const errorColor = getComputedStyle(canvas).getPropertyValue('--color-error').trim() || fallback;
    drawMinimap(ctx, layout, width, HEIGHT, errorColor);
  }, [layout, width, theme]);

  const fractionAt = (event: PointerEvent) => {
    const box = boxRef.current?.getBoundingClientRect();
    return box && box.width > 0 ? (event.clientX - box.left) / box.width : 0;
  };
  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    event.currentTarget.setPointerCapture?.(event.pointerId);
    const at = fractionAt(event);
    setDrag({ from: at, to: at });
  };
  const onPointerMove = (event: PointerEvent) => {
    if (drag) setDrag({ from: drag.from, to: fractionAt(event) });
  };
  const onPointerUp = () => {
    if (drag && Math.abs(drag.to - drag.from) * width >= 3) setWindow(windowFromDrag(drag.from, drag.to));
    setDrag(null);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const step = (viewWindow.end - viewWindow.start) * 0.2;
    if (event.key === '+' || event.key === '=') setWindow(zoomWindow(viewWindow, 0.5));
    else if (event.key === '-') setWindow(zoomWindow(viewWindow, 2));
    else if (event.key === 'ArrowLeft') setWindow(panWindow(viewWindow, -step));
    else if (event.key === 'ArrowRight') setWindow(panWindow(viewWindow, step));
    else if (event.key === '0' || event.key === 'Escape') setWindow(FULL_WINDOW);
    else return;
    event.preventDefault();
  };

  const zoomed = !isFullWindow(viewWindow);
  const shown = drag ? windowFromDrag(drag.from, drag.to) : viewWindow;
  const total = layout.stats.durationNs;
  return (
    <div className="minimap-row">
      <div
        ref={boxRef}
        className="minimap"
        role="slider"
        tabIndex={0}
        aria-label="Trace minimap: drag to zoom the time axis"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(viewWindow.start * 100)}
        aria-valuetext={`Showing ${formatDuration(viewWindow.start * total)} to ${formatDuration(viewWindow.end * total)}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onKeyDown={onKeyDown}
      >
        <canvas ref={canvasRef} style={{ width: '100%', height: HEIGHT }} />
        <div className="minimap-shade" style={{ left: 0, width: `${shown.start * 100}%` }} />
        <div className="minimap-shade" style={{ left: `${shown.end * 100}%`, right: 0 }} />
        <div
          className="minimap-window"
          style={{ left: `${shown.start * 100}%`, width: `${(shown.end - shown.start) * 100}%` }}
        />
      </div>
      <button
        type="button"
        className="button button--ghost"
        disabled={!zoomed}
        onClick={() => setWindow(FULL_WINDOW)}
      >
        Reset zoom
      </button>
    </div>
  );
}
