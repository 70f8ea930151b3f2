import { useEffect, useId, useState } from 'react';
import type { MetricsPaneState, PaneState } from '../explore/explore-url';
import { useSearchParams } from '../router/router';
import { readTenant, readTimeRange } from '../state/url-state';
import { followExemplarLink } from './follow-exemplar';
import { MetricsChartPanel } from './MetricsChartPanel';
import { QueryEditor } from './QueryEditor';
import { pickDataSource, useMetricsConfig, useQuerySuggestions } from './use-metrics';

export interface MetricsPaneProps {
  state: MetricsPaneState;
  /** Replaces this pane's state (the URL is updated by the caller). */
  onChange(next: MetricsPaneState): void;
  /** Opens another pane beside this one (an exemplar's trace). */
  onOpenPane(pane: PaneState): void;
}

/** Suggestions beyond this many slow the browser's list down and help nobody. */
const MAX_SUGGESTIONS = 1000;

const draftsOf = (queries: readonly string[]) => (queries.length ? [...queries] : ['']);

/**
 * Explore's metrics pane: a data-source picker, one PromQL box per query and, under each, its
 * chart over the global time range with exemplar dots; a dot with a trace ID opens that trace in
 * the pane beside this one. The queries live in the URL (through `onChange`); edits are drafts
 * until run.
 */
export function MetricsPane({ state, onChange, onOpenPane }: MetricsPaneProps) {
  const [params] = useSearchParams();
  const range = readTimeRange(params);
  const tenant = readTenant(params);
  const config = useMetricsConfig();
  const datasource = pickDataSource(config.datasources, state.datasource);
  const suggestions = useQuerySuggestions(datasource, tenant, config.loaded);
  const suggestionsId = useId();
  const [drafts, setDrafts] = useState(() => draftsOf(state.queries));
  const [runAt, setRunAt] = useState(() => Date.now());

  // The URL can change under the pane (back button, a link): show what it says.
  const committedKey = JSON.stringify(state.queries);
  useEffect(() => {
    setDrafts(draftsOf(JSON.parse(committedKey) as string[]));
  }, [committedKey]);

  const commit = (queries: string[]) => {
    onChange({
      type: 'metrics',
      queries: queries.filter((q) => q.trim() !== ''),
      datasource: state.datasource,
    });
    setRunAt(Date.now());
  };
  const setDraft = (index: number, value: string) =>
    setDrafts((current) => current.map((q, i) => (i === index ? value : q)));

  return (
    <section className="panel metrics-pane" aria-label="Metrics">
      <div className="metrics-toolbar">
        <label className="inline-label">
          <span>Data source</span>
          <select
            className="input"
            value={datasource.uid}
            onChange={(event) => {
              const uid = event.target.value;
              // Loupe's own source is the default: it needs no parameter in the URL.
              const chosen = uid === config.datasources[0].uid ? undefined : uid;
              onChange({
                type: 'metrics',
                queries: drafts.filter((q) => q.trim() !== ''),
                datasource: chosen,
              });
              setRunAt(Date.now());
            }}
          >
            {config.datasources.map((ds) => (
              <option key={ds.uid} value={ds.uid}>
                {ds.name}
              </option>
            ))}
          </select>
        </label>
        <span className="top-bar-spacer" />
        <button type="button" className="button" onClick={() => setDrafts((current) => [...current, ''])}>
          Add query
        </button>
        <button type="button" className="button button--primary" onClick={() => commit(drafts)}>
          Run query
        </button>
      </div>
      <datalist id={suggestionsId}>
        {(suggestions.data ?? []).slice(0, MAX_SUGGESTIONS).map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      {drafts.map((draft, index) => {
        const committed = state.queries[index];
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: queries are edited in place; their position is their identity
          <div key={index} className="metrics-query-block">
            <QueryEditor
              index={index}
              value={draft}
              suggestionsId={suggestionsId}
              canRemove={drafts.length > 1}
              onChange={(value) => setDraft(index, value)}
              onRun={() => commit(drafts)}
              onRemove={() => commit(drafts.filter((_, i) => i !== index))}
            />
            {committed && config.loaded && (
              <MetricsChartPanel
                label={`Chart of ${committed}`}
                queries={[{ query: committed }]}
                datasource={datasource}
                range={range}
                runAt={runAt}
                tenant={tenant}
                destinations={config.exemplarTraceIdDestinations}
                onFollowExemplar={(link) => followExemplarLink(link, onOpenPane)}
              />
            )}
          </div>
        );
      })}
      {state.queries.length === 0 && (
        <p className="muted">
          Type a PromQL query and press Enter, e.g. a span metric such as traces_spanmetrics_calls_total.
        </p>
      )}
    </section>
  );
}
