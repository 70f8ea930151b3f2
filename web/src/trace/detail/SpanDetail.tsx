import { useId } from 'react';
import type { LoadedTrace } from '../../api/client';
import { useSpanDetails } from '../../api/queries';
import { CopyButton } from '../../components/common/CopyButton';
import { SpanSignalLinks } from '../../explore/SpanSignalLinks';
import { useShowUtc } from '../../state/preferences';
import { FLAG_CYCLE, FLAG_DUPLICATE, FLAG_ERROR, FLAG_ORPHAN, FLAG_SKEW } from '../model/build-model';
import { serviceColor } from '../model/colors';
import { formatDuration, formatTimestamp } from '../model/format';
import { spanName, type TraceLayout } from '../model/layout';
import { toEpochMs } from '../model/nanos';
import type { Span } from '../model/types';
import { AttributeTable } from './AttributeTable';
import { EventList } from './EventList';
import { LinkList } from './LinkList';
import { TruncatedValue } from './TruncatedValue';

interface SpanDetailProps {
  trace: LoadedTrace;
  index: number;
  onClose(): void;
  onSelect(index: number): void;
}

/**
 * Everything about one span, in a side panel that leaves the waterfall in view. The name comes
 * from the layout at once; the rest is asked of the trace worker (a few milliseconds).
 */
export function SpanDetail({ trace, index, onClose, onSelect }: SpanDetailProps) {
  const { layout } = trace;
  const details = useSpanDetails(trace, index);
  const titleId = useId();
  const name = spanName(layout, index);
  return (
    <aside className="span-detail" aria-labelledby={titleId}>
      <header className="span-detail-header">
        <h2 id={titleId}>
          <span
            className="service-swatch"
            style={{ background: serviceColor(layout.services[layout.serviceIndex[index]]) }}
          />
          {name || 'unnamed span'}
        </h2>
        <button type="button" className="icon-button" aria-label="Close span details" onClick={onClose}>
          ✕
        </button>
      </header>
      <div className="span-detail-body">
        {details.data ? (
          <SpanFacts layout={layout} index={index} span={details.data} onSelect={onSelect} />
        ) : details.isError ? (
          <p role="alert">Could not read this span: {details.error.message}</p>
        ) : (
          <p className="muted" role="status">
            Loading span…
          </p>
        )}
      </div>
    </aside>
  );
}

function SpanFacts({
  layout,
  index,
  span,
  onSelect,
}: {
  layout: TraceLayout;
  index: number;
  span: Span;
  onSelect(index: number): void;
}) {
  const flags = layout.flags[index];
  const utc = useShowUtc();
  const parentIndex = layout.parent[index];
  const notes: string[] = [];
  if (flags & FLAG_SKEW)
    notes.push('Starts before its parent: the hosts’ clocks may disagree. Times are shown as recorded.');
  if (flags & FLAG_ORPHAN) notes.push('Its parent span is not in the trace.');
  if (flags & FLAG_CYCLE) notes.push('Its parent links loop back to it; the tree was cut here.');
  if (flags & FLAG_DUPLICATE) notes.push('Another span in this trace has the same span ID.');

  return (
    <>
      <dl className="detail-grid">
        <dt>Service</dt>
        <dd>{span.resource.serviceName || 'unknown'}</dd>
        <dt>Kind</dt>
        <dd>{span.kind.toLowerCase()}</dd>
        <dt>Status</dt>
        <dd className={flags & FLAG_ERROR ? 'status-error' : undefined}>
          {span.statusCode === 'ERROR' ? 'Error' : span.statusCode === 'OK' ? 'OK' : 'Unset'}
          {span.statusCode !== 'ERROR' && flags & FLAG_ERROR ? ' (exception recorded)' : ''}
          {span.statusMessage && (
            <>
              {' — '}
              <TruncatedValue value={span.statusMessage} />
            </>
          )}
        </dd>
        <dt>Start</dt>
        <dd>
          +{formatDuration(layout.offsetNs[index])}{' '}
          <span className="muted">({formatTimestamp(toEpochMs(layout.baseSec, span.startNs), utc)})</span>
        </dd>
        <dt>Duration</dt>
        <dd>{formatDuration(span.durationNs)}</dd>
        <dt>Span ID</dt>
        <dd>
          <code>{span.spanId}</code> <CopyButton value={span.spanId} label="Copy span ID" />
        </dd>
        <dt>Parent ID</dt>
        <dd>
          {span.parentSpanId ? (
            <>
              {parentIndex >= 0 ? (
                <button type="button" className="link-button" onClick={() => onSelect(parentIndex)}>
                  <code>{span.parentSpanId}</code>
                </button>
              ) : (
                <code>{span.parentSpanId}</code>
              )}{' '}
              <CopyButton value={span.parentSpanId} label="Copy parent span ID" />
            </>
          ) : (
            <span className="muted">none (root span)</span>
          )}
        </dd>
        {span.scope.name && (
          <>
            <dt>Scope</dt>
            <dd>
              {span.scope.name}
              {span.scope.version && ` ${span.scope.version}`}
            </dd>
          </>
        )}
      </dl>
      <SpanSignalLinks layout={layout} index={index} span={span} />
      {notes.map((note) => (
        <p key={note} className="notice">
          <span aria-hidden="true">⚠ </span>
          {note}
        </p>
      ))}
      <Section title="Attributes" count={span.attributes.length}>
        <AttributeTable attributes={span.attributes} label="Span attributes" />
      </Section>
      <Section title="Resource" count={span.resource.attributes.length}>
        <AttributeTable attributes={span.resource.attributes} label="Resource attributes" />
      </Section>
      <Section title="Events" count={span.events.length}>
        <EventList span={span} />
      </Section>
      <Section title="Links" count={span.links.length}>
        <LinkList span={span} layout={layout} onSelect={onSelect} />
      </Section>
    </>
  );
}

function Section(props: { title: string; count: number; children: React.ReactNode }) {
  return (
    <details className="detail-section" open>
      <summary>
        {props.title} <span className="muted">({props.count})</span>
      </summary>
      {props.children}
    </details>
  );
}
