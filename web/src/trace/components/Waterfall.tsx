import { useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, useEffect, useRef } from 'react';
import type { TraceLayout } from '../model/layout';
import { rowOf } from '../model/visible-rows';
import { useViewStore } from '../state/view-store';
import { ROW_HEIGHT, rowDomId, SpanRow } from './SpanRow';
import type { TraceViewState } from './use-trace-view';

const PAGE_ROWS = 20;

/**
 * The span tree as a virtualised list: only the rows in view (plus a few) are in the DOM, so
 * 100k spans scroll like 100. Keyboard: ↑/↓ move, ←/→ collapse/expand, Enter opens details.
 */
export function Waterfall({ layout, view }: { layout: TraceLayout; view: TraceViewState }) {
  const { rows, selected, matches, scale, select } = view;
  const scrollRef = useRef<HTMLDivElement>(null);
  const collapsed = useViewStore((s) => s.collapsed);
  const cursor = useViewStore((s) => s.cursor);
  const nameColumn = useViewStore((s) => s.nameColumn);
  const scrollRequest = useViewStore((s) => s.scrollRequest);
  const { setCursor, toggleCollapsed } = useViewStore.getState();

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    initialRect: { width: 1000, height: 600 },
  });
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  useEffect(() => {
    if (!scrollRequest) return;
    const row = rowOf(rowsRef.current, scrollRequest.index);
    if (row >= 0) virtualizer.scrollToIndex(row, { align: 'auto' });
  }, [scrollRequest, virtualizer]);

  const moveTo = (row: number) => {
    if (rows.length === 0) return;
    const clamped = Math.max(0, Math.min(rows.length - 1, row));
    setCursor(rows[clamped]);
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const current = cursor >= 0 ? rowOf(rows, cursor) : -1;
    const hasChildren = cursor >= 0 && layout.childCount[cursor] > 0;
    const isCollapsed = collapsed.has(cursor);
    switch (event.key) {
      case 'ArrowDown':
        moveTo(current + 1);
        break;
      case 'ArrowUp':
        moveTo(current < 0 ? 0 : current - 1);
        break;
      case 'PageDown':
        moveTo(current + PAGE_ROWS);
        break;
      case 'PageUp':
        moveTo(current - PAGE_ROWS);
        break;
      case 'Home':
        moveTo(0);
        break;
      case 'End':
        moveTo(rows.length - 1);
        break;
      case 'ArrowLeft':
        if (hasChildren && !isCollapsed && !view.onlyMatches) toggleCollapsed(cursor);
        else if (cursor >= 0 && layout.parent[cursor] >= 0) moveTo(rowOf(rows, layout.parent[cursor]));
        break;
      case 'ArrowRight':
        if (hasChildren && isCollapsed && !view.onlyMatches) toggleCollapsed(cursor);
        else if (hasChildren && rowOf(rows, cursor + 1) >= 0) moveTo(current + 1);
        break;
      case 'Enter':
      case ' ':
        if (cursor >= 0) select(cursor);
        break;
      case 'Escape':
        select(-1);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const onRowClick = (index: number) => {
    setCursor(index);
    select(index);
  };
  const cursorVisible = cursor >= 0 && rowOf(rows, cursor) >= 0;

  return (
    <div
      ref={scrollRef}
      className="waterfall"
      role="tree"
      aria-label="Spans"
      tabIndex={0}
      aria-activedescendant={cursorVisible ? rowDomId(cursor) : undefined}
      onKeyDown={onKeyDown}
      onFocus={() => {
        if (!cursorVisible && rows.length > 0) setCursor(selected >= 0 ? selected : rows[0]);
      }}
      style={{ '--name-column': `${nameColumn * 100}%` } as React.CSSProperties}
    >
      {rows.length === 0 && <p className="waterfall-empty">No spans match the filter.</p>}
      <div role="none" className="waterfall-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const index = rows[item.index];
          return (
            <SpanRow
              key={index}
              layout={layout}
              index={index}
              top={item.start}
              scale={scale}
              collapsed={collapsed.has(index)}
              showToggle={!view.onlyMatches}
              isCursor={index === cursor}
              isSelected={index === selected}
              match={matches ? (matches.matches[index] ? 'match' : 'dimmed') : 'none'}
              onClick={onRowClick}
              onToggle={toggleCollapsed}
            />
          );
        })}
      </div>
    </div>
  );
}
