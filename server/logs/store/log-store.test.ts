import { cpSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../store/backend/local-backend';
import { tempDataDir } from '../../testing/test-config';
import type { LogQuery } from '../logql/ast';
import { parseLogQL } from '../logql/parser';
import type { LogPush } from '../model';
import { selectLogs, type TimeRange } from '../query/select-logs';
import { decodeChunk, encodeChunk, toColumns } from './chunk-format';
import { LogStore } from './log-store';

const silent = { warn() {}, error() {}, info() {} };
const dirs: string[] = [];

function openStore(dir: string, overrides: { maxChunkBytes?: number; retentionMs?: number } = {}) {
  const store = new LogStore({
    backend: new LocalBackend(join(dir, 'blocks')),
    walPath: join(dir, 'wal', 'logs'),
    maxChunkBytes: overrides.maxChunkBytes ?? 1024 * 1024,
    maxChunkAgeMs: 3600_000,
    retentionMs: overrides.retentionMs ?? 7 * 86_400_000,
    logger: silent,
  });
  return store;
}

function freshDir(): string {
  const dir = tempDataDir('loupe-logs-store-');
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.now();
const everything: TimeRange = { startMs: 0, startNs: 0, endMs: NOW + 3600_000, endNs: 0 };
const api = parseLogQL('{service_name="api"}') as LogQuery;

function push(lines: string[], offsetMs = 0): LogPush {
  return {
    streams: [
      {
        labels: { service_name: 'api' },
        entries: lines.map((line, i) => ({
          ms: NOW - 60_000 + offsetMs + i,
          ns: 7,
          line,
          meta: { trace_id: `t${i}` },
        })),
      },
    ],
  };
}

async function lines(store: LogStore, query: LogQuery = api) {
  return (await selectLogs(store, 'acme', query, everything, 1000, 'forward')).map((e) => e.line);
}

describe('chunk format', () => {
  it('round-trips entries sorted by time, metadata included', async () => {
    const columns = toColumns([
      { ms: 20, ns: 5, line: 'second', meta: { a: '1' } },
      { ms: 10, ns: 999_999, line: 'first' },
      { ms: 20, ns: 6, line: 'third' },
    ]);
    const decoded = await decodeChunk(await encodeChunk(columns));
    expect(decoded.lines).toEqual(['first', 'second', 'third']);
    expect(decoded.ns).toEqual([999_999, 5, 6]);
    expect(decoded.metas).toEqual(['', '{"a":"1"}', '']);
  });
});

describe('LogStore durability', () => {
  it('replays acknowledged pushes from the WAL after a stop without flushing', async () => {
    const dir = freshDir();
    const store = openStore(dir);
    await store.open();
    await store.push('acme', push(['one', 'two']));
    await store.close({ flush: false });

    const reopened = openStore(dir);
    expect((await reopened.open()).replayedPushes).toBe(1);
    expect(await lines(reopened)).toEqual(['one', 'two']);
    const [first] = await selectLogs(reopened, 'acme', api, everything, 1, 'forward');
    expect(first.meta).toEqual({ trace_id: 't0' });
    await reopened.close({ flush: false });
  });

  it('reads flushed chunks back after a restart and empties the WAL', async () => {
    const dir = freshDir();
    const store = openStore(dir);
    await store.open();
    await store.push('acme', push(['a', 'b', 'c']));
    await store.close({ flush: true });
    expect(readdirSync(join(dir, 'wal', 'logs'))).toEqual([]);

    const reopened = openStore(dir);
    expect(await reopened.open()).toEqual({ chunks: 1, replayedPushes: 0 });
    expect(await lines(reopened)).toEqual(['a', 'b', 'c']);
    expect(await lines(reopened, parseLogQL('{service_name="api"} |= "b"') as LogQuery)).toEqual(['b']);
    await reopened.close({ flush: false });
  });

  it('returns entries once when a crash left them both in a chunk and in the WAL', async () => {
    const dir = freshDir();
    const store = openStore(dir);
    await store.open();
    await store.push('acme', push(['x', 'y']));
    const walCopy = join(dir, 'wal-copy');
    cpSync(join(dir, 'wal', 'logs'), walCopy, { recursive: true });
    await store.close({ flush: true });
    // The crash: the chunk was written, but the WAL segment was never released.
    cpSync(walCopy, join(dir, 'wal', 'logs'), { recursive: true });

    const reopened = openStore(dir);
    expect(await reopened.open()).toEqual({ chunks: 1, replayedPushes: 1 });
    expect(await lines(reopened)).toEqual(['x', 'y']);
    await reopened.close({ flush: false });
  });

  it('cuts a head into a chunk once it passes max_chunk_bytes, keeping everything queryable', async () => {
    const dir = freshDir();
    const store = openStore(dir, { maxChunkBytes: 50 });
    await store.open();
    for (let i = 0; i < 5; i++) await store.push('acme', push([`line-${i}-${'p'.repeat(20)}`], i * 10));
    await store.tick(Date.now());
    const stream = [...store.tenantStreams('acme')][0];
    expect(stream.chunks.length).toBeGreaterThanOrEqual(2);
    expect((await lines(store)).map((l) => l.slice(0, 6))).toEqual([
      'line-0',
      'line-1',
      'line-2',
      'line-3',
      'line-4',
    ]);
    await store.close({ flush: false });
  });

  it('deletes chunks past retention', async () => {
    const dir = freshDir();
    const store = openStore(dir, { retentionMs: 30_000 });
    await store.open();
    await store.push('acme', push(['old']));
    await store.flushAll();
    expect(await lines(store)).toEqual(['old']);
    await store.applyRetention(Date.now());
    expect(await lines(store)).toEqual([]);
    expect(readdirSync(join(dir, 'blocks', '@logs', 'acme', 'index'))).toEqual([]);
    await store.close({ flush: false });
  });

  it('keeps tenants apart', async () => {
    const dir = freshDir();
    const store = openStore(dir);
    await store.open();
    await store.push('acme', push(['mine']));
    expect(await selectLogs(store, 'other', api, everything, 10, 'forward')).toEqual([]);
    await store.close({ flush: false });
  });
});
