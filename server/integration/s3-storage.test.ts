import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../testing/s3';
import { tempDataDir } from '../testing/test-config';
import { incompleteTraces, metricValue, postTraces, scrapeMetrics, spanCountsOf } from './support/clients';
import { flushAll, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * The trace path on S3 (a real Ceph radosgw): ingest over OTLP, lookups and search from blocks
 * in the bucket, compaction there, and a restart on the bucket with an empty local disk.
 */

let s3: RunningS3;
let bucket: string;
let server: TestLoupe;
const expected = new Map<string, number>();
const dataDirs: string[] = [];

const storage = () => ({ backend: 's3' as const, s3: s3.options({ bucket }) });

async function start(): Promise<TestLoupe> {
  const dir = tempDataDir('loupe-s3-');
  dataDirs.push(dir);
  return startTestLoupe(
    { storage: storage(), ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 } },
    dir,
  );
}

async function ingest(seed: number): Promise<void> {
  const { requests } = generateTraceRequests({
    traces: 60,
    spansPerTrace: [2, 10],
    spansPerRequest: 50,
    seed,
    startMs: Date.now() - 5 * 60_000,
  });
  spanCountsOf(requests, expected);
  for (const request of requests) expect((await postTraces(server.otlp, request)).status).toBe(200);
}

const missing = () => incompleteTraces(server.api, expected);

async function searched(): Promise<number> {
  const res = await fetch(`${server.api}/api/search?q=${encodeURIComponent('{ }')}&limit=1000`);
  return ((await res.json()) as { traces: unknown[] }).traces.length;
}

async function blockObjects(): Promise<string[]> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'single-tenant/' }));
  return (page.Contents ?? []).map((object) => object.Key ?? '');
}

beforeAll(async () => {
  s3 = await startS3();
  bucket = await s3.newBucket();
  server = await start();
}, S3_START_TIMEOUT_MS);

afterAll(async () => {
  await server?.loupe.stop();
  for (const dir of dataDirs) removeDir(dir);
  if (bucket) await s3.dropBucket(bucket);
  await s3?.stop();
}, 60_000);

describe('traces on S3', () => {
  it('flushes blocks into the bucket and finds every trace there, by ID and by search', async () => {
    await ingest(1);
    await flushAll(server);
    await ingest(2);
    await flushAll(server);

    const keys = await blockObjects();
    expect(keys.filter((key) => key.endsWith('/meta.json')).length).toBeGreaterThanOrEqual(2);
    expect(keys.some((key) => key.endsWith('/search.parquet'))).toBe(true);
    expect(await missing()).toEqual([]);
    expect(await searched()).toBe(expected.size);
    const metrics = await scrapeMetrics(server.api);
    expect(
      metricValue(metrics, 'loupe_backend_requests_total', { operation: 'write', outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(metricValue(metrics, 'loupe_backend_bytes_total', { operation: 'read_range' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'loupe_backend_requests_total', { outcome: 'error' })).toBe(0);
  });

  it('compacts the blocks in the bucket', async () => {
    await server.loupe.compact();
    expect(server.loupe.blocklist.blocks('single-tenant')).toHaveLength(1);
    expect(await missing()).toEqual([]);
  });

  it('answers the same after a restart on the bucket with an empty local disk', async () => {
    await server.loupe.stop();
    server = await start();
    expect(server.loupe.blocklist.blocks('single-tenant')).toHaveLength(1);
    expect(await missing()).toEqual([]);
    expect(await searched()).toBe(expected.size);
  });
});
