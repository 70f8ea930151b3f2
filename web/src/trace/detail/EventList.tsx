import { attributeText } from '../model/attributes';
import { formatDuration } from '../model/format';
import type { Span } from '../model/types';
import { AttributeTable } from './AttributeTable';
import { TruncatedValue } from './TruncatedValue';

const EXCEPTION_KEYS = new Set(['exception.type', 'exception.message', 'exception.stacktrace']);

/** A span's events in time order, with exceptions shown as type, message and stack trace. */
export function EventList({ span }: { span: Span }) {
  if (span.events.length === 0) return <p className="muted small">None</p>;
  return (
    <ol className="event-list">
      {span.events.map((event, i) => {
        const isException = event.name === 'exception';
        const type = attributeText(event.attributes, 'exception.type');
        const message = attributeText(event.attributes, 'exception.message');
        const stack = attributeText(event.attributes, 'exception.stacktrace');
        const rest = isException
          ? event.attributes.filter((kv) => !EXCEPTION_KEYS.has(kv.key))
          : event.attributes;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: events have no identity and never reorder
          <li key={i} className={`event${isException ? ' event--exception' : ''}`}>
            <div className="event-head">
              <span className="event-time">+{formatDuration(event.timeNs - span.startNs)}</span>
              <strong>{event.name}</strong>
            </div>
            {isException && (type || message) && (
              <p className="exception-summary">
                {type && <span className="exception-type">{type}</span>}
                {type && message && ': '}
                {message && <TruncatedValue value={message} />}
              </p>
            )}
            {isException && stack && (
              <section className="stack-trace" aria-label="Stack trace">
                <TruncatedValue value={stack} limit={1500} multiline />
              </section>
            )}
            {rest.length > 0 && (
              <AttributeTable attributes={rest} label={`Attributes of event ${event.name}`} />
            )}
          </li>
        );
      })}
    </ol>
  );
}
