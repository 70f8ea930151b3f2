import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSamplingNote } from '../otlp/sampling-note';
import { compileSamplingPolicies } from '../sampling/policies';
import { SAMPLING_DEFAULTS, type SamplingConfig } from '../sampling/sampling-config';
import { tempDataDir } from '../testing/test-config';
import { fetchTrace, metricValue, postTraces, scrapeMetrics } from './support/clients';
import { flushAll, oneLoupePerTest, type TestLoupe } from './support/loupe-server';
import {
  encodeTraceRequest,
  hex,
  newSpanId,
  newTraceId,
  type SpanSpec,
  simpleSpan,
} from './support/otlp-request';

/**
 * Tail sampling as a user sees it: traces sent over OTLP/HTTP, readable while they wait, then
 * kept or dropped as the policies say, at the moment the config says; late spans follow the
 * decision; a dropped trace answers "not kept by sampling" instead of "not found"; /metrics
 * counts it all. Time is driven by calling the ingester's tick with a clock of the test's own:
 * the config's periods are long, so the ingester's own ticks never decide anything.
 */

const POLICIES = [
  { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
  { name: 'slow', type: 'latency', latency: { threshold_ms: 1000 } },
  {
    name: 'health checks',
    type: 'drop',
    drop: {
      drop_sub_policy: [
        {
          name: 'health',
          type: 'string_attribute',
          string_attribute: { key: 'http.route', values: ['/health'] },
        },
      ],
    },
  },
  { name: 'nothing else', type: 'probabilistic', probabilistic: { sampling_percentage: 0 } },
];

const IDLE_MS = 60_000;
const DECISION_WAIT_MS = 10_000;
const MAX_WAIT_MS = 40_000;

const startLoupe = oneLoupePerTest();

async function start(sampling: Partial<SamplingConfig> = {}): Promise<TestLoupe> {
  return startLoupe({
    ingester: { traceIdlePeriodMs: IDLE_MS, maxBlockDurationMs: 600_000 },
    sampling: {
      ...SAMPLING_DEFAULTS,
      policies: compileSamplingPolicies(POLICIES),
      decisionWaitMs: DECISION_WAIT_MS,
      maxWaitMs: MAX_WAIT_MS,
      ...sampling,
    },
  });
}

function push(s: TestLoupe, spans: SpanSpec[], service = 'checkout') {
  return postTraces(s.otlp, encodeTraceRequest([{ service, spans }]));
}

/** A root span and a child; `extra` goes on the child (an error status, a route). */
function twoSpans(
  traceId: Uint8Array,
  start: number,
  extra: Partial<SpanSpec> & { durationMs?: number } = {},
) {
  const root = simpleSpan(traceId, 'GET /checkout', start, { durationMs: extra.durationMs ?? 20 });
  const child = simpleSpan(traceId, 'SELECT orders', start + 1, { ...extra, parentSpanId: root.spanId });
  return { root, child };
}

/** Every trace search finds, and which policy kept it (`policy/reason`). */
async function keptBy(s: TestLoupe): Promise<Record<string, string>> {
  const res = await fetch(`${s.api}/api/search?q=${encodeURIComponent('{}')}&limit=100`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as {
    traces: { traceID: string; sampling?: { policy: string; reason: string } }[];
  };
  return Object.fromEntries(
    body.traces.map((t) => [t.traceID, t.sampling ? `${t.sampling.policy}/${t.sampling.reason}` : 'none']),
  );
}

async function status(s: TestLoupe, traceId: Uint8Array) {
  const res = await fetch(`${s.api}/api/v2/traces/${hex(traceId)}`);
  return { code: res.status, notKept: res.headers.get('x-loupe-not-kept'), text: await res.text() };
}

describe('tail sampling in the ingester', () => {
  it('keeps errors and slow traces, drops the rest once idle, and explains a dropped trace', async () => {
    const s = await start();
    const t0 = Date.now() - 5_000;
    const error = newTraceId();
    const slow = newTraceId();
    const plain = newTraceId();
    const health = newTraceId();
    const e = twoSpans(error, t0, { statusCode: 2 });
    const sl = twoSpans(slow, t0, { durationMs: 1_500 });
    const p = twoSpans(plain, t0);
    const h = twoSpans(health, t0, { attributes: { 'http.route': '/health' }, statusCode: 2 });
    // Children first: no root yet, so nothing is due before max_wait (40 s; idle would be 60 s).
    for (const parts of [e, sl, p, h]) expect((await push(s, [parts.child])).status).toBe(200);

    // Read-your-writes while the traces wait.
    for (const id of [error, slow, plain, health]) {
      expect((await fetchTrace(s.api, hex(id), 'v2-json')).spans).toHaveLength(1);
    }

    s.loupe.ingester.tick(Date.now() + IDLE_MS + 1);
    for (const id of [error, slow])
      expect((await fetchTrace(s.api, hex(id), 'v2-json')).spans).toHaveLength(1);
    const dropped = await status(s, plain);
    expect(dropped).toMatchObject({ code: 404, notKept: 'sampling' });
    expect(dropped.text).toContain(
      `trace ${hex(plain)} was not kept by tail sampling: no sampling policy kept it`,
    );
    // A drop policy wins over the error policy that would keep it.
    expect((await status(s, health)).text).toContain('drop policy "health checks" matched it');
    // v1 says the same.
    const v1 = await fetch(`${s.api}/api/traces/${hex(plain)}`);
    expect(v1.status).toBe(404);
    expect(await v1.text()).toContain('not kept by tail sampling');

    // Search says which policy kept each trace, while it waits for its block…
    expect(await keptBy(s)).toEqual({ [hex(error)]: 'errors/sampled', [hex(slow)]: 'slow/sampled' });

    // …and after: kept traces reach blocks whole, with their note; dropped ones never do.
    await flushAll(s);
    for (const id of [error, slow])
      expect((await fetchTrace(s.api, hex(id), 'v2-proto')).spans).toHaveLength(1);
    expect(readSamplingNote((await fetchTrace(s.api, hex(error), 'v1-proto')).body)).toEqual({
      policy: 'errors',
      reason: 'sampled',
    });
    expect((await status(s, plain)).code).toBe(404);
    expect(await keptBy(s)).toEqual({ [hex(error)]: 'errors/sampled', [hex(slow)]: 'slow/sampled' });

    const metrics = await scrapeMetrics(s.api);
    const traces = (policy: string, decision: string) =>
      metricValue(metrics, 'loupe_sampling_traces_total', { tenant: 'single-tenant', policy, decision });
    expect(traces('errors', 'kept')).toBe(1);
    expect(traces('slow', 'kept')).toBe(1);
    expect(traces('', 'dropped')).toBe(1);
    expect(traces('health checks', 'dropped')).toBe(1);
    // Checked late (the test's clock jumps past both moments): the earlier one names the trigger.
    expect(metricValue(metrics, 'loupe_sampling_decisions_total', { trigger: 'max_wait' })).toBe(4);
    expect(metricValue(metrics, 'loupe_sampling_traces_waiting')).toBe(0);
  });

  it('decides decision_wait after the root span arrives, before the trace is idle', async () => {
    const s = await start();
    const t0 = Date.now() - 5_000;
    const plain = newTraceId();
    const { root, child } = twoSpans(plain, t0);
    await push(s, [child, root]);
    s.loupe.ingester.tick(Date.now() + DECISION_WAIT_MS - 1_000);
    expect((await status(s, plain)).code).toBe(200);
    s.loupe.ingester.tick(Date.now() + DECISION_WAIT_MS + 500);
    expect((await status(s, plain)).notKept).toBe('sampling');
    const metrics = await scrapeMetrics(s.api);
    expect(metricValue(metrics, 'loupe_sampling_decisions_total', { trigger: 'root_wait' })).toBe(1);
  });

  it('decides at max_wait a trace that keeps getting spans and never sends its root', async () => {
    const s = await start();
    const id = newTraceId();
    const parent = newSpanId();
    const t0 = Date.now();
    for (let i = 0; i < 3; i++) {
      await push(s, [simpleSpan(id, `step ${i}`, t0 + i, { parentSpanId: parent })]);
    }
    s.loupe.ingester.tick(Date.now() + MAX_WAIT_MS / 2);
    expect((await status(s, id)).code).toBe(200);
    // Another span keeps it from going idle; max_wait still holds.
    await push(s, [simpleSpan(id, 'step 3', t0 + 3, { parentSpanId: parent })]);
    s.loupe.ingester.tick(Date.now() + MAX_WAIT_MS + 1_000);
    expect((await status(s, id)).notKept).toBe('sampling');
    const metrics = await scrapeMetrics(s.api);
    expect(metricValue(metrics, 'loupe_sampling_decisions_total', { trigger: 'max_wait' })).toBe(1);
    expect(
      metricValue(metrics, 'loupe_sampling_spans_total', {
        policy: '',
        decision: 'dropped',
        tenant: 'single-tenant',
      }),
    ).toBe(4);
  });

  it('decides a trace at max_spans_per_trace, in the request that reaches it', async () => {
    const s = await start({ maxSpansPerTrace: 5 });
    const id = newTraceId();
    const t0 = Date.now();
    const spans = Array.from({ length: 5 }, (_, i) =>
      simpleSpan(id, `op ${i}`, t0 + i, { parentSpanId: newSpanId() }),
    );
    spans[4].statusCode = 2;
    await push(s, spans.slice(0, 4));
    expect(s.loupe.ingester.findUnflushed('single-tenant', hex(id))).toBeDefined();
    await push(s, spans.slice(4));
    const metrics = await scrapeMetrics(s.api);
    expect(metricValue(metrics, 'loupe_sampling_decisions_total', { trigger: 'span_cap' })).toBe(1);
    expect(
      metricValue(metrics, 'loupe_sampling_traces_total', {
        policy: 'errors',
        decision: 'kept',
        tenant: 'single-tenant',
      }),
    ).toBe(1);
    expect((await fetchTrace(s.api, hex(id), 'v2-json')).spans).toHaveLength(5);
  });

  it('makes late spans follow the decision: a kept trace grows, a dropped one never comes back', async () => {
    const s = await start();
    const t0 = Date.now() - 5_000;
    const kept = newTraceId();
    const dropped = newTraceId();
    const k = twoSpans(kept, t0, { statusCode: 2 });
    const d = twoSpans(dropped, t0);
    await push(s, [k.root, k.child, d.root, d.child]);
    s.loupe.ingester.tick(Date.now() + IDLE_MS + 1);
    await flushAll(s);

    const lateKept = simpleSpan(kept, 'late retry', t0 + 30, { parentSpanId: k.root.spanId });
    // Even an error on the late span does not bring back a dropped trace.
    const lateDropped = simpleSpan(dropped, 'late retry', t0 + 30, {
      parentSpanId: d.root.spanId,
      statusCode: 2,
    });
    expect((await push(s, [lateKept, lateDropped])).status).toBe(200);
    expect((await fetchTrace(s.api, hex(kept), 'v2-json')).spans).toHaveLength(3);
    expect((await status(s, dropped)).notKept).toBe('sampling');
    await flushAll(s);
    expect((await fetchTrace(s.api, hex(kept), 'v2-json')).spans).toHaveLength(3);
    expect((await status(s, dropped)).code).toBe(404);

    const metrics = await scrapeMetrics(s.api);
    expect(
      metricValue(metrics, 'loupe_sampling_late_spans_total', { tenant: 'single-tenant', decision: 'kept' }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'loupe_sampling_late_spans_total', {
        tenant: 'single-tenant',
        decision: 'dropped',
      }),
    ).toBe(1);
  });

  it('in dry run decides and counts but keeps every trace', async () => {
    const s = await start({ dryRun: true });
    const id = newTraceId();
    const { root, child } = twoSpans(id, Date.now() - 5_000);
    await push(s, [root, child]);
    s.loupe.ingester.tick(Date.now() + IDLE_MS + 1);
    await flushAll(s);
    expect((await fetchTrace(s.api, hex(id), 'v2-json')).spans).toHaveLength(2);
    // Search tells which traces the policies would have dropped.
    expect(await keptBy(s)).toEqual({ [hex(id)]: '/not-sampled' });
    // Late spans follow what was done (kept), not what the policies said.
    await push(s, [simpleSpan(id, 'late', Date.now() - 4_000, { parentSpanId: root.spanId })]);
    expect((await fetchTrace(s.api, hex(id), 'v2-json')).spans).toHaveLength(3);
    const metrics = await scrapeMetrics(s.api);
    expect(
      metricValue(metrics, 'loupe_sampling_traces_total', {
        tenant: 'single-tenant',
        policy: '',
        decision: 'dropped',
      }),
    ).toBe(1);
  });

  it('decides the oldest waiting traces early rather than grow past max_waiting_bytes', async () => {
    // Room for about two waiting traces (~1 KB each: summary and bookkeeping).
    const s = await start({ maxWaitingBytes: 2_500 });
    const ids = Array.from({ length: 6 }, () => newTraceId());
    const t0 = Date.now() - 5_000;
    for (const id of ids) await push(s, [twoSpans(id, t0, { statusCode: 2 }).child]);
    s.loupe.ingester.tick(Date.now());
    const metrics = await scrapeMetrics(s.api);
    const early = metricValue(metrics, 'loupe_sampling_decisions_total', { trigger: 'memory' });
    expect(early).toBeGreaterThanOrEqual(3);
    expect(metricValue(metrics, 'loupe_sampling_waiting_bytes')).toBeLessThanOrEqual(2_500);
    // Error traces: kept, whenever they were decided.
    for (const id of ids) expect((await fetchTrace(s.api, hex(id), 'v2-json')).spans).toHaveLength(1);
  });

  it("applies a tenant's own policies from the runtime overrides file", async () => {
    const dataDir = tempDataDir('loupe-sampling-tenants-');
    const file = join(dataDir, 'overrides.yaml');
    writeFileSync(
      file,
      `overrides:
  everything:
    sampling:
      policies: [{ name: all, type: always_sample }]
  unsampled:
    sampling: { policies: [] }
`,
    );
    const s = await startLoupe(
      {
        multitenancyEnabled: true,
        overrides: { perTenantFile: file },
        ingester: { traceIdlePeriodMs: IDLE_MS, maxBlockDurationMs: 600_000 },
        sampling: { ...SAMPLING_DEFAULTS, policies: compileSamplingPolicies(POLICIES) },
      },
      dataDir,
    );
    const ids = { everything: newTraceId(), unsampled: newTraceId(), other: newTraceId() };
    for (const [tenant, id] of Object.entries(ids)) {
      const { root, child } = twoSpans(id, Date.now() - 5_000);
      const body = encodeTraceRequest([{ service: 'checkout', spans: [root, child] }]);
      expect((await postTraces(s.otlp, body, { tenant })).status).toBe(200);
    }
    s.loupe.ingester.tick(Date.now() + IDLE_MS + 1);
    const answer = async (tenant: string) =>
      (await fetchTrace(s.api, hex(ids[tenant as keyof typeof ids]), 'v2-json', { tenant })).spans.length;
    expect(await answer('everything')).toBe(2);
    expect(await answer('unsampled')).toBe(2);
    expect(await answer('other')).toBe(0);
    const metrics = await scrapeMetrics(s.api);
    expect(
      metricValue(metrics, 'loupe_sampling_traces_total', {
        tenant: 'everything',
        policy: 'all',
        decision: 'kept',
      }),
    ).toBe(1);
    expect(
      metricValue(metrics, 'loupe_sampling_traces_total', {
        tenant: 'other',
        policy: '',
        decision: 'dropped',
      }),
    ).toBe(1);
    // A tenant with sampling off is not decided at all: nothing to count.
    expect(metrics).not.toMatch(/loupe_sampling_traces_total\{[^}]*tenant="unsampled"/);
  });
});
