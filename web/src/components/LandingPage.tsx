import { lazy, Suspense } from 'react';
import { useOverviewContext, useServicesWithMetrics } from '../metrics/use-services';
import { Link, useSearchParams } from '../router/router';
import { searchPageHref } from '../state/url-state';
import { TraceIdForm } from '../trace/components/TraceIdForm';

// Charts are a chunk of their own: the page (and a trace opened from it) never waits for them.
const RedOverview = lazy(() => import('../metrics/RedOverview'));
// So are the recent-traces lists: the trace-ID box is on screen before they load.
const RecentTraces = lazy(() => import('../search/RecentTraces'));

/**
 * Where users land: one box to paste a trace ID into, the most recent traces and errors (a way in
 * without an ID) and, once span metrics exist, the RED view of every service with the service
 * graph below it.
 */
export function LandingPage() {
  const [params] = useSearchParams();
  const overview = useOverviewContext();
  const services = useServicesWithMetrics(overview);
  const hasMetrics = services.length > 0;
  const panel = (
    <div className="panel landing-panel">
      <h1 id="landing-title">Open a trace</h1>
      <p className="muted">
        Paste a trace ID from a log line, an exemplar or a ticket. IDs are hexadecimal, up to 32 characters;
        surrounding spaces and quotes are ignored.
      </p>
      <TraceIdForm variant="large" />
      <p className="muted small">
        No ID at hand? Open one of the recent traces below, or{' '}
        <Link to={searchPageHref(params)}>search for traces</Link> with TraceQL or a form.
      </p>
      <p className="muted small">
        Have a trace as JSON (OTLP, Tempo or Jaeger)? Use <strong>Open file…</strong> in the top bar; it never
        leaves your browser.
      </p>
    </div>
  );
  // One tree whether or not metrics exist: when they arrive, the trace-ID box must keep what the
  // user is typing (a different parent element would remount it, empty).
  return (
    <section className={hasMetrics ? 'landing landing--metrics' : 'landing'} aria-labelledby="landing-title">
      <div className="landing-column">
        {panel}
        <Suspense fallback={null}>
          <RecentTraces />
        </Suspense>
        {hasMetrics && (
          <Suspense fallback={null}>
            <RedOverview services={services} context={overview} />
          </Suspense>
        )}
      </div>
    </section>
  );
}
