import type { LoadedTrace } from '../../api/client';
import { CopyButton } from '../../components/common/CopyButton';
import { useShowUtc } from '../../state/preferences';
import { plural } from '../model/build-model';
import { formatCount, formatDuration, formatTimestamp, samplingLabel } from '../model/format';
import { getTraceWorker } from '../worker/trace-worker';

/** Root service and operation, then the trace's vital statistics. */
export function TraceHeader({ trace }: { trace: LoadedTrace }) {
  const { layout } = trace;
  const { stats } = layout;
  const utc = useShowUtc();

  const download = async () => {
    const blob = new Blob([await getTraceWorker().raw(trace.workerKey)], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `trace-${layout.traceId}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <header className="trace-header">
      <div className="trace-title-row">
        <h1 className="trace-title">
          <span className="trace-title-service">{stats.rootService || 'unknown service'}</span>
          {`: ${stats.rootName || 'unnamed operation'}`}
        </h1>
        <div className="trace-actions">
          {trace.source === 'file' && <span className="badge">from {trace.fileName ?? 'file'}</span>}
          <button type="button" className="button button--ghost" onClick={download}>
            Download JSON
          </button>
        </div>
      </div>
      <dl className="trace-stats">
        <Stat term="Trace ID">
          <code>{layout.traceId}</code> <CopyButton value={layout.traceId} label="Copy trace ID" />
        </Stat>
        <Stat term="Started">{formatTimestamp(stats.startEpochMs, utc)}</Stat>
        <Stat term="Duration">{formatDuration(stats.durationNs)}</Stat>
        <Stat term="Spans">{formatCount(stats.spanCount)}</Stat>
        <Stat term="Services">{formatCount(stats.serviceCount)}</Stat>
        <Stat term="Depth">{formatCount(stats.depth)}</Stat>
        <Stat term="Errors" className={stats.errorCount > 0 ? 'stat--error' : undefined}>
          {formatCount(stats.errorCount)}
        </Stat>
        {layout.sampling && (
          <Stat term="Sampling">
            <span
              title={`Tail sampling kept this trace: policy ${layout.sampling.policy || '(none)'}, reason ${layout.sampling.reason}`}
            >
              {samplingLabel(layout.sampling)}
            </span>
          </Stat>
        )}
        {stats.skewCount > 0 && (
          <Stat term="Clock skew" className="stat--warning">
            {plural(stats.skewCount, 'span')}
          </Stat>
        )}
      </dl>
    </header>
  );
}

function Stat(props: { term: string; className?: string; children: React.ReactNode }) {
  return (
    <div className={`trace-stat ${props.className ?? ''}`}>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}
