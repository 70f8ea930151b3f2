import { memo, useMemo } from 'react';
import { formatTimestamp } from '../trace/model/format';
import { DerivedLinkAnchor, type PaneOpener } from './DerivedLinkAnchor';
import { type CompiledField, lineSegments, rowDerivedLinks } from './derived-fields';
import { LogRowDetails } from './LogRowDetails';
import type { LogRow } from './log-rows';

/** Labels worth a place on every row; the rest are in the details. */
const ROW_LABELS = ['service_name'];

interface LogRowItemProps {
  row: LogRow;
  fields: readonly CompiledField[];
  expanded: boolean;
  utc: boolean;
  opener: PaneOpener;
  onToggle(id: string): void;
}

/**
 * One line: time, level colour, a few labels and the text with derived-field matches as links.
 * A click on the row (or Enter on its toggle) shows the details under it.
 */
export const LogRowItem = memo(function LogRowItem({
  row,
  fields,
  expanded,
  utc,
  opener,
  onToggle,
}: LogRowItemProps) {
  const segments = useMemo(() => lineSegments(row.line, fields), [row.line, fields]);
  const links = useMemo(() => rowDerivedLinks(row, fields), [row, fields]);
  // An OTLP record's trace link when its line names no trace itself.
  const traceLink = segments.some((s) => s.link?.target.kind === 'trace')
    ? undefined
    : links.find((l) => l.target.kind === 'trace');
  const detailsId = `log-details-${row.id}`;
  return (
    <div className={`log-row log-level--${row.level}`}>
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the toggle button is the keyboard path */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a click anywhere on the line is a shortcut */}
      <div
        className="log-row-summary"
        onClick={() => {
          // Selecting text to copy it is not a request for details.
          if (!window.getSelection()?.toString()) onToggle(row.id);
        }}
      >
        <button
          type="button"
          className="icon-button log-row-toggle"
          aria-expanded={expanded}
          aria-controls={expanded ? detailsId : undefined}
          aria-label={expanded ? 'Hide log details' : 'Show log details'}
          onClick={(e) => {
            e.stopPropagation();
            onToggle(row.id);
          }}
        >
          {expanded ? '▾' : '▸'}
        </button>
        <span className="log-level-bar" title={`Level: ${row.level}`} />
        <span className="visually-hidden">{row.level}</span>
        <time className="log-time" dateTime={new Date(row.timeMs).toISOString()}>
          {formatTimestamp(row.timeMs, utc)}
        </time>
        {ROW_LABELS.map((name) =>
          row.labels[name] ? (
            <span key={name} className="log-label" title={name}>
              {row.labels[name]}
            </span>
          ) : null,
        )}
        <span className="log-line">
          {segments.map((segment, i) =>
            segment.link ? (
              <DerivedLinkAnchor
                // biome-ignore lint/suspicious/noArrayIndexKey: segments are positions in one line
                key={i}
                link={segment.link}
                opener={opener}
                className="log-link"
                title={`${segment.link.name}: ${segment.link.value}`}
              >
                {segment.text}
              </DerivedLinkAnchor>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positions in one line
              <span key={i}>{segment.text}</span>
            ),
          )}
          {traceLink && (
            <DerivedLinkAnchor link={traceLink} opener={opener} className="log-link log-trace-chip">
              {traceLink.name}
            </DerivedLinkAnchor>
          )}
        </span>
      </div>
      {expanded && (
        <div id={detailsId}>
          <LogRowDetails row={row} links={links} opener={opener} />
        </div>
      )}
    </div>
  );
});
