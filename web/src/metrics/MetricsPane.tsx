import type { MetricsPaneState, PaneState } from '../explore/explore-url';

export interface MetricsPaneProps {
  state: MetricsPaneState;
  /** Replaces this pane's state (the URL is updated by the caller). */
  onChange(next: MetricsPaneState): void;
  /** Opens another pane beside this one (an exemplar's trace). */
  onOpenPane(pane: PaneState): void;
}

/** Placeholder until the metrics pane lands. */
export function MetricsPane({ state }: MetricsPaneProps) {
  return (
    <section className="panel" aria-label="Metrics">
      <p className="muted">Metrics: {state.queries.join(', ') || 'no query'}</p>
    </section>
  );
}
