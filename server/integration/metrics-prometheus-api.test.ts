import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMetricsConfig } from '../metrics/metrics-config';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import { type PromError, type PromMatrixItem, promGet, promPost } from './support/metrics-api';

/**
 * Prometheus's HTTP API as Grafana and the UI call it: response shapes, GET and form POST,
 * time formats, metadata endpoints, the proxy to a configured Prometheus, and Prometheus's
 * error answers for bad queries and parameters (after which the server keeps serving).
 */

const T0 = Math.floor(Date.now() / 1000) - 600; // unix seconds
const POINTS = 21; // every 15 s: T0 … T0 + 300

/** Counters `reqs_total` for jobs a (1/s) and b (2/s), pushed as OTLP cumulative sums. */
async function pushCounters(otlp: string): Promise<void> {
  const metric = (job: string, perSecond: number) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: job } }] },
    scopeMetrics: [
      {
        metrics: [
          {
            name: 'reqs',
            sum: {
              aggregationTemporality: 2,
              isMonotonic: true,
              dataPoints: Array.from({ length: POINTS }, (_, i) => ({
                attributes: [{ key: 'route', value: { stringValue: '/x' } }],
                timeUnixNano: `${T0 + 15 * i}000000000`,
                asDouble: perSecond * 15 * i,
              })),
            },
          },
        ],
      },
    ],
  });
  const res = await fetch(`${otlp}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ resourceMetrics: [metric('a', 1), metric('b', 2)] }),
  });
  if (res.status !== 200) throw new Error(`metrics push answered ${res.status}: ${await res.text()}`);
}

describe('Prometheus HTTP API', () => {
  let server: TestLoupe;
  let proxying: TestLoupe;
  const api = () => `${server.api}/prometheus`;

  beforeAll(async () => {
    server = await startTestLoupe();
    await pushCounters(server.otlp);
    // The config as the loader builds it from `metrics.prometheus_url`.
    const metrics = buildMetricsConfig(
      <T>(path: string, fallback: T) =>
        path === 'metrics.prometheus_url' ? (`${server.api}/prometheus` as T) : fallback,
      { blockRetentionMs: 3600_000, walPath: server.dataDir },
    );
    proxying = await startTestLoupe({
      metrics: { prometheusUrl: metrics.prometheusUrl, client: metrics.client },
    });
  });

  afterAll(async () => {
    await Promise.all([server.loupe.stop(), proxying.loupe.stop()]);
    removeDir(server.dataDir);
    removeDir(proxying.dataDir);
  });

  it('answers query_range with a matrix of [seconds, "value"] points at each step', async () => {
    const { status, body } = await promGet<{
      status: string;
      data: { resultType: string; result: PromMatrixItem[] };
    }>(api(), 'query_range', {
      query: 'sum by (job) (rate(reqs_total[1m]))',
      start: String(T0 + 120),
      end: String(T0 + 300),
      step: '1m',
    });
    expect(status).toBe(200);
    expect(body).toEqual({
      status: 'success',
      data: {
        resultType: 'matrix',
        result: [
          { metric: { job: 'a' }, values: [120, 180, 240, 300].map((s) => [T0 + s, '1']) },
          { metric: { job: 'b' }, values: [120, 180, 240, 300].map((s) => [T0 + s, '2']) },
        ],
      },
    });
  });

  it('takes form-encoded POST and RFC3339 times like GET with unix seconds', async () => {
    const rfc3339 = new Date((T0 + 300) * 1000).toISOString();
    const post = await promPost(api(), 'query', { query: 'reqs_total{job="b"} * 2', time: rfc3339 });
    const get = await promGet(api(), 'query', { query: 'reqs_total{job="b"} * 2', time: String(T0 + 300) });
    expect(post).toEqual(get);
    expect(post.body).toEqual({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { job: 'b', route: '/x' }, value: [T0 + 300, '1200'] }],
      },
    });
    const scalar = await promGet(api(), 'query', { query: '1 + 2 * 3', time: '100' });
    expect(scalar.body).toEqual({ status: 'success', data: { resultType: 'scalar', result: [100, '7'] } });
  });

  it('lists label names, label values and series', async () => {
    expect((await promGet(api(), 'labels')).body).toEqual({
      status: 'success',
      data: ['__name__', 'job', 'route'],
    });
    expect((await promGet(api(), 'label/job/values')).body).toEqual({ status: 'success', data: ['a', 'b'] });
    expect((await promGet(api(), 'label/__name__/values')).body).toEqual({
      status: 'success',
      data: ['reqs_total'],
    });
    expect((await promGet(api(), 'series', { 'match[]': 'reqs_total{job="a"}' })).body).toEqual({
      status: 'success',
      data: [{ __name__: 'reqs_total', job: 'a', route: '/x' }],
    });
    const outside = await promGet(api(), 'series', { 'match[]': 'reqs_total', start: '1', end: '2' });
    expect(outside.body).toEqual({ status: 'success', data: [] });
  });

  const badRequests: [string, string, Record<string, string>, number, string, RegExp][] = [
    [
      'a malformed query',
      'query',
      { query: 'sum(rate(reqs_total[1m])' },
      400,
      'bad_data',
      /^1:25: parse error: unexpected end of input/,
    ],
    [
      'an unknown function',
      'query',
      { query: 'rated(reqs_total[1m])' },
      400,
      'bad_data',
      /unknown function with name "rated"/,
    ],
    ['a missing query', 'query', {}, 400, 'bad_data', /invalid parameter "query"/],
    [
      'an unparsable time',
      'query',
      { query: 'reqs_total', time: 'yesterday' },
      400,
      'bad_data',
      /invalid parameter "time": cannot parse "yesterday"/,
    ],
    [
      'end before start',
      'query_range',
      { query: 'reqs_total', start: '200', end: '100', step: '15' },
      400,
      'bad_data',
      /end timestamp must not be before start time/,
    ],
    [
      'a zero step',
      'query_range',
      { query: 'reqs_total', start: '100', end: '200', step: '0' },
      400,
      'bad_data',
      /zero or negative query resolution step/,
    ],
    [
      'a bad step',
      'query_range',
      { query: 'reqs_total', start: '100', end: '200', step: 'often' },
      400,
      'bad_data',
      /invalid parameter "step"/,
    ],
    [
      'too many points',
      'query_range',
      { query: 'reqs_total', start: '0', end: '1000000', step: '1' },
      400,
      'bad_data',
      /exceeded maximum resolution of 11,000 points/,
    ],
    ['series without match[]', 'series', {}, 400, 'bad_data', /no match\[\] parameter provided/],
    ['a bad label name', 'label/bad-name/values', {}, 400, 'bad_data', /invalid label name/],
    [
      'many-to-many matching',
      'query',
      { query: 'reqs_total + on() reqs_total', time: String(T0 + 300) },
      422,
      'execution',
      /many-to-many matching not allowed/,
    ],
  ];
  for (const [what, path, params, code, errorType, message] of badRequests) {
    it(`answers ${what} with ${code} ${errorType} in Prometheus's error shape`, async () => {
      const { status, body } = await promGet<PromError>(api(), path, params);
      expect(status).toBe(code);
      expect(body.status).toBe('error');
      expect(body.errorType).toBe(errorType);
      expect(body.error).toMatch(message);
    });
  }

  it('keeps serving after bad input', async () => {
    const { status, body } = await promGet<{ data: { result: unknown[] } }>(api(), 'query', {
      query: 'count(reqs_total)',
      time: String(T0 + 300),
    });
    expect(status).toBe(200);
    expect(body.data.result).toEqual([{ metric: {}, value: [T0 + 300, '2'] }]);
  });

  it('proxies a configured Prometheus and offers it to the UI as a data source', async () => {
    const config = (await (await fetch(`${proxying.api}/loupe/config`)).json()) as {
      metrics: { datasources: { uid: string; url: string }[] };
    };
    expect(config.metrics.datasources).toEqual([
      { uid: 'loupe', name: 'Loupe', url: '/prometheus' },
      { uid: 'prometheus', name: 'Prometheus', url: '/loupe/proxy/prometheus' },
    ]);
    const params = { query: 'count(reqs_total)', time: String(T0 + 300) };
    const viaProxy = await promGet(`${proxying.api}/loupe/proxy/prometheus`, 'query', params);
    expect(viaProxy).toEqual(await promGet(api(), 'query', params));
    const posted = await promPost(`${proxying.api}/loupe/proxy/prometheus`, 'query', params);
    expect(posted).toEqual(viaProxy);
    const outside = await fetch(`${proxying.api}/loupe/proxy/prometheus/-/reload`, { method: 'POST' });
    expect(outside.status).toBe(404);
  });
});

describe('Prometheus HTTP API with multi-tenancy', () => {
  let server: TestLoupe;

  beforeAll(async () => {
    server = await startTestLoupe({ multitenancyEnabled: true });
    const body = {
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'tenant_gauge',
                  gauge: { dataPoints: [{ timeUnixNano: `${Date.now()}000000`, asDouble: 42 }] },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${server.otlp}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-scope-orgid': 'team-a' },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`push answered ${res.status}`);
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('answers each tenant with its own series only, and refuses a request without a tenant', async () => {
    const api = `${server.api}/prometheus`;
    const a = await promGet<{ data: { result: unknown[] } }>(
      api,
      'query',
      { query: 'tenant_gauge' },
      { 'x-scope-orgid': 'team-a' },
    );
    expect(a.body.data.result).toEqual([
      { metric: { __name__: 'tenant_gauge' }, value: [expect.any(Number), '42'] },
    ]);
    const b = await promGet<{ data: { result: unknown[] } }>(
      api,
      'query',
      { query: 'tenant_gauge' },
      { 'x-scope-orgid': 'team-b' },
    );
    expect(b.body.data.result).toEqual([]);
    const none = await promGet<PromError>(api, 'query', { query: 'tenant_gauge' });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ status: 'error', error: 'no org id' });
  });
});
