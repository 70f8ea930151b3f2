import { type KeyboardEvent, type PointerEvent, useRef } from 'react';
import { axisTicks, type TimeScale } from '../model/time-scale';
import { MAX_NAME_COLUMN, MIN_NAME_COLUMN, useViewStore } from '../state/view-store';

/** Column headings: the span column (resizable) and the time axis with its tick labels. */
export function TimelineHeader({ scale }: { scale: TimeScale }) {
  const nameColumn = useViewStore((s) => s.nameColumn);
  const setNameColumn = useViewStore((s) => s.setNameColumn);
  const ref = useRef<HTMLDivElement>(null);
  const ticks = axisTicks(scale, 6);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>) => {
    const box = ref.current?.getBoundingClientRect();
    if (!box) return;
    const target = event.currentTarget;
    target.setPointerCapture(event.pointerId);
    const move = (e: globalThis.PointerEvent) => setNameColumn((e.clientX - box.left) / box.width);
    const up = () => {
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowLeft') setNameColumn(nameColumn - 0.02);
    else if (event.key === 'ArrowRight') setNameColumn(nameColumn + 0.02);
    else return;
    event.preventDefault();
  };

  return (
    <div
      className="timeline-header"
      ref={ref}
      style={{ '--name-column': `${nameColumn * 100}%` } as React.CSSProperties}
    >
      <div className="timeline-header-name">Service &amp; operation</div>
      {/* biome-ignore lint/a11y/useSemanticElements: a focusable splitter (ARIA window-splitter pattern), not an <hr> */}
      <div
        className="column-resizer"
        role="separator"
        aria-orientation="vertical"
        aria-label="Resize span column"
        aria-valuemin={Math.round(MIN_NAME_COLUMN * 100)}
        aria-valuemax={Math.round(MAX_NAME_COLUMN * 100)}
        aria-valuenow={Math.round(nameColumn * 100)}
        tabIndex={0}
        onPointerDown={onPointerDown}
        onKeyDown={onKeyDown}
      />
      <div className="timeline-axis" aria-hidden="true">
        {ticks.map((tick) => (
          <span key={tick.label} className="tick" style={{ left: `${tick.fraction * 100}%` }}>
            {tick.label}
          </span>
        ))}
      </div>
    </div>
  );
}
