import { Link, useSearchParams } from '../../router/router';
import { traceHref } from '../../state/url-state';
import { indexOfSpanId, type TraceLayout } from '../model/layout';
import type { Span } from '../model/types';
import { AttributeTable } from './AttributeTable';

/** Span links: to a span of this trace (selects it) or of another trace (opens that trace). */
export function LinkList({
  span,
  layout,
  onSelect,
}: {
  span: Span;
  layout: TraceLayout;
  onSelect(index: number): void;
}) {
  const [params] = useSearchParams();
  if (span.links.length === 0) return <p className="muted small">None</p>;
  return (
    <ul className="link-list">
      {span.links.map((link, i) => {
        const sameTrace = link.traceId === layout.traceId;
        const index = sameTrace ? indexOfSpanId(layout, link.spanId) : -1;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: links have no identity and never reorder
          <li key={i} className="span-link">
            {sameTrace ? (
              index >= 0 ? (
                <button type="button" className="link-button" onClick={() => onSelect(index)}>
                  Go to span {link.spanId} in this trace
                </button>
              ) : (
                <span>
                  Span <code>{link.spanId}</code> (not in this trace)
                </span>
              )
            ) : (
              <Link to={traceHref(link.traceId, params, { span: link.spanId })}>
                Open linked trace {link.traceId} (span {link.spanId})
              </Link>
            )}
            {link.attributes.length > 0 && (
              <AttributeTable attributes={link.attributes} label="Link attributes" />
            )}
          </li>
        );
      })}
    </ul>
  );
}
