import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from '../../store/backend/local-backend';
import { METRICS_PREFIX } from '../../store/backend/prefixes';
import { tempDataDir } from '../../testing/test-config';
import { SeriesStore } from './series-store';

const HOUR = 3600_000;

function openStore(dir: string, overrides: { retentionMs?: number; maxSeriesPerTenant?: number } = {}) {
  return new SeriesStore({
    backend: new LocalBackend(join(dir, 'blocks')),
    walDir: join(dir, 'wal'),
    retentionMs: overrides.retentionMs ?? 24 * HOUR,
    maxSeriesPerTenant: overrides.maxSeriesPerTenant ?? 1000,
    chunkPeriodMs: HOUR,
    logger: pino({ level: 'silent' }),
  });
}

const series = (name: string, t: number, v: number) => ({
  labels: { __name__: name, job: 'api' },
  timestamps: [t],
  values: [v],
});

describe('series store', () => {
  it('cuts WAL batches into compressed chunks under @metrics/<tenant>/ and reloads them', async () => {
    const dir = tempDataDir();
    const start = Date.now() - 2 * HOUR;
    const store = openStore(dir);
    await store.open(start);
    for (let i = 0; i < 10; i++)
      await store.append('t1', { series: [series('up', start + i * 15_000, i)] }).durable;
    await store.maintain(start + 2 * HOUR);
    const chunks = readdirSync(join(dir, 'blocks', METRICS_PREFIX, 't1'));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatch(/\.chunk$/);
    // The WAL no longer holds the chunked samples: after a reopen they come from the chunk alone.
    await store.close();
    const reopened = openStore(dir);
    await reopened.open(start + 2 * HOUR);
    expect(reopened.tenant('t1')).toBeUndefined();
    const [up] = (await reopened.querier('t1', start, start + HOUR)).all();
    expect(up.values).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await reopened.close();
  });

  it('keeps only recent samples in memory and merges chunks back in for older ranges', async () => {
    const dir = tempDataDir();
    const start = Date.now() - 6 * HOUR;
    const store = openStore(dir);
    await store.open(start);
    // One sample every 10 minutes for 6 hours, maintenance running as time passes.
    for (let i = 0; i <= 36; i++) {
      const t = start + i * 600_000;
      await store.append('t1', { series: [series('up', t, i)] }).durable;
      await store.maintain(t);
    }
    const now = start + 6 * HOUR;
    // Head: chunk period (1 h) + 1 h; everything older is only in chunks.
    const head = store.tenant('t1')!.all()[0];
    expect(head.timestamps[0]).toBeGreaterThanOrEqual(now - 2 * HOUR - 600_000);
    const recent = (await store.querier('t1', now - HOUR, now)).all()[0];
    expect(recent).toBe(head);
    const whole = (await store.querier('t1', start, now)).all()[0];
    expect(whole.values).toEqual(Array.from({ length: 37 }, (_, i) => i));
    expect(readdirSync(join(dir, 'blocks', METRICS_PREFIX, 't1')).length).toBeGreaterThanOrEqual(4);
    await store.close();
  });

  it('drops samples and chunks past retention', async () => {
    const dir = tempDataDir();
    const old = Date.now() - 10 * HOUR;
    const store = openStore(dir, { retentionMs: 5 * HOUR });
    await store.open(old);
    await store.append('t1', { series: [series('old', old, 1)] }).durable;
    await store.maintain(old + 2 * HOUR);
    await store.append('t1', { series: [series('new', Date.now(), 2)] }).durable;
    await store.maintain(Date.now());
    await store.applyRetention(Date.now());
    expect(store.tenant('t1')!.labelValues('__name__')).toEqual(['new']);
    expect(readdirSync(join(dir, 'blocks', METRICS_PREFIX, 't1'))).toEqual([]);
    await store.close();
  });

  it('refuses new series past the per-tenant limit but keeps appending to existing ones', async () => {
    const dir = tempDataDir();
    const store = openStore(dir, { maxSeriesPerTenant: 2 });
    await store.open();
    const now = Date.now();
    const first = store.append('t1', {
      series: [series('a', now, 1), series('b', now, 1), series('c', now, 1)],
    });
    expect(first.droppedSeries).toBe(1);
    const second = store.append('t1', { series: [series('a', now + 1, 2)] });
    expect(second.droppedSeries).toBe(0);
    // Another tenant has its own limit.
    expect(store.append('t2', { series: [series('c', now, 1)] }).droppedSeries).toBe(0);
    expect(
      store
        .tenant('t1')!
        .all()
        .map((s) => s.values),
    ).toEqual([[1, 2], [1]]);
    await store.close();
  });

  it('refuses new series past the per-append cap, apart from the tenant limit, and keeps existing ones', async () => {
    const dir = tempDataDir();
    const store = openStore(dir);
    await store.open();
    const now = Date.now();
    await store.append('t1', { series: [series('old', now, 1)] }).durable;
    const names = ['old', 'n1', 'n2', 'n3', 'n4'];
    const result = store.append('t1', { series: names.map((n) => series(n, now + 1, 2)) }, 2);
    expect(result).toMatchObject({ droppedSeries: 0, overNewSeriesLimit: { series: 2, samples: 2 } });
    await result.durable;
    expect(store.tenant('t1')!.labelValues('__name__')).toEqual(['n1', 'n2', 'old']);
    // The cap is per append: the next one creates two more.
    store.append('t1', { series: names.map((n) => series(n, now + 2, 3)) }, 2);
    expect(store.tenant('t1')!.size).toBe(5);
    await store.close();
  });

  it('leaves out a series it cannot write to the WAL, counts it, and stores the rest durably', async () => {
    const dir = tempDataDir();
    const store = openStore(dir);
    await store.open();
    const now = Date.now();
    const tooLarge = {
      ...series('too_large', now, 1),
      labels: { __name__: 'too_large', v: 'x'.repeat(2 << 20) },
    };
    // JSON cannot encode a BigInt: a stand-in for a series whose encoding throws.
    const unencodable = {
      ...series('unencodable', now, 1),
      labels: { __name__: 'unencodable', v: 1n as never },
    };
    const result = store.append('t1', {
      series: [series('up', now, 1), tooLarge, unencodable, series('down', now, 0)],
    });
    expect(result).toMatchObject({ unwritableSeries: 2, unwritableSamples: 2, droppedSeries: 0 });
    await result.durable;
    // Not served from memory either: it would vanish at the next start.
    expect(store.tenant('t1')!.labelValues('__name__')).toEqual(['down', 'up']);
    await store.close();
    const reopened = openStore(dir);
    await reopened.open();
    expect(reopened.tenant('t1')!.labelValues('__name__')).toEqual(['down', 'up']);
    await reopened.close();
  });
});
