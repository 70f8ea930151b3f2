import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTraceRequests } from '../../fixtures/synthetic-traces';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../testing/s3';
import {
  incompleteTraces,
  metricValue,
  postTraces,
  scrapeMetrics,
  spanCountsOf,
  waitFor,
} from './support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * The bucket goes away while Loupe holds acknowledged spans (a real radosgw; the bucket is
 * deleted, then created again): flushes fail and are retried, `/ready` and `/metrics` say the
 * backend is failing, every acknowledged trace still answers whole, and once the bucket is back
 * the blocks land in it and `/ready` recovers.
 */

let s3: RunningS3;
let bucket: string;
let server: TestLoupe;
const expected = new Map<string, number>();

beforeAll(async () => {
  s3 = await startS3();
  bucket = await s3.newBucket();
  server = await startTestLoupe({
    storage: { backend: 's3', s3: s3.options({ bucket }) },
    ingester: { traceIdlePeriodMs: 500, maxBlockDurationMs: 1_000, flushCheckPeriodMs: 100 },
  });
}, S3_START_TIMEOUT_MS);

afterAll(async () => {
  await server?.loupe.stop();
  if (server) removeDir(server.dataDir);
  if (bucket) await s3.dropBucket(bucket).catch(() => undefined);
  await s3?.stop();
}, 120_000);

async function readyText(): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server.api}/ready`);
  return { status: res.status, text: await res.text() };
}

const missing = () => incompleteTraces(server.api, expected, 'v2-json');

describe('the S3 bucket gone while spans wait to be flushed', () => {
  it('reports the failing backend, keeps answering, and flushes once the bucket is back', async () => {
    await s3.dropBucket(bucket);
    const { requests } = generateTraceRequests({
      traces: 30,
      spansPerTrace: [2, 6],
      spansPerRequest: 40,
      seed: 3,
      startMs: Date.now() - 60_000,
    });
    spanCountsOf(requests, expected);
    for (const request of requests) expect((await postTraces(server.otlp, request)).status).toBe(200);

    await waitFor(async () => (await readyText()).status === 503, 20_000);
    expect((await readyText()).text).toMatch(
      /^not ready: storage backend failing since .*NoSuchBucket|does not exist/,
    );
    expect(metricValue(await scrapeMetrics(server.api), 'loupe_backend_failing')).toBe(1);
    expect(await missing()).toEqual([]);

    await s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
    await waitFor(async () => (await readyText()).status === 200, 60_000);
    expect(metricValue(await scrapeMetrics(server.api), 'loupe_backend_failing')).toBe(0);
    const stored = await s3.client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'single-tenant/' }),
    );
    expect((stored.Contents ?? []).some((o) => o.Key?.endsWith('/meta.json'))).toBe(true);
    expect(await missing()).toEqual([]);
  });
});
