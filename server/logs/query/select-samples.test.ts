import { describe, expect, it } from 'vitest';
import type { MetricQuery } from '../logql/ast';
import { parseLogQL } from '../logql/parser';
import type { LogStore } from '../store/log-store';
import { tempLogStores } from '../store/log-store-test-support';
import { MaxSeriesError, selectSamples } from './select-samples';

const openStore = tempLogStores('loupe-select-samples-');

const T0 = 1_700_000_000_000;

/** One stream `{job="api"}` with a line `n=<i> kind=<i % 3>` every second from T0. */
async function store(lines: number): Promise<LogStore> {
  const s = await openStore(100 * 365 * 86_400_000);
  await s.push('acme', {
    streams: [
      {
        labels: { job: 'api' },
        entries: Array.from({ length: lines }, (_, i) => ({
          ms: T0 + i * 1000,
          ns: 0,
          line: `n=${i} kind=${i % 3}`,
        })),
      },
    ],
  });
  return s;
}

const metric = (query: string) => parseLogQL(query) as MetricQuery;

/** `selectSamples` of tenant `acme` over T0 to T0 + 100 s, with fresh stats and at most `maxSeries` series. */
const samples = (s: LogStore, query: MetricQuery, stepMs: number, maxSeries: number) =>
  selectSamples(
    s,
    'acme',
    query,
    { startMs: T0, startNs: 0, endMs: T0 + 100_000, endNs: 0 },
    stepMs,
    { linesScanned: 0, bytesScanned: 0, chunksRead: 0 },
    undefined,
    maxSeries,
  );

describe('selectSamples: max_query_series', () => {
  it('refuses an answer of more series than the limit, with Loki’s message and Loupe’s key', async () => {
    const s = await store(100);
    const query = metric('count_over_time({job="api"} | logfmt [1m])');
    const over = await samples(s, query, 10_000, 99).catch((err: unknown) => err);
    expect(over).toBeInstanceOf(MaxSeriesError);
    expect((over as MaxSeriesError).statusCode).toBe(400);
    expect((over as Error).message).toMatch(
      /^maximum number of series \(99\) reached for a single query; consider reducing query cardinality .* \(logs\.max_query_series\)$/,
    );
    const at = await samples(s, query, 10_000, 100);
    expect(at).toHaveLength(100);
    await s.close({ flush: false });
  });

  it('counts `sum` groups, not the series summed', async () => {
    const s = await store(100);
    const by = (grouping: string) =>
      samples(s, metric(`sum by (${grouping}) (count_over_time({job="api"} | logfmt [1m]))`), 10_000, 3);
    expect((await by('kind')).map((r) => r.metric)).toEqual([{ kind: '0' }, { kind: '1' }, { kind: '2' }]);
    await expect(by('n')).rejects.toBeInstanceOf(MaxSeriesError);
    await s.close({ flush: false });
  });

  it('counts only series with a point at some step, as the answer does', async () => {
    const s = await store(100);
    // Steps every 50 s with a 1 s window: only the lines at 0 s, 50 s and 100 s fall in one.
    const query = metric('count_over_time({job="api"} | logfmt [1s])');
    const answer = await samples(s, query, 50_000, 3);
    expect(answer.map((r) => r.metric.n)).toEqual(['0', '50']);
    await s.close({ flush: false });
  });
});
