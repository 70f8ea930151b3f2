import type { PaneState, PaneType } from './explore-url';

export const PANE_TITLES: Record<PaneType, string> = {
  trace: 'Trace',
  logs: 'Logs',
  metrics: 'Metrics',
  search: 'Search',
};

/** A new, empty pane of a type (the user fills in its query or trace ID). */
export function emptyPane(type: PaneType): PaneState {
  switch (type) {
    case 'trace':
      return { type, traceId: '' };
    case 'logs':
      return { type, query: '' };
    case 'metrics':
      return { type, queries: [] };
    case 'search':
      return { type, query: '' };
  }
}
