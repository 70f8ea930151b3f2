import { useVirtualizer } from '@tanstack/react-virtual';
import { type MouseEvent, useMemo, useRef, useState } from 'react';
import { Link } from '../router/router';
import { useShowUtc } from '../state/preferences';
import { serviceColor } from '../trace/model/colors';
import { formatCount, formatDuration, formatTimestamp, samplingLabel } from '../trace/model/format';
import {
  DEFAULT_SORT,
  formatAge,
  nextSort,
  rootLabel,
  type SortKey,
  type SortOrder,
  sortRows,
  type TraceRow,
} from './search-results';

interface SearchResultsTableProps {
  rows: readonly TraceRow[];
  /** Where a trace's link leads (its page, or Explore with the trace beside the search). */
  traceHref(traceId: string): string;
  openTrace(traceId: string): void;
}

/**
 * Widths are fixed (`table-layout: fixed`): rows scrolling into view must not move the columns.
 * The root and the services share what is left (`auto`).
 */
const COLUMNS: { key: SortKey; label: string; width: string; numeric?: boolean }[] = [
  { key: 'trace', label: 'Trace ID', width: '84px' },
  { key: 'root', label: 'Root service and operation', width: 'auto' },
  { key: 'start', label: 'Start', width: '88px' },
  { key: 'duration', label: 'Duration', width: '80px', numeric: true },
  { key: 'spans', label: 'Spans', width: '60px', numeric: true },
  { key: 'matched', label: 'Matched', width: '76px', numeric: true },
  { key: 'errors', label: 'Errors', width: '76px', numeric: true },
];
/** Rows are one line high (chips do not wrap), so the virtualiser need not measure them. */
const ROW_HEIGHT = 29;

/** Up to this many service chips per row; the rest are counted. */
const MAX_CHIPS = 6;

/**
 * The traces a search found, one row each, sortable by any column (over the rows returned, as
 * Grafana does). A row, or its trace ID, opens the trace. Virtualised: only the rows in view are
 * in the DOM, so a thousand results cost what thirty do (laying out a 1,000-row table took
 * 0.3–0.6 s on this machine, and as long again after every sort).
 */
export function SearchResultsTable({ rows, traceHref, openTrace }: SearchResultsTableProps) {
  const [order, setOrder] = useState<SortOrder>(DEFAULT_SORT);
  const sorted = useMemo(() => sortRows(rows, order), [rows, order]);
  const utc = useShowUtc();
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: sorted.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => sorted[index].traceId,
    overscan: 10,
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items.length ? items[0].start : 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  // One clock for the whole table, so the ages agree with one another.
  // biome-ignore lint/correctness/useExhaustiveDependencies: recomputed when new rows arrive, not on every render
  const now = useMemo(() => Date.now(), [rows]);

  const onRowClick = (event: MouseEvent<HTMLTableRowElement>, traceId: string) => {
    // The trace ID's own link (and a selection of text) handle themselves.
    if ((event.target as Element).closest('a, button') || window.getSelection()?.toString()) return;
    openTrace(traceId);
  };

  return (
    <div ref={scrollRef} className="search-table-scroll">
      <table className="search-table" aria-label="Traces found" aria-rowcount={sorted.length + 1}>
        <colgroup>
          {COLUMNS.map((column) => (
            <col key={column.key} style={{ width: column.width }} />
          ))}
          <col />
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {COLUMNS.map((column) => (
              <th
                key={column.key}
                scope="col"
                className={column.numeric ? 'numeric' : undefined}
                aria-sort={order.key === column.key ? order.direction : undefined}
              >
                <button
                  type="button"
                  className="sort-button"
                  onClick={() => setOrder(nextSort(order, column.key))}
                >
                  {column.label}
                  <span aria-hidden="true" className="sort-mark">
                    {order.key === column.key ? (order.direction === 'ascending' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </th>
            ))}
            <th scope="col">Services</th>
          </tr>
        </thead>
        <tbody>
          {padTop > 0 && <SpacerRow height={padTop} />}
          {items.map((item) => {
            const row = sorted[item.index];
            return (
              <tr
                key={item.key}
                aria-rowindex={item.index + 2}
                className={row.errorCount > 0 ? 'search-row search-row--error' : 'search-row'}
                onClick={(e) => onRowClick(e, row.traceId)}
              >
                <td className="mono">
                  <Link to={traceHref(row.traceId)} aria-label={`Trace ${row.traceId}`} title={row.traceId}>
                    {row.traceId.slice(0, 8)}
                  </Link>
                </td>
                <td className={row.rootService ? undefined : 'muted'}>
                  {rootLabel(row)}
                  {row.sampling && (
                    <span className="badge sampling-badge" title="Tail sampling policy that kept this trace">
                      {samplingLabel(row.sampling)}
                    </span>
                  )}
                </td>
                <td title={formatTimestamp(row.startMs, utc)}>{formatAge(row.startMs, now)}</td>
                <td className="numeric">{formatDuration(row.durationMs * 1e6)}</td>
                <td className="numeric">{row.spanCount === undefined ? '–' : formatCount(row.spanCount)}</td>
                <td className="numeric">{formatCount(row.matched)}</td>
                <td className="numeric">
                  {row.errorCount > 0 ? (
                    <span className="badge badge--error">
                      {row.errorCount} error{row.errorCount === 1 ? '' : 's'}
                    </span>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
                <td>
                  <ServiceChips row={row} />
                </td>
              </tr>
            );
          })}
          {padBottom > 0 && <SpacerRow height={padBottom} />}
        </tbody>
      </table>
    </div>
  );
}

/** Stands in for the rows above or below the view, so the scrollbar is the whole list's. */
function SpacerRow({ height }: { height: number }) {
  // biome-ignore lint/a11y/noAriaHiddenOnFocusable: an empty row is never focusable; biome counts every <tr> as interactive
  return <tr aria-hidden="true" style={{ height }} />;
}

function ServiceChips({ row }: { row: TraceRow }) {
  const shown = row.services.slice(0, MAX_CHIPS);
  const hidden = row.services.length - shown.length;
  return (
    <span className="service-chips">
      {shown.map((s) => (
        <span
          key={s.name}
          className={s.errorCount > 0 ? 'service-chip service-chip--error' : 'service-chip'}
          style={{ borderLeftColor: serviceColor(s.name) }}
          title={`${s.name}: ${s.spanCount} span${s.spanCount === 1 ? '' : 's'}, ${s.errorCount} error${s.errorCount === 1 ? '' : 's'}`}
        >
          {s.name}
          {s.errorCount > 0 && (
            <span className="service-chip-errors">
              {' '}
              {s.errorCount}
              <span className="visually-hidden"> error{s.errorCount === 1 ? '' : 's'}</span>
            </span>
          )}
        </span>
      ))}
      {hidden > 0 && <span className="muted small">+{hidden} more</span>}
    </span>
  );
}
