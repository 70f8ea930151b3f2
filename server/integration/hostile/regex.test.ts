import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady, postTraces } from '../support/clients';
import { flatten, type LokiStreamsResponse, lokiPushJson, nanosAgo } from '../support/logs-client';
import { ensureStopped, type LoupeProcess, spawnLoupe, writeChildConfig } from '../support/loupe-process';
import { removeDir } from '../support/loupe-server';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../support/otlp-request';

/**
 * Regexes a user supplies run in linear time (RE2 semantics), and every query has a deadline and
 * shares the event loop: no query can stop the server. Loupe runs as a child process, so a
 * regression that freezes it fails these tests by timeout instead of freezing the test runner.
 *
 * `(a+)+$` against 100,000 `a`s and a `!` backtracks 2^100000 times in JavaScript's RegExp.
 */
const CATASTROPHIC = '(a+)+$';
const ANSWER_WITHIN_MS = 10_000;
const BULK_LINES = 200_000;

describe('hostile regexes and long queries', () => {
  let dataDir: string;
  let loupe: LoupeProcess | undefined;
  const api = () => loupe!.api;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'loupe-hostile-regex-'));
    const config = writeChildConfig(
      dataDir,
      {},
      `logs:
  ingestion_rate_mb: 1024
  ingestion_burst_size_mb: 1024
  query_timeout: 3s
metrics:
  query_timeout: 3s
`,
    );
    loupe = await spawnLoupe(config);
    const now = nanosAgo(5);
    const push = await lokiPushJson(api(), {
      streams: [
        { stream: { job: 'redos' }, values: [[String(now), `${'a'.repeat(100_000)}!`]] },
        { stream: { job: 'labels', v: `${'a'.repeat(40)}!` }, values: [[String(now), 'label line']] },
      ],
    });
    expect(push.status).toBe(204);
    for (let batch = 0; batch < 4; batch++) {
      const values = Array.from({ length: BULK_LINES / 4 }, (_, i) => [
        String(now - BigInt(batch * BULK_LINES + i) * 1000n),
        `level=info msg="request done" path=/api/orders/${i} status=200 duration=${i % 97}.3ms n=${i}`,
      ]);
      expect((await lokiPushJson(api(), { streams: [{ stream: { job: 'bulk' }, values }] })).status).toBe(
        204,
      );
    }
    const gauge = await fetch(`${loupe.otlp}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'hostile_gauge',
                    gauge: {
                      dataPoints: [
                        {
                          attributes: [{ key: 'v', value: { stringValue: `${'a'.repeat(40)}!` } }],
                          timeUnixNano: `${Date.now() - 5_000}000000`,
                          asInt: '1',
                        },
                      ],
                    },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    expect(gauge.status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await ensureStopped(loupe);
    removeDir(dataDir);
  });

  const get = async (path: string, params: Record<string, string>) => {
    const started = performance.now();
    const res = await fetch(`${api()}${path}?${new URLSearchParams(params)}`, {
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    return { status: res.status, text: await res.text(), ms: performance.now() - started };
  };
  const lokiRange = (query: string) => get('/loki/api/v1/query_range', { query, since: '1h', limit: '10' });

  /** While `slow` runs, an OTLP export is acknowledged and /ready answers; returns both timings. */
  async function servedAlongside<T>(slow: Promise<T>) {
    let slowDoneAt = Number.POSITIVE_INFINITY;
    const tracked = slow.then((value) => {
      slowDoneAt = performance.now();
      return value;
    });
    await new Promise((r) => setTimeout(r, 50));
    const exported = await postTraces(
      loupe!.otlp,
      encodeTraceRequest([{ service: 'alongside', spans: [simpleSpan(newTraceId(), 'op', Date.now())] }]),
    );
    const exportAckedAt = performance.now();
    expect(exported.status).toBe(200);
    expect(await isReady(api())).toBe(true);
    return { value: await tracked, exportAckedAt, slowDoneAt };
  }

  it('a catastrophic LogQL line filter answers at once, while ingest is acknowledged', async () => {
    const { value } = await servedAlongside(lokiRange(`{job="redos"} |~ "${CATASTROPHIC}"`));
    expect(value.status).toBe(200);
    expect(flatten(JSON.parse(value.text) as LokiStreamsResponse)).toEqual([]);
    const matching = await lokiRange(`{job="redos"} |~ "a+!$"`);
    expect(flatten(JSON.parse(matching.text) as LokiStreamsResponse)).toHaveLength(1);
  });

  it('a catastrophic LogQL `regexp` stage and label filter answer at once', async () => {
    const stage = await lokiRange(`{job="redos"} | regexp "(?P<x>(a+)+$)"`);
    expect(stage.status).toBe(200);
    const filter = await lokiRange(`{job="labels"} | v=~"${CATASTROPHIC}"`);
    expect(filter.status).toBe(200);
    expect(flatten(JSON.parse(filter.text) as LokiStreamsResponse)).toEqual([]);
  });

  it('a catastrophic LogQL label matcher answers at once', async () => {
    const res = await lokiRange(`{job="labels", v=~"${CATASTROPHIC}"}`);
    expect(res.status).toBe(200);
    expect(flatten(JSON.parse(res.text) as LokiStreamsResponse)).toEqual([]);
    const series = await get('/loki/api/v1/series', { 'match[]': `{v=~"${CATASTROPHIC}"}`, since: '1h' });
    expect(series.status).toBe(200);
    expect(JSON.parse(series.text).data).toEqual([]);
  });

  it('a catastrophic PromQL matcher answers at once, on /series and in queries', async () => {
    const series = await get('/prometheus/api/v1/series', {
      'match[]': `hostile_gauge{v=~"${CATASTROPHIC}"}`,
    });
    expect(series.status).toBe(200);
    expect(JSON.parse(series.text).data).toEqual([]);
    const query = await get('/prometheus/api/v1/query', { query: `hostile_gauge{v=~"${CATASTROPHIC}"}` });
    expect(query.status).toBe(200);
    expect(JSON.parse(query.text).data.result).toEqual([]);
    const matching = await get('/prometheus/api/v1/query', { query: 'hostile_gauge{v=~"a+!"}' });
    expect(JSON.parse(matching.text).data.result).toHaveLength(1);
  });

  it('RE2 syntax is refused or accepted as Loki and Prometheus do, with RE2 messages', async () => {
    const backreference = await lokiRange('{job="redos"} |~ "(a)\\\\1"');
    expect(backreference.status).toBe(400);
    expect(backreference.text).toContain('invalid escape sequence');
    const lookahead = await get('/prometheus/api/v1/query', { query: 'hostile_gauge{v=~"(?=a)"}' });
    expect(lookahead.status).toBe(400);
    expect(JSON.parse(lookahead.text)).toMatchObject({ errorType: 'bad_data' });
    const re2Only = await lokiRange('{job="labels"} |~ "(?i)LABEL\\\\s\\\\pL+\\\\z"');
    expect(flatten(JSON.parse(re2Only.text) as LokiStreamsResponse).map((e) => e.line)).toEqual([
      'label line',
    ]);
  });

  /**
   * `count_over_time` through `n` line filters that RE2 cannot skip through (no literal prefix;
   * ~0.5 µs a line each): linear, but long. `!~` keeps every line, so every filter runs on all.
   */
  const slowQuery = (n: number) =>
    `count_over_time({job="bulk"} ${Array.from({ length: n }, (_, i) => `!~ "(?i)(a|b|c)[^z]*z${i}"`).join(' ')} [1h])`;

  it('a long linear query shares the event loop: ingest is acknowledged before it finishes', async () => {
    const { value, exportAckedAt, slowDoneAt } = await servedAlongside(
      get('/loki/api/v1/query', { query: slowQuery(8) }),
    );
    // ~1 s on an idle 2-core machine; on a loaded one it may reach query_timeout (3 s) instead.
    expect([200, 504]).toContain(value.status);
    expect(exportAckedAt).toBeLessThan(slowDoneAt);
  });

  it('a query past query_timeout gets a clear 504 while the server keeps serving', async () => {
    const { value, exportAckedAt, slowDoneAt } = await servedAlongside(
      get('/loki/api/v1/query', { query: slowQuery(80) }),
    );
    expect(value.status).toBe(504);
    expect(value.text).toContain('query timed out after 3s (query_timeout)');
    expect(exportAckedAt).toBeLessThan(slowDoneAt);
  });
});
