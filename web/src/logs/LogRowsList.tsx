import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, useState } from 'react';
import { useShowUtc } from '../state/preferences';
import type { PaneOpener } from './DerivedLinkAnchor';
import type { CompiledField } from './derived-fields';
import { LogRowItem } from './LogRowItem';
import type { LogRow } from './log-rows';

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
  const utc = useShowUtc();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = useCallback(
    (id: string) =>
      setExpanded((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );
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
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index];
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="log-rows-item"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <LogRowItem
                row={row}
                fields={fields}
                expanded={expanded.has(row.id)}
                utc={utc}
                opener={opener}
                onToggle={toggle}
              />
            </li>
          );
        })}
      </ul>
    </div>
  );
}
