import type { LoadedTrace } from '../../api/client';
import { SpanDetail } from '../detail/SpanDetail';
import { Minimap } from './Minimap';
import { SpanFilterBar } from './SpanFilterBar';
import { TimelineHeader } from './TimelineHeader';
import { TraceHeader } from './TraceHeader';
import { TraceNotices } from './TraceNotices';
import { TraceToolbar } from './TraceToolbar';
import { useTraceView } from './use-trace-view';
import { Waterfall } from './Waterfall';

/** One trace: header, filter, minimap, waterfall, and the span detail beside it. */
export function TraceView({ trace, traceKey }: { trace: LoadedTrace; traceKey: string }) {
  const { layout } = trace;
  const view = useTraceView(trace, traceKey);
  return (
    <section className="pane trace-pane" aria-label={`Trace ${layout.traceId}`}>
      <TraceHeader trace={trace} />
      <TraceNotices layout={layout} unknownSpan={view.unknownSpan} />
      <div className="trace-body">
        <div className="trace-main">
          <TraceToolbar layout={layout} view={view} />
          <SpanFilterBar key={traceKey} layout={layout} view={view} />
          <Minimap layout={layout} viewWindow={view.viewWindow} />
          <TimelineHeader scale={view.scale} />
          <Waterfall layout={layout} view={view} />
        </div>
        {view.selected >= 0 && (
          <SpanDetail
            trace={trace}
            index={view.selected}
            onClose={() => view.select(-1)}
            onSelect={view.select}
          />
        )}
      </div>
    </section>
  );
}
