import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady, postTraces } from '../support/clients';
import { flatten, type LokiStreamsResponse, lokiPushJson, nanosAgo } from '../support/logs-client';
import { type Overrides, removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../support/otlp-request';

/**
 * Issue 15, hostile queries: pathological LogQL, PromQL and TraceQL (catastrophic regexes, a
 * month at a one-second step, selectors matching every series, queries past their deadline) are
 * answered quickly with a 4xx naming the limit, or the timeout error; and the server keeps
 * serving `/ready` and cheap queries while a heavy one runs.
 *
 * Loupe runs in this process, so a query that holds the event loop also holds the test's own
 * requests: the latencies measured here are what any other client would see.
 */

/** Gauge series `probe_gauge{i="0"…}`, four samples each over the last three minutes. */
const SERIES = 20_000;
/** `(a+)+$` or `(.*a){20}` against this backtracks for ages in JavaScript's RegExp. */
const LONG_A = `${'a'.repeat(5000)}!`;
/** The same as a label value, under `metrics.max_label_value_length` (2048 bytes). */
const LONG_LABEL = `${'a'.repeat(2000)}!`;
const QUICKLY_MS = 5000;

const SECONDS = () => Math.floor(Date.now() / 1000);

async function pushGauges(server: TestLoupe, count: number): Promise<void> {
  const now = Date.now();
  for (let from = 0; from < count; from += 5000) {
    const dataPoints = [];
    for (let i = from; i < Math.min(count, from + 5000); i++) {
      for (let k = 0; k < 4; k++) {
        dataPoints.push({
          attributes: [{ key: 'i', value: { stringValue: String(i) } }],
          timeUnixNano: `${now - 60_000 * (3 - k)}000000`,
          asInt: String(i),
        });
      }
    }
    const metrics = [{ name: 'probe_gauge', gauge: { dataPoints } }];
    if (from === 0) {
      metrics.push({
        name: 'hostile_gauge',
        gauge: {
          dataPoints: [
            {
              attributes: [{ key: 'v', value: { stringValue: LONG_LABEL } }],
              timeUnixNano: `${now - 5_000}000000`,
              asInt: '1',
            },
          ],
        },
      });
    }
    const res = await fetch(`${server.otlp}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics }] }] }),
    });
    expect(res.status, await res.text()).toBe(200);
  }
}

/** `job="bulk"`: `lines` logfmt lines over the last minutes; `job="redos"`: one long line of `a`s. */
async function pushLogs(server: TestLoupe, lines: number): Promise<void> {
  const now = nanosAgo(5);
  const first = await lokiPushJson(server.api, {
    streams: [{ stream: { job: 'redos' }, values: [[String(now), LONG_A]] }],
  });
  expect(first.status).toBe(204);
  for (let from = 0; from < lines; from += 50_000) {
    const values = Array.from({ length: Math.min(50_000, lines - from) }, (_, k) => {
      const i = from + k;
      return [String(now - BigInt(i) * 1000n), `level=info path=/api/orders/${i} status=200 n=${i}`];
    });
    const res = await lokiPushJson(server.api, { streams: [{ stream: { job: 'bulk' }, values }] });
    expect(res.status, res.text.slice(0, 300)).toBe(204);
  }
}

const LIMITLESS_INGEST: Overrides = {
  metrics: { maxSeriesPerTenant: 1_000_000, maxNewSeriesPerRequest: 1_000_000 },
  logs: { limits: { ingestionRateBytesPerSecond: 1e12, ingestionBurstBytes: 1e12 } },
};

/** `n` line filters RE2 cannot skip (no literal prefix): linear, but ~0.5 µs a line each. */
const slowLogQL = (n: number) =>
  `sum(count_over_time({job="bulk"} ${Array.from({ length: n }, (_, i) => `!~ "(?i)(a|b|c)[^z]*z${i}"`).join(' ')} [1h]))`;

interface Answer {
  status: number;
  text: string;
  ms: number;
}

async function get(base: string, path: string, params: Record<string, string>): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - started };
}

/**
 * Runs `slow`; meanwhile, from 50 ms in and until it ends, asks `/ready` and `cheap` in turn.
 * Returns the slow answer and the slowest of the others.
 */
async function servedAlongside(
  server: TestLoupe,
  slow: () => Promise<Answer>,
  cheap: () => Promise<Answer>,
): Promise<{ slow: Answer; slowestOtherMs: number; others: number }> {
  let done = false;
  const running = slow().finally(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  let slowestOtherMs = 0;
  let others = 0;
  while (!done) {
    const started = performance.now();
    expect(await isReady(server.api)).toBe(true);
    const answer = await cheap();
    expect(answer.status).toBe(200);
    slowestOtherMs = Math.max(slowestOtherMs, performance.now() - started);
    others++;
  }
  return { slow: await running, slowestOtherMs, others };
}

describe('hostile queries against limits', () => {
  /** Default limits, except `query_timeout`, kept short so a slow query fails in seconds. */
  let server: TestLoupe;
  const prom = (path: string, params: Record<string, string>) =>
    get(server.api, `/prometheus/api/v1/${path}`, params);
  const loki = (path: string, params: Record<string, string>) =>
    get(server.api, `/loki/api/v1/${path}`, params);

  beforeAll(async () => {
    server = await startTestLoupe({
      metrics: { ...LIMITLESS_INGEST.metrics, queryTimeoutMs: 3000, maxSamples: 200_000 },
      logs: { ...LIMITLESS_INGEST.logs, queryTimeoutMs: 3000 },
    });
    await pushGauges(server, SERIES);
    await pushLogs(server, 100_000);
  }, 120_000);

  afterAll(async () => {
    await server?.loupe.stop();
    if (server) removeDir(server.dataDir);
  });

  describe('catastrophic regexes run in linear time (RE2)', () => {
    it.each(['(a+)+$', '(.*a){20}', '(a|aa)+$'])('PromQL matchers %s over every series', async (pattern) => {
      for (const query of [
        `count({__name__=~"${pattern}"})`,
        `count(probe_gauge{i=~"${pattern}"})`,
        `hostile_gauge{v=~"${pattern}"}`,
        `count_over_time({__name__=~".+", v=~"${pattern}"}[1h])`,
      ]) {
        const answer = await prom('query', { query });
        expect(answer.status, `${query}: ${answer.text.slice(0, 300)}`).toBe(200);
        expect(answer.ms, query).toBeLessThan(QUICKLY_MS);
      }
      const series = await prom('series', { 'match[]': `{v=~"${pattern}"}` });
      expect(series.status).toBe(200);
      expect(JSON.parse(series.text).data).toEqual([]);
      // The long value is there: a pattern that matches it finds it.
      const found = await prom('query', { query: 'hostile_gauge{v=~"a+!"}' });
      expect(JSON.parse(found.text).data.result).toHaveLength(1);
    });

    it.each(['(a+)+$', '(.*a){20}'])('LogQL line filters, stages and matchers %s', async (pattern) => {
      for (const query of [
        `{job="redos"} |~ "${pattern}"`,
        `{job=~".+"} |~ "${pattern}"`,
        `{job="redos"} | regexp "(?P<x>${pattern})"`,
        `{job=~"${pattern}|redos"} != "x"`,
      ]) {
        const answer = await loki('query_range', { query, since: '1h', limit: '5000' });
        expect(answer.status, `${query}: ${answer.text.slice(0, 300)}`).toBe(200);
        expect(answer.ms, query).toBeLessThan(QUICKLY_MS);
      }
      const counted = await loki('query', {
        query: `sum(count_over_time({job=~".+"} |~ "${pattern}" [1h]))`,
      });
      expect(counted.status).toBe(200);
    });

    it('TraceQL regex comparisons on a long attribute', async () => {
      const trace = newTraceId();
      const pushed = await postTraces(
        server.otlp,
        encodeTraceRequest([
          {
            service: 'redos',
            spans: [simpleSpan(trace, 'op', Date.now() - 1000, { attributes: { v: LONG_A } })],
          },
        ]),
      );
      expect(pushed.status).toBe(200);
      for (const q of ['{ span.v =~ "(a+)+$" }', '{ span.v =~ "(.*a){20}" }', '{ span.v !~ "(a|aa)+$" }']) {
        const answer = await get(server.api, '/api/search', { q, limit: '5' });
        expect(answer.status, `${q}: ${answer.text.slice(0, 300)}`).toBe(200);
        expect(answer.ms, q).toBeLessThan(QUICKLY_MS);
      }
    });
  });

  describe('huge ranges at tiny steps: 400 naming the 11,000 points limit', () => {
    const MONTH = 30 * 86_400;

    it('PromQL', async () => {
      const answer = await prom('query_range', {
        query: '{__name__=~".+"}',
        start: String(SECONDS() - MONTH),
        end: String(SECONDS()),
        step: '1s',
      });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toMatchObject({ status: 'error', errorType: 'bad_data' });
      expect(answer.text).toContain('exceeded maximum resolution of 11,000 points per timeseries');
    });

    it('LogQL', async () => {
      const answer = await loki('query_range', {
        query: 'count_over_time({job=~".+"}[1m])',
        since: '720h',
        step: '1s',
      });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('exceeded maximum resolution of 11,000 points per timeseries');
    });
  });

  describe('selectors matching everything', () => {
    it('PromQL: a query holding more than max_samples at once is 422 execution, naming the limit', async () => {
      // 20,000 series at every step (their samples are in the last 3 minutes, seen for 5 more):
      // past 200,000 points by the 11th step of 600.
      const range = await prom('query_range', {
        query: '{__name__=~".+"}',
        start: String(SECONDS() - 600),
        end: String(SECONDS()),
        step: '1s',
      });
      expect(range.status, range.text.slice(0, 300)).toBe(422);
      expect(JSON.parse(range.text)).toMatchObject({ status: 'error', errorType: 'execution' });
      expect(range.text).toContain('query processing would load too many samples into memory');
      expect(range.text).toContain('200000 (metrics.max_samples)');
      expect(range.ms).toBeLessThan(QUICKLY_MS);
      // An instant query: three range selectors of 80,000 samples each.
      const instant = await prom('query', {
        query: Array.from({ length: 3 }, () => 'count_over_time({__name__=~".+"}[1h])').join(' + '),
      });
      expect(instant.status, instant.text.slice(0, 300)).toBe(422);
      expect(instant.text).toContain('(metrics.max_samples)');
      // Under the limit, the same selectors answer.
      const under = await prom('query', { query: 'count(count_over_time({__name__=~".+"}[1h]))' });
      expect(under.status).toBe(200);
      expect(JSON.parse(under.text).data.result[0].value[1]).toBe(String(SERIES + 1));
    });

    it('PromQL: an empty-matching selector is refused as Prometheus does', async () => {
      const answer = await prom('query', { query: '{job=~".*"}' });
      expect(answer.status).toBe(400);
      expect(answer.text).toContain('at least one non-empty matcher');
    });

    it('LogQL: a metric query answering more than max_query_series series is 400, as Loki', async () => {
      // `| logfmt` makes every line its own series (path, n).
      const query = 'count_over_time({job=~".+"} | logfmt [1h])';
      for (const answer of [
        await loki('query_range', { query, since: '1h', step: '60s' }),
        await loki('query', { query }),
      ]) {
        expect(answer.status, answer.text.slice(0, 300)).toBe(400);
        expect(answer.text).toContain('maximum number of series (500) reached for a single query');
        expect(answer.text).toContain('logs.max_query_series');
        expect(answer.ms).toBeLessThan(QUICKLY_MS);
      }
      // Aggregated to a few series, the same lines answer.
      const summed = await loki('query', {
        query: 'sum by (status) (count_over_time({job="bulk"} | logfmt [1h]))',
      });
      expect(summed.status).toBe(200);
      expect(JSON.parse(summed.text).data.result).toEqual([
        { metric: { status: '200' }, value: [expect.any(Number), '100000'] },
      ]);
      // Grouping that keeps every line apart is refused all the same.
      const grouped = await loki('query', { query: `sum by (n) (${query})` });
      expect(grouped.status).toBe(400);
    });

    it('LogQL: log queries stop at max_entries_limit_per_query, empty-matching selectors are refused', async () => {
      const all = await loki('query_range', { query: '{job=~".+"}', since: '1h', limit: '5000' });
      expect(all.status).toBe(200);
      expect(flatten(JSON.parse(all.text) as LokiStreamsResponse)).toHaveLength(5000);
      const over = await loki('query_range', { query: '{job=~".+"}', since: '1h', limit: '5001' });
      expect(over.status).toBe(400);
      expect(over.text).toContain('max_entries_limit_per_query (5001 > 5000)');
      const empty = await loki('query_range', { query: '{job=~".*"}', since: '1h' });
      expect(empty.status).toBe(400);
      expect(empty.text).toContain('queries require at least one regexp or equality matcher');
    });
  });

  describe('a slow query times out, and the server keeps serving meanwhile', () => {
    it('PromQL: 503 timeout past metrics.query_timeout; /ready and a cheap query answer meanwhile', async () => {
      const { slow, slowestOtherMs, others } = await servedAlongside(
        server,
        // 11,000 steps over 20,000 series: minutes of work.
        () =>
          prom('query_range', {
            query: 'sum(rate(probe_gauge[5m]))',
            start: String(SECONDS() - 11_000),
            end: String(SECONDS()),
            step: '1s',
          }),
        () => prom('query', { query: 'vector(1)' }),
      );
      expect(slow.status, slow.text.slice(0, 300)).toBe(503);
      expect(JSON.parse(slow.text)).toMatchObject({ status: 'error', errorType: 'timeout' });
      expect(slow.text).toContain('query timed out after 3s (query_timeout)');
      expect(slow.ms).toBeLessThan(3000 + QUICKLY_MS);
      expect(others).toBeGreaterThan(1);
      expect(slowestOtherMs).toBeLessThan(1000);
    });

    it('LogQL: 504 past logs.query_timeout; /ready and a cheap query answer meanwhile', async () => {
      const { slow, slowestOtherMs, others } = await servedAlongside(
        server,
        () => loki('query', { query: slowLogQL(200) }),
        () => loki('labels', { since: '1h' }),
      );
      expect(slow.status, slow.text.slice(0, 300)).toBe(504);
      expect(slow.text).toContain('query timed out after 3s (query_timeout)');
      expect(others).toBeGreaterThan(1);
      expect(slowestOtherMs).toBeLessThan(1000);
    });
  });
});

describe('heavy instant PromQL queries share the event loop and have a deadline', () => {
  /** Series enough that one instant query over all of them is a few seconds of work. */
  const MANY = 60_000;
  let server: TestLoupe;
  let impatient: TestLoupe;
  /** Two vector matches of every series: ~1 s of work per 20,000 series, in one evaluation step. */
  const HEAVY = 'count(probe_gauge / on(i) probe_gauge + probe_gauge / on(i) probe_gauge)';

  beforeAll(async () => {
    server = await startTestLoupe(LIMITLESS_INGEST);
    impatient = await startTestLoupe({
      metrics: { ...LIMITLESS_INGEST.metrics, queryTimeoutMs: 50 },
      logs: { ...LIMITLESS_INGEST.logs, queryTimeoutMs: 50 },
    });
    await pushGauges(server, MANY);
    await pushGauges(impatient, SERIES);
    await pushLogs(impatient, 50_000);
  }, 120_000);

  afterAll(async () => {
    for (const s of [server, impatient]) {
      await s?.loupe.stop();
      if (s) removeDir(s.dataDir);
    }
  });

  it('answers /ready and a cheap query within a second while one runs', async () => {
    const { slow, slowestOtherMs, others } = await servedAlongside(
      server,
      () => get(server.api, '/prometheus/api/v1/query', { query: HEAVY }),
      () => get(server.api, '/prometheus/api/v1/query', { query: 'vector(1)' }),
    );
    expect(slow.status, slow.text.slice(0, 300)).toBe(200);
    expect(JSON.parse(slow.text).data.result[0].value[1]).toBe(String(MANY));
    // Held for the whole evaluation, the loop would answer them once, after as long as it took.
    expect(others).toBeGreaterThan(1);
    expect(slowestOtherMs).toBeLessThan(Math.min(1000, slow.ms / 2));
  }, 60_000);

  it('answers an instant query past metrics.query_timeout with 503 timeout', async () => {
    const answer = await get(impatient.api, '/prometheus/api/v1/query', { query: HEAVY });
    expect(answer.status, answer.text.slice(0, 300)).toBe(503);
    expect(JSON.parse(answer.text)).toMatchObject({ status: 'error', errorType: 'timeout' });
    expect(answer.text).toContain('query timed out after 50ms (query_timeout)');
    expect(await isReady(impatient.api)).toBe(true);
  });

  it('answers a LogQL query past logs.query_timeout with 504', async () => {
    const answer = await get(impatient.api, '/loki/api/v1/query', { query: slowLogQL(40) });
    expect(answer.status, answer.text.slice(0, 300)).toBe(504);
    expect(answer.text).toContain('query timed out after 50ms (query_timeout)');
  });
});
