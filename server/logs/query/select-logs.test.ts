import { describe, expect, it } from 'vitest';
import type { LogQuery } from '../logql/ast';
import { parseLogQL } from '../logql/parser';
import type { LogStore } from '../store/log-store';
import { tempLogStores } from '../store/log-store-test-support';
import { type SelectStats, selectLogs, type TimeRange } from './select-logs';

const openStore = tempLogStores('loupe-select-logs-');

const NOW = Date.now();
const STREAMS = 40;
const everything: TimeRange = { startMs: NOW - 3 * 3600_000, startNs: 0, endMs: NOW + 1000, endNs: 0 };

/**
 * `STREAMS` streams, each with 5 entries two hours old (flushed to a stored chunk) and 5 recent
 * ones (in the head); the recent entries of stream `s` are at `NOW - 60 s + s * 10 + i` ms.
 */
async function manyStreams(): Promise<LogStore> {
  const store = await openStore(7 * 86_400_000);
  const pushAt = (baseMs: number, tag: string) =>
    store.push('acme', {
      streams: Array.from({ length: STREAMS }, (_, s) => ({
        labels: { job: 'all', stream: `s${s}` },
        entries: Array.from({ length: 5 }, (_, i) => ({
          ms: baseMs + s * 10 + i,
          ns: 0,
          line: `${tag} s${s} #${i}`,
        })),
      })),
    });
  await pushAt(NOW - 2 * 3600_000, 'old');
  await store.flushAll();
  await pushAt(NOW - 60_000, 'new');
  return store;
}

const all = parseLogQL('{job=~".+"}') as LogQuery;

describe('selectLogs over many streams', () => {
  it('answers the newest `limit` entries of all streams, and reads no chunk that cannot hold one', async () => {
    const store = await manyStreams();
    const stats: SelectStats = { linesScanned: 0, bytesScanned: 0, chunksRead: 0 };
    const entries = await selectLogs(store, 'acme', all, everything, 10, 'backward', stats);
    // The newest: the last two streams' recent entries, newest first.
    const expected = [39, 38].flatMap((s) => [4, 3, 2, 1, 0].map((i) => `new s${s} #${i}`));
    expect(entries.map((e) => e.line)).toEqual(expected);
    // Every head is read; the old chunks only until 10 entries newer than all of them are kept.
    expect(stats.chunksRead).toBeLessThan(STREAMS + 5);
    await store.close({ flush: false });
  });

  it('answers the oldest `limit` entries going forward, the same with and without a limit on streams', async () => {
    const store = await manyStreams();
    const entries = await selectLogs(store, 'acme', all, everything, 7, 'forward');
    expect(entries.map((e) => e.line)).toEqual([
      'old s0 #0',
      'old s0 #1',
      'old s0 #2',
      'old s0 #3',
      'old s0 #4',
      'old s1 #0',
      'old s1 #1',
    ]);
    const unlimited = await selectLogs(store, 'acme', all, everything, 0, 'forward');
    expect(unlimited).toHaveLength(2 * 5 * STREAMS);
    expect(unlimited.slice(0, 7).map((e) => e.line)).toEqual(entries.map((e) => e.line));
    await store.close({ flush: false });
  });
});
