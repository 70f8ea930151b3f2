import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flatten,
  lokiGet,
  lokiProtoBody,
  lokiPushJson,
  lokiPushProto,
  nanosAgo,
} from './support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';

/**
 * Every kind of bad input to the logs API gets a 4xx with a plain-text message saying what is
 * wrong; the server stays up and what was stored before stays queryable. Tenants stay apart.
 */
describe('logs API: bad input and tenants', () => {
  let server: TestLoupe;
  const ts = String(nanosAgo(10));

  beforeAll(async () => {
    server = await startTestLoupe({
      multitenancyEnabled: true,
      logs: {
        limits: {
          maxLabelNamesPerSeries: 3,
          maxLineBytes: 100,
          ingestionRateBytesPerSecond: 1,
          ingestionBurstBytes: 4000,
        },
      },
    });
    const seeded = await lokiPushJson(
      server.api,
      { streams: [{ stream: { service_name: 'seed' }, values: [[ts, 'seeded line']] }] },
      { 'X-Scope-OrgID': 'acme' },
    );
    expect(seeded.status).toBe(204);
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  const acme = { 'X-Scope-OrgID': 'acme' };
  const query = (params: Record<string, string>, headers: Record<string, string> = acme) =>
    lokiGet(server.api, '/loki/api/v1/query_range', params, headers);

  async function expectStillServing() {
    const res = await query({ query: '{service_name="seed"}' });
    expect(res.status).toBe(200);
    expect(flatten(res.json()).map((e) => e.line)).toEqual(['seeded line']);
  }

  it.each([
    [{}, 'query parameter is required'],
    [{ query: '{service_name="seed"' }, 'parse error at line 1, col 21'],
    [{ query: '{service_name=seed}' }, 'col 15: syntax error: unexpected IDENTIFIER, expecting STRING'],
    [{ query: '{service_name="seed"}', start: 'yesterday' }, 'invalid start "yesterday"'],
    [{ query: '{service_name="seed"}', limit: '-3' }, 'invalid limit "-3"'],
    [{ query: '{service_name="seed"}', limit: '100000' }, 'max entries limit per query exceeded'],
    [{ query: '{service_name="seed"}', direction: 'sideways' }, 'invalid direction "sideways"'],
    [{ query: '{service_name="seed"}', start: '2000', end: '1000' }, 'end timestamp must not be before'],
    [{ query: '{service_name="seed"}', since: 'forever' }, 'invalid since "forever"'],
  ])('query_range %j → 400 with a message', async (params, message) => {
    const res = await query(params as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('text/plain');
    expect(res.text).toContain(message);
    await expectStillServing();
  });

  it('refuses an instant log query as Loki 3 does, and needs an org ID', async () => {
    const instant = await lokiGet(server.api, '/loki/api/v1/query', { query: '{service_name="seed"}' }, acme);
    expect(instant.status).toBe(400);
    expect(instant.text).toContain('not supported as an instant query');
    const anonymous = await query({ query: '{service_name="seed"}' }, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toBe('no org id');
  });

  it.each([
    ['not JSON', '{"streams": [', 'malformed JSON push body'],
    ['no streams', '{"foo": 1}', '"streams" list'],
    [
      'bad label name',
      JSON.stringify({ streams: [{ stream: { 'a-b': 'x' }, values: [[ts, 'l']] }] }),
      'invalid label name "a-b"',
    ],
    [
      'numeric timestamp',
      JSON.stringify({ streams: [{ stream: { a: 'x' }, values: [[1, 'l']] }] }),
      'timestamp must be a string',
    ],
    [
      'no labels',
      JSON.stringify({ streams: [{ stream: {}, values: [[ts, 'l']] }] }),
      'at least one label pair',
    ],
    [
      'too many labels',
      JSON.stringify({ streams: [{ stream: { a: '1', b: '2', c: '3', d: '4' }, values: [[ts, 'l']] }] }),
      'has 4 label names; limit 3',
    ],
  ])('JSON push with %s → 400', async (_name, body, message) => {
    const res = await lokiPushJson(server.api, body, acme);
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    await expectStillServing();
  });

  it('stores the good lines of a push with a too-long line, and answers 400', async () => {
    const res = await lokiPushJson(
      server.api,
      {
        streams: [
          {
            stream: { service_name: 'mixed' },
            values: [
              [ts, 'short'],
              [String(BigInt(ts) + 1n), 'x'.repeat(101)],
            ],
          },
        ],
      },
      acme,
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain("max entry size '100' bytes exceeded");
    const stored = flatten((await query({ query: '{service_name="mixed"}' })).json());
    expect(stored.map((e) => e.line)).toEqual(['short']);
  });

  it('answers 400 for bad snappy, bad protobuf and bad label strings; 415 and 413 for the wrong body', async () => {
    const badSnappy = await lokiPushProto(
      server.api,
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      acme,
    );
    expect(badSnappy.status).toBe(400);
    expect(badSnappy.text).toContain('snappy');
    const SnappyJS = (await import('snappyjs')).default;
    const badProto = await lokiPushProto(
      server.api,
      SnappyJS.compress(Buffer.from([0x0a, 0xff, 0x01])),
      acme,
    );
    expect(badProto.status).toBe(400);
    expect(badProto.text).toContain('malformed protobuf');
    const badLabels = await lokiPushProto(
      server.api,
      lokiProtoBody([{ labels: '{service_name=unquoted}', entries: [{ ns: BigInt(ts), line: 'l' }] }]),
      acme,
    );
    expect(badLabels.status).toBe(400);
    expect(badLabels.text).toContain('error parsing labels');
    const wrongType = await fetch(`${server.api}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...acme },
      body: 'hello',
    });
    expect(wrongType.status).toBe(415);
    const tooLarge = await lokiPushJson(server.api, 'x'.repeat(21 * 1024 * 1024), acme);
    expect(tooLarge.status).toBe(413);
    await expectStillServing();
  });

  it('answers 429 over the ingestion rate, storing nothing of that push', async () => {
    const line = 'y'.repeat(90);
    const values = Array.from({ length: 60 }, (_, i) => [String(BigInt(ts) + BigInt(i)), line]);
    const res = await lokiPushJson(
      server.api,
      { streams: [{ stream: { service_name: 'flood' }, values }] },
      acme,
    );
    expect(res.status).toBe(429);
    expect(res.text).toContain('Ingestion rate limit exceeded');
    const stored = await query({ query: '{service_name="flood"}' });
    expect(stored.json().data.result).toEqual([]);
    const metrics = await (await fetch(`${server.api}/metrics`)).text();
    expect(metrics).toContain('loupe_logs_discarded_lines_total{tenant="acme",reason="rate_limited"} 60');
    await expectStillServing();
  });

  it('reports OTLP records with too-long lines as rejected and keeps the rest', async () => {
    const tooLong = async () => {
      const text = await (await fetch(`${server.api}/metrics`)).text();
      const m = /loupe_logs_discarded_lines_total\{tenant="acme",reason="line_too_long"\} (\d+)/.exec(text);
      return m ? Number(m[1]) : 0;
    };
    const tooLongBefore = await tooLong();
    const record = (body: string, nanos: string) => ({ timeUnixNano: nanos, body: { stringValue: body } });
    const res = await fetch(`${server.otlp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...acme },
      body: JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otlp-limits' } }] },
            scopeLogs: [{ logRecords: [record('fits', ts), record('z'.repeat(150), ts)] }],
          },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string };
    };
    expect(Number(body.partialSuccess?.rejectedLogRecords)).toBe(1);
    expect(body.partialSuccess?.errorMessage).toContain('max entry size');
    const stored = flatten((await query({ query: '{service_name="otlp-limits"}' })).json());
    expect(stored.map((e) => e.line)).toEqual(['fits']);
    expect(await tooLong()).toBe(tooLongBefore + 1);
  });

  it('keeps tenants apart', async () => {
    const other = { 'X-Scope-OrgID': 'globex' };
    expect(
      (
        await lokiPushJson(
          server.api,
          { streams: [{ stream: { service_name: 'seed' }, values: [[ts, 'globex line']] }] },
          other,
        )
      ).status,
    ).toBe(204);
    const globex = flatten((await query({ query: '{service_name="seed"}' }, other)).json());
    expect(globex.map((e) => e.line)).toEqual(['globex line']);
    await expectStillServing();
    const labels = await lokiGet<{ data: string[] }>(
      server.api,
      '/loki/api/v1/label/service_name/values',
      {},
      other,
    );
    expect(labels.json().data).toEqual(['seed']);
  });
});
