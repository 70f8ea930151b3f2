import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { PaneOpener } from './DerivedLinkAnchor';
import type { CompiledField } from './derived-fields';
import type { LogRow } from './log-rows';
import { useLogRowRenderer } from './use-log-row-renderer';

/** A collapsed row's height before it is measured. */
const ESTIMATED_ROW_HEIGHT = 24;

/**
 * The lines as a virtualised list: only those in view are in the DOM, so 1,000 lines (or more)
 * scroll smoothly. Rows are measured, since a long line wraps and details make a row taller.
 */
export function LogRowsList({
  rows,
  fields,
  opener,
}: {
  rows: LogRow[];
  fields: readonly CompiledField[];
  opener: PaneOpener;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const renderRow = useLogRowRenderer(fields, opener);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_HEIGHT,
    getItemKey: (index) => rows[index].id,
    overscan: 12,
    initialRect: { width: 1000, height: 600 },
  });
  return (
    <div ref={scrollRef} className="log-rows-scroll">
      <ul aria-label="Log lines" className="log-rows" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => (
          <li
            key={item.key}
            data-index={item.index}
            ref={virtualizer.measureElement}
            className="log-rows-item"
            style={{ transform: `translateY(${item.start}px)` }}
          >
            {renderRow(rows[item.index])}
          </li>
        ))}
      </ul>
    </div>
  );
}
