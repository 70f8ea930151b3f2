import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningS3, S3_START_TIMEOUT_MS, startS3 } from '../testing/s3';
import { type SlowProxy, startSlowProxy } from '../testing/slow-proxy';
import { tempDataDir } from '../testing/test-config';
import { fetchTrace, postTraces } from './support/clients';
import { flushAll, removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from './support/otlp-request';

/**
 * S3 slow, or not answering at all: a proxy between Loupe and a real radosgw holds back every
 * byte S3 sends, for four times the query deadline or until further notice. A search, which then
 * waits on S3, answers 504 with the deadline's message by its deadline
 * (`querier.search.query_timeout`), not when S3 finally answers, and so do trace lookups
 * (`querier.trace_by_id.query_timeout`) and tag queries that need
 * S3; meanwhile Loupe keeps taking spans and answering what needs no S3. Once S3 answers
 * normally again, the same questions are answered in full.
 */

const DEADLINE_MS = 2_000;
/** What the answer may take beyond the deadline: the 504 itself, on a busy test machine. */
const MARGIN_MS = 1_000;
const TRACES = 20;

let s3: RunningS3;
let bucket: string;
let proxy: SlowProxy;
let server: TestLoupe;
const dataDirs: string[] = [];
/** Span name by trace ID (hex), of the traces in the bucket. */
const stored = new Map<string, string>();

/** Loupe on the bucket, through the proxy, with an empty local disk: all it knows is in S3. */
function start(): Promise<TestLoupe> {
  const dataDir = tempDataDir('loupe-s3-slow-');
  dataDirs.push(dataDir);
  return startTestLoupe(
    {
      storage: { backend: 's3', s3: s3.options({ bucket, endpoint: proxy.url }) },
      ingester: { traceIdlePeriodMs: 60_000, maxBlockDurationMs: 600_000 },
      search: { queryTimeoutMs: DEADLINE_MS, traceByIdTimeoutMs: DEADLINE_MS },
    },
    dataDir,
  );
}

async function push(name: string, tag: string): Promise<{ traceId: string; status: number }> {
  const id = newTraceId();
  const spans = [simpleSpan(id, name, Date.now() - 60_000, { attributes: { 'slow.case': tag } })];
  const { status } = await postTraces(server.otlp, encodeTraceRequest([{ service: 'slow-s3', spans }]));
  return { traceId: hex(id), status };
}

beforeAll(async () => {
  s3 = await startS3();
  bucket = await s3.newBucket();
  proxy = await startSlowProxy(s3.endpoint);
  server = await start();
  for (let i = 0; i < TRACES; i++) {
    const { traceId, status } = await push(`op ${i}`, 'stored');
    expect(status).toBe(200);
    stored.set(traceId, `op ${i}`);
  }
  await flushAll(server);
}, S3_START_TIMEOUT_MS);

afterAll(async () => {
  proxy?.restore();
  await server?.loupe.stop();
  await proxy?.close();
  for (const dir of dataDirs) removeDir(dir);
  if (bucket) await s3.dropBucket(bucket);
  await s3?.stop();
}, 60_000);

afterEach(() => proxy.restore());

interface Timed {
  ms: number;
  status: number;
  text: string;
}

/** A GET, given up on after 10 s: a server that ignores its deadline fails the test, not its timeout. */
async function get(path: string): Promise<Timed> {
  const began = performance.now();
  const res = await fetch(`${server.api}${path}`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { ms: performance.now() - began, status: res.status, text };
}

const SEARCH = `/api/search?q=${encodeURIComponent('{ span.slow.case = "stored" }')}&limit=100`;
const TAGS = '/api/v2/search/tags?scope=span';
const VALUES = '/api/v2/search/tag/span.slow.case/values';
const TIMED_OUT =
  'query timed out after 2s (query_timeout): narrow the time range or the selector, or make the filter more selective';

const MODES: { mode: string; slow: (proxy: SlowProxy) => void }[] = [
  { mode: `delayed ${4 * DEADLINE_MS} ms`, slow: (p) => p.delayResponses(4 * DEADLINE_MS) },
  { mode: 'stalled', slow: (p) => p.stallResponses() },
];

describe.each(MODES)('S3 answers $mode', ({ slow }) => {
  // A new Loupe (the old one flushes what it holds on its way down): nothing read from S3 so far
  // is in its memory, so the questions below must ask S3.
  beforeAll(async () => {
    await server.loupe.stop();
    server = await start();
  });

  it('a search answers 504 by its deadline, tag queries by theirs, while the server keeps working', async () => {
    const heldBefore = proxy.stats.heldBytes;
    slow(proxy);
    const lookup = `/api/v2/traces/${[...stored.keys()][0]}`;
    const queries = Promise.all([SEARCH, lookup, TAGS, VALUES].map((path) => get(path)));
    queries.catch(() => undefined); // awaited below; handled now in case an expectation fails first

    // Meanwhile: the API answers, and spans are taken (ingest never waits on S3).
    const echo = await get('/api/echo');
    expect(echo.status).toBe(200);
    expect(echo.ms).toBeLessThan(500);
    expect((await get('/ready')).status).toBe(200);
    const began = performance.now();
    expect((await push('taken while S3 is slow', 'late')).status).toBe(200);
    expect(performance.now() - began).toBeLessThan(1_000);

    const [search, traceById, ...tagQueries] = await queries;
    for (const answer of [search, traceById]) {
      expect(answer.status, answer.text).toBe(504);
      expect(answer.text).toBe(TIMED_OUT);
      expect(answer.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(answer.ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    }
    // Tag queries may answer from what they hold in memory (tag names do, once read); what they
    // must read from S3 they give up on by the deadline too.
    for (const [i, answer] of tagQueries.entries()) {
      const what = [TAGS, VALUES][i];
      expect(answer.ms, what).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      if (answer.status !== 200) {
        expect(answer.status, `${what}: ${answer.text}`).toBe(504);
        expect(answer.text, what).toBe(TIMED_OUT);
        expect(answer.ms, what).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      }
    }
    // They did wait on S3: the proxy held its answers back.
    expect(proxy.stats.heldBytes).toBeGreaterThan(heldBefore);
  });

  it('once S3 answers normally again, the same search and tag queries and every lookup answer in full', async () => {
    const search = await get(SEARCH);
    expect(search.status, search.text).toBe(200);
    const found = (JSON.parse(search.text) as { traces: { traceID: string }[] }).traces.map((t) => t.traceID);
    expect(found.sort()).toEqual([...stored.keys()].sort());

    const tags = await get(TAGS);
    expect(tags.status, tags.text).toBe(200);
    expect((JSON.parse(tags.text) as { scopes: { tags: string[] }[] }).scopes[0].tags).toContain('slow.case');
    const values = await get(VALUES);
    expect(values.status, values.text).toBe(200);
    expect(
      (JSON.parse(values.text) as { tagValues: { value: string }[] }).tagValues.map((v) => v.value).sort(),
    ).toEqual(['late', 'stored']);

    for (const [traceId, name] of stored) {
      const answer = await fetchTrace(server.api, traceId, 'v2-json');
      expect(answer.httpStatus).toBe(200);
      expect(answer.spans.map((s) => s.name)).toEqual([name]);
    }
  });
});
