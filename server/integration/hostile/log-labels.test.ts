import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReady, metricValue, scrapeMetrics } from '../support/clients';
import {
  flatten,
  lokiGet,
  lokiProtoBody,
  lokiPushJson,
  lokiPushProto,
  nanosAgo,
} from '../support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';

/**
 * Issue 11: Loki refuses a stream whose label name is longer than `max_label_name_length` (1024)
 * or whose label value is longer than `max_label_value_length` (2048 bytes), with a 400 naming
 * the stream. Loupe stored them, so one 10 MiB label value became a stream key, an index entry
 * and part of every answer listing streams. Now the stream is refused, the rest of the push is
 * stored, and the error quotes the label cut short instead of repeating 10 MiB.
 */

const MiB = 1024 * 1024;
const TENANT = 'single-tenant';
const hugeValue = `huge-${'v'.repeat(10 * MiB)}`;

type Answer = Awaited<ReturnType<typeof lokiPushJson>>;

function expectShortRefusal(res: Answer, problem: 'name' | 'value'): void {
  expect(res.status).toBe(400);
  expect(res.contentType).toContain('text/plain');
  expect(res.text).toMatch(new RegExp(`^stream '\\{.*' has label ${problem} too long: '`));
  expect(res.text.length).toBeLessThan(2000);
}

describe('label length limits, Loki defaults', () => {
  let server: TestLoupe;
  const ts = String(nanosAgo(20));
  const logsOf = async (query: string) =>
    flatten((await lokiGet(server.api, '/loki/api/v1/query_range', { query })).json()).map((e) => e.line);
  const discarded = async (reason: string) =>
    metricValue(await scrapeMetrics(server.api), 'loupe_logs_discarded_lines_total', {
      tenant: TENANT,
      reason,
    });

  beforeAll(async () => {
    server = await startTestLoupe();
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it('JSON push: a 10 MiB label value refuses its stream with a short 400; the other stream is stored', async () => {
    const res = await lokiPushJson(server.api, {
      streams: [
        { stream: { service_name: 'huge-value', pod: hugeValue }, values: [[ts, 'refused line']] },
        { stream: { service_name: 'beside-huge' }, values: [[ts, 'kept line']] },
      ],
    });
    expectShortRefusal(res, 'value');
    expect(res.text).toContain("has label value too long: 'huge-vvvv");
    expect(await logsOf('{service_name="beside-huge"}')).toEqual(['kept line']);
    expect(await logsOf('{service_name="huge-value"}')).toEqual([]);
    expect(await discarded('label_value_too_long')).toBe(1);
    expect(await isReady(server.api)).toBe(true);
  });

  it('JSON push: a 1,025-character label name is refused; 1,024 characters and a 2,048-byte value are not', async () => {
    const longName = `n${'a'.repeat(1024)}`;
    const refused = await lokiPushJson(server.api, {
      streams: [{ stream: { service_name: 'long-name', [longName]: 'x' }, values: [[ts, 'refused']] }],
    });
    expectShortRefusal(refused, 'name');
    expect(refused.text).toContain(`has label name too long: 'naaa`);

    const atLimits = await lokiPushJson(server.api, {
      streams: [
        {
          stream: { service_name: 'at-limits', [longName.slice(1)]: 'é'.repeat(1024) },
          values: [[ts, 'at the limits']],
        },
      ],
    });
    expect(atLimits.status).toBe(204);
    expect(await logsOf('{service_name="at-limits"}')).toEqual(['at the limits']);
  });

  it('protobuf push: a 10 MiB label value is refused the same way', async () => {
    const body = lokiProtoBody([
      {
        labels: `{service_name="proto-huge", pod="${hugeValue}"}`,
        entries: [{ ns: BigInt(ts), line: 'no' }],
      },
      { labels: '{service_name="proto-kept"}', entries: [{ ns: BigInt(ts), line: 'kept' }] },
    ]);
    const res = await lokiPushProto(server.api, body);
    expectShortRefusal(res, 'value');
    expect(await logsOf('{service_name="proto-kept"}')).toEqual(['kept']);
    expect(await logsOf('{service_name="proto-huge"}')).toEqual([]);
  });

  it('OTLP: a resource whose service.name is 10 MiB has its records rejected in partial_success', async () => {
    const resource = (service: string, line: string) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeLogs: [{ logRecords: [{ timeUnixNano: ts, body: { stringValue: line } }] }],
    });
    const res = await fetch(`${server.otlp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceLogs: [resource(hugeValue, 'refused'), resource('otlp-kept', 'kept')] }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeLessThan(2000);
    const { partialSuccess } = JSON.parse(text) as {
      partialSuccess?: { rejectedLogRecords?: string | number; errorMessage?: string };
    };
    expect(Number(partialSuccess?.rejectedLogRecords)).toBe(1);
    expect(partialSuccess?.errorMessage).toMatch(/^stream '\{.*' has label value too long: 'huge-vvv/);
    expect(await logsOf('{service_name="otlp-kept"}')).toEqual(['kept']);
    expect(await isReady(server.api)).toBe(true);
  });

  it('keeps the label and series listings free of refused labels', async () => {
    const listings = await Promise.all(
      ['/loki/api/v1/labels', '/loki/api/v1/label/pod/values', '/loki/api/v1/series'].map(async (path) => {
        const res = await lokiGet(server.api, path, { 'match[]': '{service_name=~".+"}' });
        expect(res.status).toBe(200);
        return JSON.stringify(res.json());
      }),
    );
    for (const listing of listings) {
      expect(listing.length).toBeLessThan(10_000);
      expect(listing).not.toContain('huge-vvv');
    }
    for (const kept of ['beside-huge', 'proto-kept', 'otlp-kept']) expect(listings[2]).toContain(kept);
  });
});

describe('label length limits, configured', () => {
  let server: TestLoupe;
  const ts = String(nanosAgo(20));

  beforeAll(async () => {
    server = await startTestLoupe({ logs: { limits: { maxLabelNameLength: 8, maxLabelValueLength: 10 } } });
  });

  afterAll(async () => {
    await server.loupe.stop();
    removeDir(server.dataDir);
  });

  it.each([
    [{ service_name: 'a' }, 'name', "has label name too long: 'service_name'"],
    [{ job: 'x'.repeat(11) }, 'value', "has label value too long: 'xxxxxxxxxxx'"],
    [{ job: 'é'.repeat(6) }, 'value', 'has label value too long'], // 12 bytes: the limit counts bytes, as Loki's
  ] as const)('refuses %j', async (stream, problem, message) => {
    const res = await lokiPushJson(server.api, { streams: [{ stream, values: [[ts, 'l']] }] });
    expectShortRefusal(res, problem);
    expect(res.text).toContain(message);
  });

  it('accepts labels within the configured limits', async () => {
    const res = await lokiPushJson(server.api, {
      streams: [{ stream: { job: 'x'.repeat(10), pod: 'é'.repeat(5) }, values: [[ts, 'l']] }],
    });
    expect(res.status).toBe(204);
  });
});
