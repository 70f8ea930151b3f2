import type { ExemplarTraceIdDestination } from '../api/client';
import { exemplarLinks, flattenExemplars, thinExemplars } from './exemplars';

const TEMPO_DEFAULTS: ExemplarTraceIdDestination[] = [
  { name: 'traceID', datasourceUid: 'tempo' },
  { name: 'trace_id', datasourceUid: 'tempo' },
];

describe('exemplar links', () => {
  it("opens the trace named by Tempo's traceID label, on its span", () => {
    expect(exemplarLinks({ traceID: 'abc', spanID: '01' }, TEMPO_DEFAULTS)).toEqual([
      { kind: 'trace', destination: 'traceID', traceId: 'abc', spanId: '01' },
    ]);
  });

  it("opens the trace named by OpenTelemetry's trace_id label", () => {
    expect(exemplarLinks({ trace_id: 'def', span_id: '02' }, TEMPO_DEFAULTS)).toEqual([
      { kind: 'trace', destination: 'trace_id', traceId: 'def', spanId: '02' },
    ]);
  });

  it('has no link when no configured label is present', () => {
    expect(exemplarLinks({ traceID: 'abc' }, [{ name: 'trace_id', datasourceUid: 'tempo' }])).toEqual([]);
  });

  it('fills a URL destination template with the label value', () => {
    const links = exemplarLinks({ tid: 'a b' }, [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's URL placeholder
      { name: 'tid', url: 'https://tracing.example/trace/${__value.raw}?x=1', urlDisplayLabel: 'Vendor' },
    ]);
    expect(links).toEqual([
      { kind: 'url', destination: 'tid', href: 'https://tracing.example/trace/a%20b?x=1', label: 'Vendor' },
    ]);
  });
});

describe('flattenExemplars', () => {
  it('reads string values and second timestamps, in time order, skipping unreadable ones', () => {
    const exemplars = flattenExemplars([
      {
        seriesLabels: { le: '0.5' },
        exemplars: [
          { labels: { traceID: 'b' }, value: '0.31', timestamp: 1700000002.5 },
          { labels: { traceID: 'a' }, value: '0.12', timestamp: 1700000001 },
          { labels: { traceID: 'c' }, value: 'oops', timestamp: 1700000003 },
        ],
      },
    ]);
    expect(exemplars.map((e) => [e.labels.traceID, e.t, e.value])).toEqual([
      ['a', 1700000001000, 0.12],
      ['b', 1700000002500, 0.31],
    ]);
    expect(exemplars[0].seriesLabels).toEqual({ le: '0.5' });
  });

  it('thins thousands of exemplars to the slowest per time slice', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      t: i * 1000,
      value: i === 500 ? 99 : 1,
      labels: {},
      seriesLabels: {},
    }));
    const kept = thinExemplars(many, 50);
    expect(kept.length).toBeLessThanOrEqual(50);
    expect(kept.some((e) => e.value === 99)).toBe(true);
    expect(kept.map((e) => e.t)).toEqual([...kept.map((e) => e.t)].sort((a, b) => a - b));
  });
});
