import type { PaneState, SearchPaneState } from '../explore/explore-url';
import { SearchView } from './SearchView';
import { DEFAULT_SEARCH_LIMIT, parseLimit } from './search-url';

export interface SearchPaneProps {
  state: SearchPaneState;
  /** Replaces this pane's state (the caller updates the URL). */
  onChange(next: SearchPaneState): void;
  /** Opens a trace beside the search, as an exemplar or a log line's trace link does. */
  onOpenPane(pane: PaneState): void;
  /** The URL `onOpenPane` would lead to, so a trace link can also open in a new tab. */
  hrefForPane(pane: PaneState): string;
}

/** Explore's search pane: the Search page's view, with traces opening in the pane beside it. */
export function SearchPane({ state, onChange, onOpenPane, hrefForPane }: SearchPaneProps) {
  return (
    <SearchView
      state={{ query: state.query, limit: parseLimit(String(state.limit ?? '')) }}
      onChange={(next) =>
        onChange({
          type: 'search',
          query: next.query,
          ...(next.limit === DEFAULT_SEARCH_LIMIT ? {} : { limit: next.limit }),
        })
      }
      traceHref={(traceId) => hrefForPane({ type: 'trace', traceId })}
      openTrace={(traceId) => onOpenPane({ type: 'trace', traceId })}
    />
  );
}
