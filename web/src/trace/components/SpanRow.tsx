import { memo } from 'react';
import { FLAG_CYCLE, FLAG_ERROR, FLAG_ERROR_BELOW, FLAG_ORPHAN, FLAG_SKEW } from '../model/build-model';
import { serviceColor } from '../model/colors';
import { formatDuration } from '../model/format';
import { spanName, type TraceLayout } from '../model/layout';
import { barGeometry, durationLabelPlacement, eventFraction, type TimeScale } from '../model/time-scale';

export const ROW_HEIGHT = 28;
const INDENT_PX = 14;
const MAX_INDENT_LEVELS = 24;

export const rowDomId = (index: number) => `span-row-${index}`;

interface SpanRowProps {
  layout: TraceLayout;
  index: number;
  /** Pixel offset inside the virtual list. */
  top: number;
  scale: TimeScale;
  collapsed: boolean;
  showToggle: boolean;
  isCursor: boolean;
  isSelected: boolean;
  match: 'none' | 'match' | 'dimmed';
  onClick(index: number): void;
  onToggle(index: number): void;
}

/** One span: indented name with service colour and markers on the left, its bar on the right. */
export const SpanRow = memo(function SpanRow(props: SpanRowProps) {
  const { layout, index, scale } = props;
  const name = spanName(layout, index);
  const flags = layout.flags[index];
  const depth = layout.depth[index];
  const childCount = layout.childCount[index];
  const service = layout.services[layout.serviceIndex[index]];
  const color = serviceColor(service);
  const spanDuration = layout.durationNs[index];
  const duration = formatDuration(spanDuration);
  const bar = barGeometry(scale, layout.offsetNs[index], spanDuration);
  const events: { fraction: number; exception: boolean }[] = [];
  for (let e = layout.eventStart[index]; e < layout.eventStart[index + 1]; e++) {
    events.push({
      fraction: eventFraction(layout.eventOffsetNs[e], 0, spanDuration),
      exception: layout.eventIsException[e] === 1,
    });
  }
  const isError = (flags & FLAG_ERROR) !== 0;
  const errorBelow = (flags & FLAG_ERROR_BELOW) !== 0;
  const placement = durationLabelPlacement(bar);
  const indent = Math.min(depth, MAX_INDENT_LEVELS) * INDENT_PX;
  const label = [
    `${service || 'unknown service'} ${name}`,
    duration,
    isError ? 'error' : '',
    errorBelow ? 'a descendant failed' : '',
    childCount > 0 ? `${childCount} children` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const classes = ['span-row'];
  if (props.isSelected) classes.push('is-selected');
  if (props.isCursor) classes.push('is-cursor');
  if (props.match !== 'none') classes.push(`is-${props.match}`);
  if (isError) classes.push('is-error');

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents lint/a11y/useFocusableInteractive: the tree holds focus and the keyboard; rows are its aria-activedescendant
    <div
      id={rowDomId(index)}
      role="treeitem"
      aria-label={label}
      aria-level={depth + 1}
      aria-posinset={layout.posInSet[index]}
      aria-setsize={layout.parent[index] < 0 ? layout.rootCount : layout.childCount[layout.parent[index]]}
      aria-expanded={childCount > 0 ? !props.collapsed : undefined}
      aria-selected={props.isSelected}
      className={classes.join(' ')}
      style={{ transform: `translateY(${props.top}px)`, height: ROW_HEIGHT }}
      onClick={() => props.onClick(index)}
    >
      <div className="span-name-cell">
        <span className="span-indent" style={{ width: indent }} />
        {childCount > 0 && props.showToggle ? (
          <button
            type="button"
            tabIndex={-1}
            className="span-toggle"
            aria-label={props.collapsed ? 'Expand' : 'Collapse'}
            onClick={(event) => {
              event.stopPropagation();
              props.onToggle(index);
            }}
          >
            {props.collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="span-toggle-spacer" />
        )}
        <span className="service-swatch" style={{ background: color }} />
        {isError && (
          <span className="error-marker" title="This span failed" aria-hidden="true">
            !
          </span>
        )}
        <span className="span-service">{service || 'unknown'}</span>
        <span className="span-op">{name}</span>
        {props.collapsed && (
          <span className="badge badge--count">{layout.subtreeEnd[index] - index - 1}</span>
        )}
        {errorBelow && !isError && (
          <span className="error-below" title="A descendant span failed" aria-hidden="true">
            ●
          </span>
        )}
        {depth > MAX_INDENT_LEVELS && <span className="badge">L{depth + 1}</span>}
        {flags & FLAG_SKEW ? (
          <span className="badge badge--warning" title="Starts before its parent: clock skew between hosts?">
            skew
          </span>
        ) : null}
        {flags & (FLAG_ORPHAN | FLAG_CYCLE) ? (
          <span className="badge badge--warning" title="Its parent is missing from the trace">
            orphan
          </span>
        ) : null}
      </div>
      <div className="span-timeline-cell">
        {bar.visible && (
          <div
            className={`span-bar${isError ? ' span-bar--error' : ''}`}
            style={{
              left: `${bar.left * 100}%`,
              width: `${bar.width * 100}%`,
              background: isError ? undefined : color,
            }}
          >
            {events.map((event, i) => (
              <span
                // biome-ignore lint/suspicious/noArrayIndexKey: events have no identity and never reorder
                key={i}
                className={`event-tick${event.exception ? ' event-tick--exception' : ''}`}
                style={{ left: `${event.fraction * 100}%` }}
              />
            ))}
          </div>
        )}
        {bar.visible && (
          <span
            className={`span-duration span-duration--${placement}`}
            style={labelStyle(placement, bar.left, bar.width)}
          >
            {duration}
          </span>
        )}
      </div>
    </div>
  );
});

function labelStyle(
  placement: 'right' | 'left' | 'inside',
  left: number,
  width: number,
): React.CSSProperties {
  if (placement === 'right') return { left: `${(left + width) * 100}%` };
  if (placement === 'left') return { right: `${(1 - left) * 100}%` };
  return { right: `${Math.max(0, 1 - left - width) * 100}%` };
}
