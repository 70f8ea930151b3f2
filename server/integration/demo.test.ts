import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ExemplarSeries,
  exemplarTraceIds,
  type LogLine,
  queryExemplars,
  queryLogs,
  type SearchTrace,
  searchTraces,
} from '../../demo/testing/demo-api';
import { type LaunchedDemo, launchDemo } from '../../demo/testing/launch-demo';
import { waitFor } from './support/clients';
import { type FlatSpan, flattenResourceSpans } from './support/tempo-json';

/**
 * `npm run demo` for real (demo/run.ts with free ports and a temporary data folder): Loupe, six
 * services instrumented with the OpenTelemetry Node SDK, the queue and the load. Within a minute a
 * user must find, through Loupe's own APIs, what docs/demo.md promises: failed traces from
 * several services in search, each saying which sampling policy kept it; a checkout crossing
 * the services with its SQLite statements and its queue hop; log lines whose `trace_id=` opens
 * the trace; exemplars on the latency histograms that open theirs; a 1,000-span trace. Then
 * Ctrl-C (SIGINT) must stop it all: exit code 0 and none of its processes left.
 */

const HEX32 = /^[0-9a-f]{32}$/;

let demo: LaunchedDemo | undefined;
let api = '';

const search = (q: string, limit = 100) => searchTraces(api, q, limit);

/** What opening the trace shows: its spans, "not kept by sampling", or not found. */
async function openTrace(id: string): Promise<{ status: number; notKept: boolean; spans: FlatSpan[] }> {
  const res = await fetch(`${api}/api/traces/${id}`);
  const notKept = res.headers.get('x-loupe-not-kept') === 'sampling';
  if (res.status !== 200) return { status: res.status, notKept, spans: [] };
  return {
    status: 200,
    notKept,
    spans: flattenResourceSpans(((await res.json()) as { batches: unknown }).batches),
  };
}

const logLines = (query: string) => queryLogs(api, query, { limit: 500, since: '10m' });

const exemplars = (selector: string) => queryExemplars(api, selector, { start: Date.now() / 1000 - 600 });

describe('npm run demo', () => {
  beforeAll(async () => {
    demo = await launchDemo({ rate: 6, durationS: 240, startupTimeoutMs: 90_000 });
    api = demo.url;
  }, 120_000);

  // Stops it if the last test did not (a failure before it, or a filtered run).
  afterAll(() => demo?.stop(), 60_000);

  it('finds failed traces from several services, each kept by the errors policy', async () => {
    let failed: SearchTrace[] = [];
    const failingServices = () =>
      new Set(failed.flatMap((t) => Object.keys(t.serviceStats).filter((s) => t.serviceStats[s].errorCount)));
    await waitFor(
      async () => {
        failed = await search('{ status = error }');
        return failingServices().size >= 3 && failed.some((t) => t.sampling);
      },
      45_000,
      1_000,
    );
    // Decided traces say so; the ones still waiting for their decision have no note yet.
    const decided = failed.filter((t) => t.sampling);
    expect(decided.map((t) => t.sampling)).toEqual(
      decided.map(() => ({ policy: 'errors', reason: 'sampled' })),
    );
  }, 60_000);

  it('keeps a share of the ordinary traces and says which policy kept each', async () => {
    let policies = new Set<string | undefined>();
    await waitFor(
      async () => {
        const ordinary = (await search('{}', 500)).filter((t) =>
          Object.values(t.serviceStats).every((s) => !s.errorCount),
        );
        policies = new Set(ordinary.map((t) => t.sampling?.policy));
        return policies.has('a fifth of the rest');
      },
      30_000,
      1_000,
    );
    policies.delete(undefined); // still waiting for their decision
    expect([...policies].filter((p) => !['a fifth of the rest', 'slow', 'large'].includes(p!))).toEqual([]);
  }, 40_000);

  it('shows a checkout across the services: SQLite statements, and the queue hop as PRODUCER → CONSUMER', async () => {
    let kept: SearchTrace | undefined;
    await waitFor(
      async () => {
        kept = (await search('{ kind = consumer && resource.service.name = "shipping" }')).find(
          (t) => t.sampling,
        );
        return kept !== undefined;
      },
      30_000,
      1_000,
    );
    const { status, spans } = await openTrace(kept!.traceID);
    expect(status).toBe(200);
    const services = new Set(spans.map((s) => s.service));
    expect([...services].sort()).toEqual([
      'frontend',
      'inventory',
      'orders',
      'payment-gateway',
      'payments',
      'shipping',
    ]);
    const sql = spans.filter((s) => s.service === 'inventory' && s.kind === 'SPAN_KIND_CLIENT');
    expect(sql.length).toBeGreaterThan(0);
    for (const span of sql) {
      expect(span.attributes['db.system.name']).toEqual({ string: 'sqlite' });
      expect(span.attributes['db.query.text']).toMatchObject({
        string: expect.stringMatching(/^(SELECT|UPDATE|INSERT)/),
      });
    }
    const producer = spans.find((s) => s.kind === 'SPAN_KIND_PRODUCER');
    const consumer = spans.find((s) => s.kind === 'SPAN_KIND_CONSUMER');
    expect(producer).toMatchObject({ service: 'orders', name: 'send order.placed' });
    expect(consumer).toMatchObject({
      service: 'shipping',
      name: 'process order.placed',
      parentSpanId: producer!.spanId,
    });
    expect(consumer!.links).toMatchObject([{ traceId: producer!.traceId, spanId: producer!.spanId }]);
  }, 40_000);

  it('log lines carry trace_id= of their own trace; an ERROR line always opens its trace', async () => {
    // Lines whose trace's spans have had time to arrive (logs and spans are exported separately).
    const settled = (lines: LogLine[]) => {
      const before = BigInt(Date.now() - 3_000) * 1_000_000n;
      return lines.filter((l) => l.nanos < before);
    };
    let errorLines: LogLine[] = [];
    await waitFor(
      async () => {
        errorLines = settled(await logLines('{deployment_environment_name="demo"} | detected_level="error"'));
        return new Set(errorLines.map((l) => l.stream.service_name)).size >= 2;
      },
      30_000,
      1_000,
    );
    const failedTraces = [...new Set(errorLines.map((l) => l.stream.trace_id))];
    for (const id of failedTraces) expect(id).toMatch(HEX32);
    const opened = await Promise.all(
      failedTraces.map(async (id) => ({ id, status: (await openTrace(id)).status })),
    );
    expect(opened.filter((o) => o.status !== 200)).toEqual([]);
    const lines = settled(await logLines('{deployment_environment_name="demo"} |= "trace_id="'));
    expect(lines.length).toBeGreaterThan(50);
    for (const { line, stream } of lines) expect(line).toContain(`trace_id=${stream.trace_id} `);
    // Any other line's trace opens, or says that sampling dropped it: never "not found".
    const ids = [...new Set(lines.map((l) => l.stream.trace_id))].slice(0, 40);
    const answers = await Promise.all(ids.map(openTrace));
    expect(answers.filter((a) => a.status !== 200 && !a.notKept)).toEqual([]);
    expect(answers.some((a) => a.status === 200)).toBe(true);
  }, 45_000);

  it('exemplars on the latency histograms open their traces; those of failed spans always do', async () => {
    let all: ExemplarSeries[] = [];
    let failed: ExemplarSeries[] = [];
    await waitFor(
      async () => {
        all = await exemplars('traces_spanmetrics_latency_bucket{service="frontend"}');
        failed = await exemplars('traces_spanmetrics_latency_bucket{status_code="STATUS_CODE_ERROR"}');
        return all.length > 0 && failed.length > 0;
      },
      30_000,
      1_000,
    );
    const answers = await Promise.all(exemplarTraceIds(all).slice(0, 40).map(openTrace));
    expect(answers.filter((a) => a.status !== 200 && !a.notKept)).toEqual([]);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    const opened = await Promise.all(
      exemplarTraceIds(failed).map(async (id) => ({ id, status: (await openTrace(id)).status })),
    );
    expect(opened.filter((o) => o.status !== 200)).toEqual([]);
  }, 45_000);

  it('has a reindex trace of over 1,000 spans, kept by the large policy', async () => {
    let reindex: SearchTrace | undefined;
    await waitFor(
      async () => {
        reindex = (await search('{ name = "POST /admin/reindex" }')).find((t) => t.sampling);
        return reindex !== undefined;
      },
      40_000,
      1_000,
    );
    const spans = Object.values(reindex!.serviceStats).reduce((n, s) => n + s.spanCount, 0);
    expect(spans).toBeGreaterThan(1_000);
    expect(reindex!.sampling?.policy).toBe('large');
  }, 50_000);

  it('stops on Ctrl-C (SIGINT): exit code 0, and every process it started is gone', async () => {
    const { code, started, leftBehind } = await demo!.stop();
    // Loupe and the six services.
    expect(started.filter((p) => /server\/main\.ts|demo\/services\//.test(p.command))).toHaveLength(7);
    expect(code).toBe(0);
    expect(demo!.output()).toContain('Demo stopped.');
    expect(leftBehind).toEqual([]);
  }, 60_000);
});
