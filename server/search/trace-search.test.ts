import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { NO_UNFLUSHED } from '../query/unflushed-source';
import { QueryDeadline, QueryTimeoutError } from '../query-guards/deadline';
import { searchTraceFromOtlp } from '../search-model/otlp-to-search';
import type { Backend, BackendCallOptions } from '../store/backend/backend';
import { LocalBackend } from '../store/backend/local-backend';
import { buildBlock, writeBlock } from '../store/block-writer';
import { Blocklist } from '../store/blocklist';
import { SUMMARY_OBJECT } from '../store/search/search-layout';
import { newestFirst, wholeTraces } from '../store/store-test-support';
import { parseTraceQL } from '../traceql';
import { SUMMARY_READS_AT_ONCE, TraceSearch } from './trace-search';

/**
 * The first search of a fresh store reads every block's search summary. These tests watch those
 * reads through a backend that holds each one for a while and counts how many are in flight.
 */

const TENANT = 'trace-search';
/** Enough that the reads take several rounds of `SUMMARY_READS_AT_ONCE`. */
const BLOCKS = 100;
const LIMIT = 25;
let dir: string;
/** The newest `LIMIT` trace IDs by start, ties by ID: what `{ }` answers. */
let newest: string[];

/** The local backend, with summary reads held `holdMs` and counted (or all failing). */
class SummaryWatcher implements Backend {
  inFlight = 0;
  maxInFlight = 0;
  started = 0;
  failing = false;

  constructor(
    private readonly inner: Backend,
    private readonly holdMs: number,
  ) {}

  async read(key: string, options?: BackendCallOptions): Promise<Buffer | undefined> {
    if (!key.endsWith(`/${SUMMARY_OBJECT}`)) return this.inner.read(key, options);
    this.started++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await delay(this.holdMs);
      if (this.failing) throw new Error('summary read failed');
      return await this.inner.read(key, options);
    } finally {
      this.inFlight--;
    }
  }

  readRange(key: string, offset: number, length: number, options?: BackendCallOptions): Promise<Buffer> {
    return this.inner.readRange(key, offset, length, options);
  }
  write(key: string, data: Uint8Array | readonly Uint8Array[], options?: BackendCallOptions): Promise<void> {
    return this.inner.write(key, data, options);
  }
  writeIfAbsent(key: string, data: Uint8Array | readonly Uint8Array[], options?: BackendCallOptions) {
    return this.inner.writeIfAbsent(key, data, options);
  }
  list(prefix: string, options?: BackendCallOptions): Promise<string[]> {
    return this.inner.list(prefix, options);
  }
  delete(keyOrPrefix: string, options?: BackendCallOptions): Promise<void> {
    return this.inner.delete(keyOrPrefix, options);
  }
}

beforeAll(async () => {
  const { requests } = generateTraceRequests({
    traces: 400,
    spansPerTrace: [2, 5],
    spansPerRequest: 200,
    seed: 7,
  });
  const records = wholeTraces(requests);
  dir = await mkdtemp(join(tmpdir(), 'loupe-trace-search-'));
  const backend = new LocalBackend(dir);
  for (let b = 0; b < BLOCKS; b++) {
    const from = Math.floor((b * records.length) / BLOCKS);
    const to = Math.floor(((b + 1) * records.length) / BLOCKS);
    const traces = records.slice(from, to).map(({ record }) => record);
    const options = { tenantId: TENANT, blockId: randomUUID(), traces, bloomFalsePositive: 0.01 };
    await writeBlock(backend, buildBlock({ ...options, bloomShardSizeBytes: 100 * 1024 }));
  }
  const traces = records.map(({ key, record }) => searchTraceFromOtlp(key, [record.data]));
  traces.sort(newestFirst);
  newest = traces.slice(0, LIMIT).map((trace) => trace.traceId);
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freshStore(holdMs: number) {
  const watcher = new SummaryWatcher(new LocalBackend(dir), holdMs);
  const blocklist = new Blocklist();
  await blocklist.load(watcher);
  const search = new TraceSearch({ unflushed: NO_UNFLUSHED, blocks: blocklist });
  return { watcher, search };
}

const everything = { query: parseTraceQL('{ }'), limit: LIMIT };
const ids = (result: { hits: { trace: { traceId: string } }[] }) =>
  result.hits.map((hit) => hit.trace.traceId);

describe('TraceSearch over a fresh store', () => {
  it('reads the blocks’ search summaries several at a time, and still answers the newest traces first', async () => {
    const { watcher, search } = await freshStore(5);
    const first = await search.search(TENANT, everything, QueryDeadline.unbounded());

    expect(watcher.started).toBe(BLOCKS);
    expect(watcher.maxInFlight).toBeGreaterThan(1);
    expect(watcher.maxInFlight).toBeLessThanOrEqual(SUMMARY_READS_AT_ONCE);
    expect(ids(first)).toEqual(newest);
    // Warm: the summaries are held, none is read again.
    expect(ids(await search.search(TENANT, everything, QueryDeadline.unbounded()))).toEqual(newest);
    expect(watcher.started).toBe(BLOCKS);
  });

  it('starts no summary read once the deadline has passed', async () => {
    const { watcher, search } = await freshStore(40);

    await expect(search.search(TENANT, everything, new QueryDeadline(60))).rejects.toBeInstanceOf(
      QueryTimeoutError,
    );
    expect(watcher.started).toBeLessThan(BLOCKS);
  });

  it('fails with a summary read that failed, and starts no more reads after one has', async () => {
    const { watcher, search } = await freshStore(20);
    watcher.failing = true;

    await expect(search.search(TENANT, everything, QueryDeadline.unbounded())).rejects.toThrow(
      'summary read failed',
    );
    // The first reads, all at once, all fail; none is started after them.
    expect(watcher.started).toBeLessThanOrEqual(SUMMARY_READS_AT_ONCE);
    expect(watcher.started).toBeGreaterThan(0);
  });
});
