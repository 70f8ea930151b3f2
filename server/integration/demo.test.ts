import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantsOf, isAlive } from '../testing/process-tree';
import { waitFor } from './support/clients';
import type { PromExemplarSeries } from './support/metrics-api';
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

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEX32 = /^[0-9a-f]{32}$/;

interface SearchTrace {
  traceID: string;
  rootTraceName?: string;
  serviceStats: Record<string, { spanCount: number; errorCount?: number }>;
  sampling?: { policy: string; reason: string };
}

let demo: ChildProcess;
let exited: Promise<number | null>;
let output = '';
let api = '';
let dataDir = '';

async function search(q: string, limit = 100): Promise<SearchTrace[]> {
  const res = await fetch(`${api}/api/search?${new URLSearchParams({ q, limit: String(limit) })}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { traces: SearchTrace[] }).traces;
}

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

interface LogLine {
  stream: Record<string, string>;
  nanos: bigint;
  line: string;
}

async function logLines(query: string): Promise<LogLine[]> {
  const params = new URLSearchParams({ query, limit: '500', since: '10m' });
  const res = await fetch(`${api}/loki/api/v1/query_range?${params}`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    data: { result: { stream: Record<string, string>; values: string[][] }[] };
  };
  return body.data.result.flatMap(({ stream, values }) =>
    values.map(([ts, line]) => ({ stream, nanos: BigInt(ts), line })),
  );
}

async function exemplars(selector: string): Promise<PromExemplarSeries[]> {
  const start = String(Date.now() / 1000 - 600);
  const res = await fetch(
    `${api}/prometheus/api/v1/query_exemplars?${new URLSearchParams({ query: selector, start })}`,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: PromExemplarSeries[] }).data;
}

describe('npm run demo', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loupe-demo-test-'));
    const args = ['--duration', '240', '--rate', '6', '--data-dir', dataDir];
    for (const flag of ['--http-port', '--otlp-port', '--grpc-port', '--port-base']) args.push(flag, '0');
    demo = spawn(process.execPath, ['--import', 'tsx', 'demo/run.ts', ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => demo.once('exit', (code) => resolve(code)));
    demo.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    demo.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    await waitFor(
      () => {
        if (demo.exitCode !== null) throw new Error(`the demo exited early:\n${output}`);
        return /Loupe demo running: open http:\/\/localhost:\d+/.test(output);
      },
      90_000,
      200,
    );
    api = `http://127.0.0.1:${/open http:\/\/localhost:(\d+)/.exec(output)![1]}`;
  }, 120_000);

  afterAll(async () => {
    if (demo?.exitCode === null) {
      for (const { pid } of descendantsOf(demo.pid!)) process.kill(pid, 'SIGKILL');
      demo.kill('SIGKILL');
      await exited;
    }
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

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
    let all: PromExemplarSeries[] = [];
    let failed: PromExemplarSeries[] = [];
    await waitFor(
      async () => {
        all = await exemplars('traces_spanmetrics_latency_bucket{service="frontend"}');
        failed = await exemplars('traces_spanmetrics_latency_bucket{status_code="STATUS_CODE_ERROR"}');
        return all.length > 0 && failed.length > 0;
      },
      30_000,
      1_000,
    );
    const idsOf = (series: PromExemplarSeries[]) => [
      ...new Set(series.flatMap((s) => s.exemplars.map((e) => e.labels.traceID))),
    ];
    const answers = await Promise.all(idsOf(all).slice(0, 40).map(openTrace));
    expect(answers.filter((a) => a.status !== 200 && !a.notKept)).toEqual([]);
    expect(answers.some((a) => a.status === 200)).toBe(true);
    const opened = await Promise.all(
      idsOf(failed).map(async (id) => ({ id, status: (await openTrace(id)).status })),
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
    const started = descendantsOf(demo.pid!);
    // Loupe and the six services.
    expect(started.filter((p) => /server\/main\.ts|demo\/services\//.test(p.command))).toHaveLength(7);
    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('Demo stopped.');
    const left = () => started.filter((p) => isAlive(p.pid));
    await waitFor(() => left().length === 0, 5_000, 100).catch(() => {});
    expect(left()).toEqual([]);
  }, 60_000);
});
