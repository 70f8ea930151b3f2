import { useId, useMemo, useState } from 'react';
import { useClientConfig } from '../api/queries';
import type { LogsPaneState, PaneState } from '../explore/explore-url';
import { useSearchParams } from '../router/router';
import { readTenant, readTimeRange } from '../state/url-state';
import type { PaneOpener } from './DerivedLinkAnchor';
import { compileDerivedFields } from './derived-fields';
import { LogQueryEditor } from './LogQueryEditor';
import { LogRowsList } from './LogRowsList';
import { type LogsOptions, LogsToolbar } from './LogsToolbar';
import { useLogs } from './use-logs';

export interface LogsPaneProps {
  state: LogsPaneState;
  /** Replaces this pane's state (the caller updates the URL). */
  onChange(next: LogsPaneState): void;
  /** Opens another pane beside this one (a derived field's trace). */
  onOpenPane(pane: PaneState): void;
  /** The URL `onOpenPane` would lead to, so a link can also open in a new tab. */
  hrefForPane(pane: PaneState): string;
}

/**
 * The Logs pane: a LogQL query over the global time range, its lines with derived-field links,
 * and each line's details on demand.
 */
export function LogsPane({ state, onChange, onOpenPane, hrefForPane }: LogsPaneProps) {
  const [params] = useSearchParams();
  const range = readTimeRange(params);
  const tenant = readTenant(params);
  const [options, setOptions] = useState<LogsOptions>({ limit: 1000, direction: 'backward', live: false });
  const logs = useLogs({ query: state.query, range, tenant, ...options });
  const config = useClientConfig();
  const derived = useMemo(() => compileDerivedFields(config.data?.logs.derivedFields ?? []), [config.data]);
  const opener: PaneOpener = useMemo(
    () => ({ hrefFor: hrefForPane, open: onOpenPane }),
    [hrefForPane, onOpenPane],
  );
  const errorId = useId();
  const error = logs.isError ? logs.error : null;

  const run = (query: string) => {
    if (query === state.query) void logs.refetch();
    else onChange({ type: 'logs', query });
  };

  const rows = logs.data?.rows ?? [];
  // Live refreshes every few seconds: saying "Loading…" each time would only flicker.
  const summary =
    logs.isFetching && !options.live
      ? 'Loading…'
      : logs.data
        ? `${rows.length} line${rows.length === 1 ? '' : 's'}${logs.data.limited ? ' (limit reached)' : ''}`
        : '';

  return (
    <div className="logs-pane">
      <div className="logs-controls">
        <LogQueryEditor
          value={state.query}
          range={range}
          tenant={tenant}
          onRun={run}
          errorId={error ? errorId : undefined}
        />
        {error && (
          <div id={errorId} role="alert" className="logs-error">
            <p>{error.message}</p>
            {error.retryable && (
              <button type="button" className="button" onClick={() => logs.refetch()}>
                Retry
              </button>
            )}
          </div>
        )}
        {derived.problems.map((problem) => (
          <p key={problem} className="notice">
            {problem}
          </p>
        ))}
        <LogsToolbar options={options} onChange={setOptions} summary={summary} />
      </div>
      <LogsBody
        query={state.query}
        pending={logs.isPending && logs.fetchStatus !== 'idle'}
        hasError={error !== null}
        rows={rows}
      >
        <LogRowsList rows={rows} fields={derived.compiled} opener={opener} />
      </LogsBody>
    </div>
  );
}

/** Says why there are no lines (no query yet, loading, none in range) or shows them. */
function LogsBody(props: {
  query: string;
  pending: boolean;
  hasError: boolean;
  rows: readonly unknown[];
  children: React.ReactNode;
}) {
  if (props.query.trim() === '') {
    return (
      <p className="logs-message muted">
        Write a LogQL query, e.g. <code>{'{service_name="checkout"}'}</code>, and press Enter.
      </p>
    );
  }
  if (props.pending) {
    return (
      <div className="loading-state" role="status">
        <span className="spinner" aria-hidden="true" />
        Loading logs…
      </div>
    );
  }
  if (props.hasError) return null;
  if (props.rows.length === 0) {
    return (
      <p className="logs-message muted" role="status">
        No logs in this time range.
      </p>
    );
  }
  return props.children;
}
