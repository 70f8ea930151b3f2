import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flatten,
  type LokiStreamsResponse,
  lokiGet,
  lokiProtoBody,
  lokiPushJson,
  lokiPushProto,
  nanosAgo,
} from './support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * Loki push (JSON and snappy protobuf) read back through Loki's query API: labels, ordering,
 * structured metadata in both response encodings, and the LogQL the UI sends.
 */
describe('Loki push and query API', () => {
  let server: TestLoupe;
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const base = nanosAgo(60);

  beforeAll(async () => {
    server = await startTestLoupe();
    const json = await lokiPushJson(server.api, {
      streams: [
        {
          stream: { service_name: 'checkout', env: 'prod' },
          values: [
            [String(base), `level=info msg="order placed" trace_id=${traceId} status=200 duration=120ms`],
            [String(base + 1_000_000n), 'level=error msg="payment failed" status=502 duration=1.5s'],
            [
              String(base + 2_000_000n),
              'level=warn msg="slow call" status=200 duration=800ms',
              { trace_id: traceId },
            ],
          ],
        },
        {
          stream: { service_name: 'frontend', env: 'prod' },
          values: [[String(base + 500_000n), '{"level":"info","http":{"status":404,"path":"/x"}}']],
        },
      ],
    });
    expect(json.status).toBe(204);
    const proto = await lokiPushProto(
      server.api,
      lokiProtoBody([
        {
          labels: '{service_name="worker", env="dev"}',
          entries: [
            { ns: base + 3_000_000n, line: 'job started' },
            { ns: base + 3_000_001n, line: 'job done', metadata: { span_id: '00f067aa0ba902b7' } },
          ],
        },
      ]),
    );
    expect(proto.status).toBe(204);
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  const query = (params: Record<string, string>, headers?: Record<string, string>) =>
    lokiGet(server.api, '/loki/api/v1/query_range', params, headers);

  it('returns newest first by default, oldest first with direction=forward, nanoseconds intact', async () => {
    const backward = flatten((await query({ query: '{env="prod"}' })).json());
    expect(backward.map((e) => e.ts)).toEqual([
      String(base + 2_000_000n),
      String(base + 1_000_000n),
      String(base + 500_000n),
      String(base),
    ]);
    const forward = flatten(
      (await query({ query: '{env="prod"}', direction: 'forward', limit: '2' })).json(),
    );
    expect(forward.map((e) => e.ts)).toEqual([String(base), String(base + 500_000n)]);
  });

  it('reads the protobuf push with its labels and exact timestamps', async () => {
    const res = (await query({ query: '{service_name="worker"}' })).json();
    const entries = flatten(res);
    expect(entries.map((e) => [e.ts, e.line])).toEqual([
      [String(base + 3_000_001n), 'job done'],
      [String(base + 3_000_000n), 'job started'],
    ]);
    expect(entries[0].labels).toMatchObject({
      service_name: 'worker',
      env: 'dev',
      span_id: '00f067aa0ba902b7',
    });
  });

  it('filters lines, parses logfmt and compares numbers and durations', async () => {
    const errors = flatten(
      (await query({ query: '{service_name="checkout"} | logfmt | status >= 500' })).json(),
    );
    expect(errors.map((e) => e.line)).toEqual(['level=error msg="payment failed" status=502 duration=1.5s']);
    expect(errors[0].labels).toMatchObject({
      msg: 'payment failed',
      status: '502',
      service_name: 'checkout',
    });
    const slow = flatten(
      (await query({ query: '{service_name="checkout"} | logfmt | duration > 500ms' })).json(),
    );
    expect(slow.map((e) => e.labels.msg)).toEqual(['slow call', 'payment failed']);
    const text = flatten((await query({ query: '{env=~"pr.*"} |= "order" != "failed"' })).json());
    expect(text.map((e) => e.labels.service_name)).toEqual(['checkout']);
    const json = flatten(
      (await query({ query: '{service_name="frontend"} | json | http_status = 404' })).json(),
    );
    expect(json[0].labels).toMatchObject({ http_path: '/x', level: 'info' });
  });

  it('finds logs of a trace by structured metadata, as the UI asks', async () => {
    const res = (await query({ query: `{service_name="checkout"} | trace_id="${traceId}"` })).json();
    expect(flatten(res).map((e) => e.line)).toEqual(['level=warn msg="slow call" status=200 duration=800ms']);
    const inLine = flatten(
      (await query({ query: `{service_name="checkout"} |= "trace_id=${traceId}"` })).json(),
    );
    expect(inLine).toHaveLength(1);
  });

  it('splits labels by kind when asked with categorize-labels', async () => {
    const res = (
      await query(
        { query: '{service_name="checkout"} | logfmt | status="502"' },
        { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
      )
    ).json();
    expect(res.data.encodingFlags).toEqual(['categorize-labels']);
    expect(res.data.result).toHaveLength(1);
    expect(res.data.result[0].stream).toEqual({ env: 'prod', service_name: 'checkout' });
    const [, , extra] = res.data.result[0].values[0];
    expect(extra?.structuredMetadata).toMatchObject({ detected_level: 'error' });
    expect(extra?.parsed).toMatchObject({ status: '502', msg: 'payment failed' });
  });

  it('answers labels, label values and series', async () => {
    const labels = (await lokiGet<{ data: string[] }>(server.api, '/loki/api/v1/labels', {})).json();
    expect(labels.data).toEqual(['env', 'service_name']);
    const values = (
      await lokiGet<{ data: string[] }>(server.api, '/loki/api/v1/label/service_name/values', {
        query: '{env="prod"}',
      })
    ).json();
    expect(values.data).toEqual(['checkout', 'frontend']);
    const series = (
      await lokiGet<{ data: Record<string, string>[] }>(server.api, '/loki/api/v1/series', {
        'match[]': '{env="dev"}',
      })
    ).json();
    expect(series.data).toEqual([{ env: 'dev', service_name: 'worker' }]);
  });

  it('counts lines per level with a metric query', async () => {
    const now = Date.now();
    const res = (
      await query({
        query: 'sum by (detected_level) (count_over_time({env="prod"}[10m]))',
        start: String(Math.floor(now / 1000) - 5),
        end: String(Math.floor(now / 1000)),
        step: '5',
      })
    ).json() as unknown as {
      data: { resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] };
    };
    expect(res.data.resultType).toBe('matrix');
    const byLevel = Object.fromEntries(
      res.data.result.map((s) => [s.metric.detected_level, s.values.at(-1)?.[1]]),
    );
    expect(byLevel).toEqual({ info: '2', error: '1', warn: '1' });
  });

  it("answers Grafana's log volume query", async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = (
      await query({
        query: 'sum by (level, detected_level) (count_over_time({env="prod"} | drop __error__[10m]))',
        start: String(now - 60),
        end: String(now),
        step: '60',
      })
    ).json() as unknown as {
      data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
    };
    const total = res.data.result.reduce((n, s) => n + Number(s.values.at(-1)?.[1] ?? 0), 0);
    expect(total).toBe(4);
    expect(res.data.result.map((s) => s.metric.detected_level).sort()).toEqual(['error', 'info', 'warn']);
  });

  it('answers an instant metric query as a vector', async () => {
    const res = await lokiGet<{
      data: { resultType: string; result: { metric: object; value: [number, string] }[] };
    }>(server.api, '/loki/api/v1/query', { query: 'sum(count_over_time({service_name="worker"}[10m]))' });
    expect(res.status).toBe(200);
    expect(res.json().data.resultType).toBe('vector');
    expect(res.json().data.result.map((r) => [r.metric, r.value[1]])).toEqual([[{}, '2']]);
  });

  it('takes a gzip-compressed JSON push', async () => {
    const body = gzipSync(
      JSON.stringify({
        streams: [{ stream: { service_name: 'zipped' }, values: [[String(base), 'compressed line']] }],
      }),
    );
    const res = await fetch(`${server.api}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(204);
    expect(flatten((await query({ query: '{service_name="zipped"}' })).json()).map((e) => e.line)).toEqual([
      'compressed line',
    ]);
  });

  it("discovers service_name from a stream's other labels, as Loki 3 does", async () => {
    // Seven hours ago: outside the six-hour default of the label endpoints tested above.
    const old = nanosAgo(7 * 3600);
    const res = await lokiPushJson(server.api, {
      streams: [
        { stream: { job: 'varlogs', filename: '/var/log/syslog' }, values: [[String(old), 'from promtail']] },
        { stream: { foo: 'bar' }, values: [[String(old), 'no name at all']] },
      ],
    });
    expect(res.status).toBe(204);
    const range = { start: String(old - 1n), end: String(old + 1n) };
    const promtail = flatten((await query({ query: '{service_name="varlogs"}', ...range })).json());
    expect(promtail.map((e) => [e.line, e.labels.job])).toEqual([['from promtail', 'varlogs']]);
    const unnamed = flatten((await query({ query: '{service_name="unknown_service"}', ...range })).json());
    expect(unnamed.map((e) => e.line)).toEqual(['no name at all']);
  });

  it('respects start/end and since', async () => {
    const res: LokiStreamsResponse = (
      await query({ query: '{env="prod"}', start: String(base + 1n), end: String(base + 1_000_001n) })
    ).json();
    expect(flatten(res).map((e) => e.ts)).toEqual([String(base + 1_000_000n), String(base + 500_000n)]);
    const none = (await query({ query: '{env="prod"}', since: '10s' })).json();
    expect(none.data.result).toEqual([]);
  });
});
