import { type ReactNode, useId, useMemo } from 'react';
import { useClientConfig } from '../../api/queries';
import { exploreHref, type PaneState } from '../../explore/explore-url';
import type { PaneOpener } from '../../logs/DerivedLinkAnchor';
import { compileDerivedFields } from '../../logs/derived-fields';
import type { LogRow } from '../../logs/log-rows';
import { useLogRowRenderer } from '../../logs/use-log-row-renderer';
import { useLogs } from '../../logs/use-logs';
import { Link, useNavigate, useSearchParams } from '../../router/router';
import { readTenant, readTimeRange, traceHref, withParam } from '../../state/url-state';

/** Every stream Loupe has a service for: OTLP records and pushed lines alike carry `service_name`. */
const RECENT_LOGS_QUERY = '{service_name=~".+"}';
/**
 * Only the failing lines. The newest 20 lines are a second or two of a busy system, where an
 * error line is rare; these are the lines whose trace link leads to a failure.
 */
const RECENT_ERROR_LOGS_QUERY = `${RECENT_LOGS_QUERY} | detected_level=~"error|critical|fatal"`;
/** Enough to see what is going on at a glance; Explore has the rest. */
const RECENT_LOGS_LIMIT = 20;
/** The URL parameter that keeps the panel's choice (`logs=errors`), so a reload or link keeps it. */
const LOGS_VIEW_PARAM = 'logs';

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
  const [params, setParams] = useSearchParams();
  const headingId = useId();
  const opener = useTracePageOpener();
  const errorsOnly = params.get(LOGS_VIEW_PARAM) === 'errors';
  const query = errorsOnly ? RECENT_ERROR_LOGS_QUERY : RECENT_LOGS_QUERY;
  const showErrorsOnly = (on: boolean) =>
    setParams(withParam(params, LOGS_VIEW_PARAM, on ? 'errors' : null), { replace: true });
  const logs = useLogs({
    query,
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
    body = (
      <p className="muted small">
        {errorsOnly ? 'No error lines in this time range.' : 'No logs in this time range.'}
      </p>
    );
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
        {errors > 0 && !errorsOnly && (
          <span className="badge badge--error">
            {errors} error{errors === 1 ? '' : 's'}
          </span>
        )}
        <fieldset className="landing-logs-view">
          <legend className="visually-hidden">Show</legend>
          {[false, true].map((on) => (
            <label key={String(on)}>
              <input
                type="radio"
                name={`${headingId}-view`}
                checked={errorsOnly === on}
                onChange={() => showErrorsOnly(on)}
              />
              {on ? 'Errors' : 'All'}
            </label>
          ))}
        </fieldset>
        <Link className="small" to={exploreHref([{ type: 'logs', query }], params)}>
          Open in Explore
        </Link>
      </div>
      {body}
    </section>
  );
}
