import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../store/backend/local-backend';
import { tempDataDir } from '../../testing/test-config';
import type { MetricQuery } from '../logql/ast';
import { parseLogQL } from '../logql/parser';
import { LogStore } from '../store/log-store';
import { MaxSeriesError, selectSamples } from './select-samples';

const silent = { warn() {}, error() {}, info() {} };
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;

/** One stream `{job="api"}` with a line `n=<i> kind=<i % 3>` every second from T0. */
async function store(lines: number): Promise<LogStore> {
  const dir = tempDataDir('loupe-select-samples-');
  dirs.push(dir);
  const s = new LogStore({
    backend: new LocalBackend(join(dir, 'blocks')),
    walPath: join(dir, 'wal', 'logs'),
    maxChunkBytes: 1024 * 1024,
    maxChunkAgeMs: 3600_000,
    retentionMs: 100 * 365 * 86_400_000,
    logger: silent,
  });
  await s.open();
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

const stats = () => ({ linesScanned: 0, bytesScanned: 0, chunksRead: 0 });
const metric = (query: string) => parseLogQL(query) as MetricQuery;
const range = (fromMs: number, toMs: number) => ({ startMs: fromMs, startNs: 0, endMs: toMs, endNs: 0 });

describe('selectSamples: max_query_series', () => {
  it('refuses an answer of more series than the limit, with Loki’s message and Loupe’s key', async () => {
    const s = await store(100);
    const query = metric('count_over_time({job="api"} | logfmt [1m])');
    const over = await selectSamples(
      s,
      'acme',
      query,
      range(T0, T0 + 100_000),
      10_000,
      stats(),
      undefined,
      99,
    ).catch((err: unknown) => err);
    expect(over).toBeInstanceOf(MaxSeriesError);
    expect((over as MaxSeriesError).statusCode).toBe(400);
    expect((over as Error).message).toMatch(
      /^maximum number of series \(99\) reached for a single query; consider reducing query cardinality .* \(logs\.max_query_series\)$/,
    );
    const at = await selectSamples(
      s,
      'acme',
      query,
      range(T0, T0 + 100_000),
      10_000,
      stats(),
      undefined,
      100,
    );
    expect(at).toHaveLength(100);
    await s.close({ flush: false });
  });

  it('counts `sum` groups, not the series summed', async () => {
    const s = await store(100);
    const by = (grouping: string) =>
      selectSamples(
        s,
        'acme',
        metric(`sum by (${grouping}) (count_over_time({job="api"} | logfmt [1m]))`),
        range(T0, T0 + 100_000),
        10_000,
        stats(),
        undefined,
        3,
      );
    expect((await by('kind')).map((r) => r.metric)).toEqual([{ kind: '0' }, { kind: '1' }, { kind: '2' }]);
    await expect(by('n')).rejects.toBeInstanceOf(MaxSeriesError);
    await s.close({ flush: false });
  });

  it('counts only series with a point at some step, as the answer does', async () => {
    const s = await store(100);
    // Steps every 50 s with a 1 s window: only the lines at 0 s, 50 s and 100 s fall in one.
    const query = metric('count_over_time({job="api"} | logfmt [1s])');
    const answer = await selectSamples(
      s,
      'acme',
      query,
      range(T0, T0 + 100_000),
      50_000,
      stats(),
      undefined,
      3,
    );
    expect(answer.map((r) => r.metric.n)).toEqual(['0', '50']);
    await s.close({ flush: false });
  });
});
