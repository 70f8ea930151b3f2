import { type MouseEvent, type ReactNode, useId } from 'react';
import { useRecentTraces } from '../../search/RecentTraces';
import { usePreferences } from '../../state/preferences';
import { LANDING_TARGETS } from './landing-targets';

/**
 * The preference name of each message's dismissal, one per message: dismissing the "send some
 * data" hint must not hide the three paths that replace it once data arrives.
 */
const HINTS = { paths: 'landing.firstSteps', sendData: 'landing.sendData' } as const;

/**
 * Scrolls to the panel and moves focus there, so keyboard users land where they were sent. The
 * router is left alone: a `#hash` would become part of the app's URL.
 */
function goTo(event: MouseEvent<HTMLAnchorElement>, id: string) {
  const target = document.getElementById(id);
  if (!target) return;
  event.preventDefault();
  const reduceMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
  target.focus({ preventScroll: true });
  target.scrollIntoView?.({ behavior: reduceMotion ? 'auto' : 'smooth', block: 'start' });
}

function Step({ target, title, children }: { target?: string; title: string; children: ReactNode }) {
  return (
    <li>
      {target ? (
        <a href={`#${target}`} onClick={(e) => goTo(e, target)}>
          {title}
        </a>
      ) : (
        <span>{title}</span>
      )}{' '}
      <span className="muted small">{children}</span>
    </li>
  );
}

/**
 * The landing page's short guide: the three ways from here to a trace's waterfall, each a jump to
 * its panel; in an empty Loupe (no traces in the range), how to send some instead. Dismissable;
 * shown once the recent-traces search has answered, so it does not flip from one message to the other.
 */
export default function FirstSteps({ hasMetrics }: { hasMetrics: boolean }) {
  const headingId = useId();
  const recent = useRecentTraces();
  const dismissedHints = usePreferences((s) => s.dismissedHints);
  const dismissHint = usePreferences((s) => s.dismissHint);
  if (recent.isPending) return null;
  const variant = recent.data?.traces.length === 0 ? 'sendData' : 'paths';
  if (dismissedHints.includes(HINTS[variant])) return null;

  return (
    <section className="panel first-steps" aria-labelledby={headingId}>
      <div className="landing-panel-header">
        <h2 id={headingId}>First steps</h2>
        <button
          type="button"
          className="button button--ghost first-steps-dismiss"
          onClick={() => dismissHint(HINTS[variant])}
        >
          Dismiss
        </button>
      </div>
      {variant === 'sendData' ? (
        <>
          <p>
            No traces yet. Point an OpenTelemetry SDK or Collector at Loupe's OTLP receiver: gRPC on port{' '}
            <code>4317</code>, HTTP on port <code>4318</code>.
          </p>
          <p className="muted small">
            Just looking? Stop this Loupe and run <code>npm run demo</code> in its folder: it starts Loupe
            again with six sample services sending to it.
          </p>
        </>
      ) : (
        <>
          <p className="muted small">Three ways to a trace's waterfall, one click each:</p>
          <ol className="first-steps-list">
            <Step target={LANDING_TARGETS.traces} title="Open an error trace from the list">
              the newest failed requests
            </Step>
            <Step target={LANDING_TARGETS.logs} title="Follow a log line's trace link">
              at the end of a line that carries a trace ID (Errors shows the failing ones)
            </Step>
            <Step
              target={hasMetrics ? LANDING_TARGETS.latency : undefined}
              title="Click a dot on a latency chart"
            >
              {hasMetrics
                ? 'each dot is one real request at that latency'
                : 'the charts appear once span metrics arrive'}
            </Step>
          </ol>
        </>
      )}
    </section>
  );
}
