import type { PaneState } from '../explore/explore-url';
import type { ExemplarLink } from './exemplars';

/**
 * Follows an exemplar's link: a trace opens in a pane (`openPane`), a URL destination in a new tab.
 */
export function followExemplarLink(link: ExemplarLink, openPane: (pane: PaneState) => void): void {
  if (link.kind === 'trace') {
    openPane({ type: 'trace', traceId: link.traceId, ...(link.spanId ? { spanId: link.spanId } : {}) });
  } else {
    window.open(link.href, '_blank', 'noopener,noreferrer');
  }
}
