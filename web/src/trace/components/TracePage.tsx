import { TraceNotKeptError } from '../../api/client';
import { type DataSource, useTrace } from '../../api/queries';
import { Link, useParams, useSearchParams } from '../../router/router';
import { homeHref, readTenant } from '../../state/url-state';
import { parseTraceIdInput } from '../model/ids';
import { TraceView } from './TraceView';

/** `/trace/:traceId`: the trace of the URL's path. */
export function TracePage() {
  const { traceId = '' } = useParams();
  return <TracePane traceId={traceId} />;
}

/**
 * One trace by ID, as a page or as an Explore pane: loads it (one request) and shows loading,
 * not-found or error states. The selected span, filter, tenant and source come from the URL.
 */
export function TracePane({ traceId }: { traceId: string }) {
  const [params] = useSearchParams();
  const parsed = parseTraceIdInput(traceId);
  const tenant = readTenant(params);
  const dataSource: DataSource = params.get('ds') === 'file' ? 'file' : 'loupe';
  const id = parsed.ok ? parsed.id : '';
  const query = useTrace(id, tenant, parsed.ok ? dataSource : 'file');

  if (!parsed.ok) {
    return (
      <EmptyState title="Not a trace ID" id={traceId}>
        <p role="alert">{parsed.error}</p>
      </EmptyState>
    );
  }
  if (query.data) {
    return (
      <TraceView
        key={`${dataSource}/${tenant}/${id}`}
        trace={query.data}
        traceKey={`${dataSource}/${tenant}/${id}`}
      />
    );
  }
  if (dataSource === 'file') {
    return (
      <EmptyState title="Trace file not loaded" id={id}>
        <p>This trace was opened from a file, which is not kept after a reload. Open the file again.</p>
      </EmptyState>
    );
  }
  if (query.isPending) {
    return (
      <div className="loading-state" role="status">
        <span className="spinner" aria-hidden="true" />
        Loading trace <code>{id}</code>…
      </div>
    );
  }
  if (query.isError && query.error instanceof TraceNotKeptError) {
    return (
      <EmptyState title="Trace not kept by sampling" id={id}>
        <p role="alert">{query.error.message}</p>
        <p>
          Its spans were received, counted in span metrics and the service graph, and then dropped by tail
          sampling (see the <code>sampling:</code> policies in Loupe's config).
        </p>
      </EmptyState>
    );
  }
  if (query.isError) {
    const error = query.error;
    const serverDown = error.status === 0 || error.status >= 500;
    return (
      <EmptyState title={serverDown ? 'Could not load the trace' : 'The server refused the request'} id={id}>
        <p role="alert">{error.message}</p>
        {error.retryable && (
          <button
            type="button"
            className="button button--primary"
            onClick={() => query.refetch()}
            disabled={query.isFetching}
          >
            {query.isFetching ? 'Retrying…' : 'Retry'}
          </button>
        )}
      </EmptyState>
    );
  }
  return (
    <EmptyState title="Trace not found" id={id}>
      <p>
        No trace with this ID{tenant ? ` for tenant ${tenant}` : ''}. It may not have arrived yet, have been
        deleted by retention, or belong to another tenant.
      </p>
    </EmptyState>
  );
}

function EmptyState(props: { title: string; id: string; children: React.ReactNode }) {
  const [params] = useSearchParams();
  return (
    <section className="empty-state" aria-labelledby="empty-title">
      <h1 id="empty-title">{props.title}</h1>
      <p className="trace-id-echo">
        Trace ID <code>{props.id}</code>
      </p>
      {props.children}
      <Link to={homeHref(params)} className="button button--ghost">
        Open another trace
      </Link>
    </section>
  );
}
