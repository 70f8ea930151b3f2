import { TraceIdForm } from './TraceIdForm';

/** Where users land: one box to paste a trace ID into. */
export function LandingPage() {
  return (
    <section className="landing" aria-labelledby="landing-title">
      <div className="panel landing-panel">
        <h1 id="landing-title">Open a trace</h1>
        <p className="muted">
          Paste a trace ID from a log line, an exemplar or a ticket. IDs are hexadecimal, up to 32 characters;
          surrounding spaces and quotes are ignored.
        </p>
        <TraceIdForm variant="large" />
        <p className="muted small">
          Have a trace as JSON (OTLP, Tempo or Jaeger)? Use <strong>Open file…</strong> in the top bar; it
          never leaves your browser.
        </p>
      </div>
    </section>
  );
}
