import { lazy, Suspense } from 'react';
import { LogsPane } from '../logs/LogsPane';
import { TraceIdForm } from '../trace/components/TraceIdForm';
import { TracePane } from '../trace/components/TracePage';
import type { PaneState } from './explore-url';

// Charts and their code load only when a metrics pane is shown; search's only with a search pane.
const MetricsPane = lazy(() => import('../metrics/MetricsPane').then((m) => ({ default: m.MetricsPane })));
const SearchPane = lazy(() => import('../search/SearchPane').then((m) => ({ default: m.SearchPane })));

function PaneLoading() {
  return (
    <div className="loading-state" role="status">
      <span className="spinner" aria-hidden="true" />
      Loading…
    </div>
  );
}

export interface PaneActions {
  /** Replaces this pane's state. */
  change(next: PaneState): void;
  /** Opens `pane` beside this one. */
  openBeside(pane: PaneState): void;
  hrefBeside(pane: PaneState): string;
}

/** The body of one Explore pane, by type. */
export function PaneContent({ pane, actions }: { pane: PaneState; actions: PaneActions }) {
  switch (pane.type) {
    case 'trace':
      return pane.traceId ? (
        <TracePane traceId={pane.traceId} />
      ) : (
        <TraceIdForm
          variant="pane"
          label="Open a trace in this pane"
          onOpen={(traceId) => actions.change({ type: 'trace', traceId })}
        />
      );
    case 'logs':
      return (
        <LogsPane
          state={pane}
          onChange={actions.change}
          onOpenPane={actions.openBeside}
          hrefForPane={actions.hrefBeside}
        />
      );
    case 'metrics':
      return (
        <Suspense fallback={<PaneLoading />}>
          <MetricsPane state={pane} onChange={actions.change} onOpenPane={actions.openBeside} />
        </Suspense>
      );
    case 'search':
      return (
        <Suspense fallback={<PaneLoading />}>
          <SearchPane
            state={pane}
            onChange={actions.change}
            onOpenPane={actions.openBeside}
            hrefForPane={actions.hrefBeside}
          />
        </Suspense>
      );
  }
}
