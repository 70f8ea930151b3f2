import type { MouseEvent, ReactNode } from 'react';
import type { PaneState } from '../explore/explore-url';
import { parseTraceIdInput } from '../trace/model/ids';
import type { DerivedLink } from './derived-fields';

/** How a pane opens another one beside it: a real href (new tab works) and an in-place split. */
export interface PaneOpener {
  hrefFor(pane: PaneState): string;
  open(pane: PaneState): void;
}

/** The trace pane a derived trace link opens (IDs are normalised as the trace page does). */
export function tracePaneOf(traceId: string): PaneState {
  const parsed = parseTraceIdInput(traceId);
  return { type: 'trace', traceId: parsed.ok ? parsed.id : traceId };
}

const plainClick = (e: MouseEvent) => e.button === 0 && !e.metaKey && !e.ctrlKey && !e.shiftKey && !e.altKey;

/**
 * A derived field's link: an internal one opens the trace beside the logs (and still has an href
 * for a new tab); an external one opens its URL in a new tab.
 */
export function DerivedLinkAnchor(props: {
  link: DerivedLink;
  opener: PaneOpener;
  className?: string;
  title?: string;
  children: ReactNode;
}) {
  const { link, opener, className, title, children } = props;
  if (link.target.kind === 'external') {
    return (
      <a
        className={className}
        href={link.target.url}
        target="_blank"
        rel="noopener noreferrer"
        title={title}
        onClick={(e) => e.stopPropagation()}
      >
        {children}
      </a>
    );
  }
  const pane = tracePaneOf(link.target.traceId);
  return (
    <a
      className={className}
      href={opener.hrefFor(pane)}
      title={title}
      onClick={(e) => {
        e.stopPropagation();
        if (!plainClick(e)) return;
        e.preventDefault();
        opener.open(pane);
      }}
    >
      {children}
    </a>
  );
}
