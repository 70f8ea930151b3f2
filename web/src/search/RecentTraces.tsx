import { useId, useMemo } from 'react';
import { Link, useSearchParams } from '../router/router';
import { useShowUtc } from '../state/preferences';
import { describeTimeRange } from '../state/time-range';
import { readTenant, readTimeRange, traceHref } from '../state/url-state';
import { formatDuration, formatTimestamp } from '../trace/model/format';
import { formatAge, rootLabel, toTraceRow } from './search-results';
import { DEFAULT_SEARCH_LIMIT, searchHref } from './search-url';
import { useTraceSearch } from './use-search';

const RECENT_LIMIT = 10;
const ALL_TRACES = '{}';
const ERROR_TRACES = '{ status = error }';

/**
 * The newest traces in the global time range. The landing page's first-steps strip asks the same
 * (one request, cached) to tell an empty Loupe from one with data.
 */
export function useRecentTraces() {
  const [params] = useSearchParams();
  return useTraceSearch({
    query: ALL_TRACES,
    limit: RECENT_LIMIT,
    range: readTimeRange(params),
    tenant: readTenant(params),
  });
}

/**
 * The landing page's way into traces without an ID: the newest traces and the newest failed ones
 * in the global time range, each a link to the trace; with none, how to send some.
 */
export default function RecentTraces() {
  const [params] = useSearchParams();
  const range = readTimeRange(params);
  const tenant = readTenant(params);
  const utc = useShowUtc();
  const recent = useRecentTraces();
  const failed = useTraceSearch({ query: ERROR_TRACES, limit: RECENT_LIMIT, range, tenant });
  const rangeLabel = describeTimeRange(range, utc, Date.now()).toLowerCase();

  if (recent.data && recent.data.traces.length === 0) {
    return (
      <section className="panel recent-traces recent-traces--empty" aria-labelledby="recent-empty-title">
        <h2 id="recent-empty-title">No traces yet</h2>
        <p>
          Nothing arrived in {rangeLabel.startsWith('last') ? `the ${rangeLabel}` : rangeLabel}. Point an
          OpenTelemetry SDK or Collector at Loupe's OTLP receiver:
        </p>
        <ul>
          <li>
            OTLP/gRPC on port <code>4317</code>
          </li>
          <li>
            OTLP/HTTP on port <code>4318</code> (<code>POST /v1/traces</code>, protobuf or JSON)
          </li>
        </ul>
        <p className="muted small">
          For example <code>OTEL_EXPORTER_OTLP_ENDPOINT=http://&lt;this host&gt;:4318</code>. Traces show up
          here a few seconds after they end.
        </p>
      </section>
    );
  }

  return (
    <section className="panel recent-traces" aria-label="Recent traces">
      <RecentList
        title="Most recent traces"
        query={ALL_TRACES}
        search={recent}
        empty="No traces in this time range."
        utc={utc}
      />
      <RecentList
        title="Most recent errors"
        query={ERROR_TRACES}
        search={failed}
        empty="No failed traces in this time range."
        utc={utc}
      />
    </section>
  );
}

function RecentList(props: {
  title: string;
  query: string;
  search: ReturnType<typeof useTraceSearch>;
  empty: string;
  utc: boolean;
}) {
  const [params] = useSearchParams();
  const headingId = useId();
  const { data, error, isPending } = props.search;
  const rows = useMemo(() => (data?.traces ?? []).map(toTraceRow), [data]);
  const now = Date.now();
  return (
    <div className="recent-list">
      <div className="landing-panel-header">
        <h2 id={headingId}>{props.title}</h2>
        <Link className="small" to={searchHref({ query: props.query, limit: DEFAULT_SEARCH_LIMIT }, params)}>
          Search all
        </Link>
      </div>
      {error ? (
        <p className="muted small">Unavailable: {error.message}</p>
      ) : isPending ? (
        <p className="muted small" role="status">
          Loading…
        </p>
      ) : rows.length === 0 ? (
        <p className="muted small">{props.empty}</p>
      ) : (
        <ul className="recent-list-items" aria-labelledby={headingId}>
          {rows.map((row) => (
            <li key={row.traceId}>
              <Link to={traceHref(row.traceId, params)} className="recent-trace">
                <span className="recent-trace-root">{rootLabel(row)}</span>
                {row.errorCount > 0 && <span className="badge badge--error">error</span>}
                <span className="recent-trace-meta muted">
                  {formatDuration(row.durationMs * 1e6)} ·{' '}
                  <time
                    dateTime={new Date(row.startMs).toISOString()}
                    title={formatTimestamp(row.startMs, props.utc)}
                  >
                    {formatAge(row.startMs, now)}
                  </time>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
