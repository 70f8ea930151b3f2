import { type ReactNode, useId, useMemo } from 'react';
import { useClientConfig } from '../../api/queries';
import { exploreHref, type PaneState } from '../../explore/explore-url';
import type { PaneOpener } from '../../logs/DerivedLinkAnchor';
import { compileDerivedFields } from '../../logs/derived-fields';
import type { LogRow } from '../../logs/log-rows';
import { useLogRowRenderer } from '../../logs/use-log-row-renderer';
import { useLogs } from '../../logs/use-logs';
import { Link, useNavigate, useSearchParams } from '../../router/router';
import { readTenant, readTimeRange, traceHref } from '../../state/url-state';
// Imported here, not in LandingPage: the server imports LandingPage (through the routes) to render
// trace pages, and only this lazily loaded chunk never runs there. The build makes one CSS file anyway.

/** Every stream Loupe has a service for: OTLP records and pushed lines alike carry `service_name`. */
export const RECENT_LOGS_QUERY = '{service_name=~".+"}';
/** Enough to see what is going on at a glance; Explore has the rest. */
export const RECENT_LOGS_LIMIT = 20;

const isError = (row: LogRow) => row.level === 'error' || row.level === 'critical';

/**
 * The link opener of the landing page's log lines: a trace link opens the trace page (its
 * waterfall), not a split pane, since there is no pane here to keep beside it.
 */
function useTracePageOpener(): PaneOpener {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  return useMemo(() => {
    const hrefFor = (pane: PaneState) =>
      pane.type === 'trace'
        ? traceHref(pane.traceId, params, { span: pane.spanId })
        : exploreHref([pane], params);
    return { hrefFor, open: (pane) => navigate(hrefFor(pane)) };
  }, [params, navigate]);
}

/**
 * The landing page's most recent log lines across services, newest first, each with its trace
 * link (derived fields and OTLP records' `trace_id`, as in Explore); error lines stand out.
 */
export default function LandingLogs() {
  const [params] = useSearchParams();
  const headingId = useId();
  const opener = useTracePageOpener();
  const logs = useLogs({
    query: RECENT_LOGS_QUERY,
    range: readTimeRange(params),
    tenant: readTenant(params),
    limit: RECENT_LOGS_LIMIT,
    direction: 'backward',
    live: false,
  });
  const config = useClientConfig();
  const derived = useMemo(() => compileDerivedFields(config.data?.logs.derivedFields ?? []), [config.data]);
  const renderRow = useLogRowRenderer(derived.compiled, opener);

  const rows = logs.data?.rows ?? [];
  const errors = rows.filter(isError).length;
  let body: ReactNode;
  if (logs.isError) {
    body = <p className="muted small">Unavailable: {logs.error.message}</p>;
  } else if (logs.isPending) {
    body = (
      <p className="muted small" role="status">
        Loading…
      </p>
    );
  } else if (rows.length === 0) {
    body = <p className="muted small">No logs in this time range.</p>;
  } else {
    body = (
      <ul className="landing-log-rows" aria-label="Log lines">
        {rows.map((row) => (
          <li key={row.id}>{renderRow(row)}</li>
        ))}
      </ul>
    );
  }

  return (
    <section className="panel landing-logs" aria-labelledby={headingId}>
      <div className="landing-panel-header">
        <h2 id={headingId}>Recent logs</h2>
        {errors > 0 && (
          <span className="badge badge--error">
            {errors} error{errors === 1 ? '' : 's'}
          </span>
        )}
        <Link className="small" to={exploreHref([{ type: 'logs', query: RECENT_LOGS_QUERY }], params)}>
          Open in Explore
        </Link>
      </div>
      {body}
    </section>
  );
}
