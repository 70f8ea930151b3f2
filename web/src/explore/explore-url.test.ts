import { besidePanes, exploreHref, type PaneState, readPanes, withPanes } from './explore-url';

const logs: PaneState = { type: 'logs', query: '{service_name="checkout"} | trace_id="ab"' };
const trace: PaneState = {
  type: 'trace',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: 'b7ad6b7169203331',
};
const metrics: PaneState = {
  type: 'metrics',
  queries: ['sum(rate(a[1m]))', 'sum(rate(b[1m]))'],
  datasource: 'prom',
};

const search = (href: string) => new URLSearchParams(href.slice(href.indexOf('?') + 1));

describe('Explore URL', () => {
  it('round-trips every pane type through a link', () => {
    for (const panes of [[logs], [logs, trace], [trace, metrics], [metrics, logs]] as PaneState[][]) {
      expect(readPanes(search(exploreHref(panes, new URLSearchParams())))).toEqual(panes);
    }
  });

  it('keeps the global parameters and drops the rest', () => {
    const href = exploreHref([logs], new URLSearchParams('tenant=t1&from=now-6h&to=now&op=x'));
    expect(href).toBe(
      `/explore?tenant=t1&from=now-6h&to=now&left=logs&logs=${encodeURIComponent(logs.query)}`.replace(
        /%20/g,
        '+',
      ),
    );
  });

  it('reads a bare /explore as an empty logs pane, and ignores a second pane of the same type', () => {
    expect(readPanes(new URLSearchParams())).toEqual([{ type: 'logs', query: '' }]);
    expect(readPanes(new URLSearchParams('left=logs&right=logs&logs=x'))).toEqual([
      { type: 'logs', query: 'x' },
    ]);
  });

  it('opens a pane beside the one a link is in, replacing the other', () => {
    expect(besidePanes([logs], logs, trace)).toEqual([logs, trace]);
    expect(besidePanes([logs, metrics], logs, trace)).toEqual([logs, trace]);
    expect(besidePanes([metrics, trace], trace, logs)).toEqual([logs, trace]);
    expect(besidePanes([], trace, logs)).toEqual([trace, logs]);
  });

  it('keeps the trace view’s selection and filter while the same trace stays open', () => {
    const current = search(
      exploreHref([logs, { ...trace, spanId: undefined }], new URLSearchParams('from=1&to=2')),
    );
    current.set('span', 'aaaa000000000001');
    current.set('op', 'GET');
    const next = withPanes(current, [{ type: 'trace', traceId: trace.traceId }, metrics]);
    expect(next.get('span')).toBe('aaaa000000000001');
    expect(next.get('op')).toBe('GET');
    expect(next.get('logs')).toBeNull();
    expect(next.get('from')).toBe('1');
    expect(readPanes(next)).toEqual([
      { type: 'trace', traceId: trace.traceId, spanId: 'aaaa000000000001' },
      metrics,
    ]);
  });

  it('forgets the old trace’s selection when another trace opens', () => {
    const current = search(exploreHref([logs, trace], new URLSearchParams()));
    current.set('op', 'GET');
    const next = withPanes(current, [logs, { type: 'trace', traceId: 'cd' }]);
    expect(next.get('span')).toBeNull();
    expect(next.get('op')).toBeNull();
    expect(next.get('traceId')).toBe('cd');
  });
});
