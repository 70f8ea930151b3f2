import { Link, useLocation, useSearchParams } from '../router/router';
import { spanName, type TraceLayout } from '../trace/model/layout';
import { toEpochMs } from '../trace/model/nanos';
import type { Span } from '../trace/model/types';
import { readPanes } from './explore-url';
import { type SpanLinkContext, spanLogsHref, spanMetricsHref, traceLogsHref } from './signal-links';

/** The span's logs and metrics, opened beside the trace (trace-to-logs, trace-to-metrics). */
export function SpanSignalLinks({ layout, index, span }: { layout: TraceLayout; index: number; span: Span }) {
  const [params] = useSearchParams();
  const inExplore = useLocation().pathname === '/explore';
  const spanStartMs = toEpochMs(layout.baseSec, span.startNs);
  const ctx: SpanLinkContext = {
    params,
    panes: inExplore ? readPanes(params) : [],
    traceId: layout.traceId,
    spanId: span.spanId,
    service: span.resource.serviceName,
    spanName: spanName(layout, index),
    spanStartMs,
    spanEndMs: spanStartMs + span.durationNs / 1e6,
    traceStartMs: layout.stats.startEpochMs,
    traceEndMs: layout.stats.startEpochMs + layout.stats.durationNs / 1e6,
  };
  return (
    <nav className="signal-links" aria-label="Related signals">
      <Link className="button button--ghost" to={spanLogsHref(ctx)}>
        Logs for this span
      </Link>
      <Link className="button button--ghost" to={traceLogsHref(ctx)}>
        Logs for this trace
      </Link>
      <Link className="button button--ghost" to={spanMetricsHref(ctx)}>
        Metrics for this service/operation
      </Link>
    </nav>
  );
}
