import { lazy, Suspense } from 'react';
import { useOverviewContext, useServicesWithMetrics } from '../metrics/use-services';
import { Link, useSearchParams } from '../router/router';
import { searchPageHref } from '../state/url-state';
import { TraceIdForm } from '../trace/components/TraceIdForm';
import { LANDING_TARGETS } from './landing/landing-targets';

// Charts are a chunk of their own: the page (and a trace opened from it) never waits for them.
const RedOverview = lazy(() => import('../metrics/RedOverview'));
// So are the recent-traces lists: the trace-ID box is on screen before they load.
const RecentTraces = lazy(() => import('../search/RecentTraces'));
// And the recent logs and the first-steps strip.
const LandingLogs = lazy(() => import('./landing/LandingLogs'));
const FirstSteps = lazy(() => import('./landing/FirstSteps'));

/**
 * Where users land: one box to paste a trace ID into, then the three other ways to a trace, each a
 * click from a waterfall: the most recent traces and errors, the most recent log lines with their
 * trace links and, once span metrics exist, the RED view of every service (service graph, charts
 * with exemplar dots). A dismissable strip beside the box points at the three.
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
  // user is typing (a different parent element would remount it, empty). Panels are placed by CSS
  // (landing.css), never by moving the box.
  return (
    <section className="landing" aria-labelledby="landing-title">
      <div className="landing-column">
        <div className="landing-top">
          {panel}
          <Suspense fallback={null}>
            <FirstSteps hasMetrics={hasMetrics} />
          </Suspense>
        </div>
        <div className="landing-grid">
          {/* tabIndex -1: the strip's links move focus here. */}
          <div id={LANDING_TARGETS.traces} className="landing-slot" tabIndex={-1}>
            <Suspense fallback={null}>
              <RecentTraces />
            </Suspense>
          </div>
          <div id={LANDING_TARGETS.logs} className="landing-slot" tabIndex={-1}>
            <Suspense fallback={null}>
              <LandingLogs />
            </Suspense>
          </div>
          {hasMetrics && (
            <div id={LANDING_TARGETS.latency} className="landing-slot landing-slot--red" tabIndex={-1}>
              <Suspense fallback={null}>
                <RedOverview services={services} context={overview} />
              </Suspense>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
