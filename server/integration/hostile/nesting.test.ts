import protobuf from 'protobufjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PROMQL_DEPTH } from '../../promql/nesting';
import { fetchTrace, isReady, postTraces } from '../support/clients';
import {
  flatten,
  lokiGet,
  lokiProtoBody,
  lokiPushJson,
  lokiPushProto,
  nanosAgo,
} from '../support/logs-client';
import { removeDir, startTestLoupe, type TestLoupe } from '../support/loupe-server';
import { type PromError, promPost } from '../support/metrics-api';
import { encodeTraceRequest, hex, newTraceId, simpleSpan } from '../support/otlp-request';
import { decodeRpcStatus } from '../support/otlp-response';

/**
 * Issue 11: a request nested far deeper than any client writes (OTLP/JSON AnyValues, Loki push
 * labels, PromQL) is a bad request, refused with a 400 that names the limit, so exporters do not
 * retry it forever. Before, each overflowed the call stack and answered 500 or 503 (retryable).
 * After every hostile request the server is ready and what it accepted before is still queryable.
 *
 * The payloads are built as text with loops: JSON.stringify itself overflows on them.
 */

const OTLP_MAX_NESTING = 64;
const SEED_SERVICE = 'nesting-seed';

let server: TestLoupe;
const seededTraceId = newTraceId();
const logTs = String(nanosAgo(30));

beforeAll(async () => {
  server = await startTestLoupe();
  const trace = await postTraces(
    server.otlp,
    encodeTraceRequest([{ service: SEED_SERVICE, spans: [simpleSpan(seededTraceId, 'seeded', Date.now())] }]),
  );
  expect(trace.status).toBe(200);
  const log = await lokiPushJson(server.api, {
    streams: [{ stream: { service_name: SEED_SERVICE }, values: [[logTs, 'seeded line']] }],
  });
  expect(log.status).toBe(204);
  const metric = await postOtlpJson('metrics', seedGaugeRequest(7));
  expect(metric.status).toBe(200);
});

afterAll(async () => {
  await server?.loupe.stop();
  if (server) removeDir(server.dataDir);
});

afterEach(async () => {
  expect(await isReady(server.api)).toBe(true);
  expect((await fetchTrace(server.api, hex(seededTraceId), 'v2-json')).httpStatus).toBe(200);
  const logs = await lokiGet(server.api, '/loki/api/v1/query_range', {
    query: `{service_name="${SEED_SERVICE}"}`,
  });
  expect(flatten(logs.json()).map((e) => e.line)).toEqual(['seeded line']);
  const { body } = await promPost<{ data: { result: { value: [number, string] }[] } }>(
    `${server.api}/prometheus`,
    'query',
    { query: 'nesting_seed' },
  );
  expect(body.data.result.map((r) => r.value[1])).toEqual(['7']);
});

type Signal = 'traces' | 'logs' | 'metrics';

async function postOtlpJson(signal: Signal, body: string) {
  const res = await fetch(`${server.otlp}/v1/${signal}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as { code?: number; message?: string } };
}

/** An AnyValue as OTLP/JSON text: `depth` kvlists or arrays around one string. */
function nestedAnyValue(kind: 'kvlistValue' | 'arrayValue', depth: number): string {
  const open =
    kind === 'kvlistValue' ? '{"kvlistValue":{"values":[{"key":"k","value":' : '{"arrayValue":{"values":[';
  const close = kind === 'kvlistValue' ? '}]}}' : ']}}';
  return `${open.repeat(depth)}{"stringValue":"leaf"}${close.repeat(depth)}`;
}

const VALUE = '"__VALUE__"';
/** `template` as JSON with its `"__VALUE__"` string replaced by the text `value`. */
const withValue = (template: unknown, value: string) => JSON.stringify(template).replace(VALUE, () => value);

function traceRequest(value: string): string {
  const span = {
    traceId: hex(newTraceId()),
    spanId: '00f067aa0ba902b7',
    name: 'deep',
    startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
    endTimeUnixNano: String(BigInt(Date.now() + 1) * 1_000_000n),
    attributes: [{ key: 'deep', value: '__VALUE__' }],
  };
  return withValue({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }, value);
}

function logRequest(value: string): string {
  const record = { timeUnixNano: String(nanosAgo(5)), body: '__VALUE__' };
  return withValue({ resourceLogs: [{ scopeLogs: [{ logRecords: [record] }] }] }, value);
}

/** A gauge `nesting_seed` = `value` of job `nesting-seed`. */
function seedGaugeRequest(value: number): string {
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: SEED_SERVICE } }] };
  const point = { timeUnixNano: String(nanosAgo(10)), asDouble: value };
  const metric = { name: 'nesting_seed', gauge: { dataPoints: [point] } };
  return JSON.stringify({ resourceMetrics: [{ resource, scopeMetrics: [{ metrics: [metric] }] }] });
}

function metricRequest(value: string): string {
  const point = `{"asDouble":1,"timeUnixNano":"${nanosAgo(5)}","attributes":[{"key":"deep","value":${value}}]}`;
  return withValue(
    {
      resourceMetrics: [
        { scopeMetrics: [{ metrics: [{ name: 'deep', gauge: { dataPoints: ['__VALUE__'] } }] }] },
      ],
    },
    point,
  );
}

const REQUESTS: Record<Signal, (value: string) => string> = {
  traces: traceRequest,
  logs: logRequest,
  metrics: metricRequest,
};

describe('OTLP/JSON with a deeply nested AnyValue', () => {
  it.each([
    ['traces', 'kvlistValue', 1_000],
    ['traces', 'arrayValue', 10_000],
    ['logs', 'kvlistValue', 1_000],
    ['logs', 'arrayValue', 10_000],
    ['metrics', 'kvlistValue', 1_000],
    ['metrics', 'arrayValue', 10_000],
  ] as const)('%s, %s %i deep: 400 INVALID_ARGUMENT naming the limit', async (signal, kind, depth) => {
    const res = await postOtlpJson(signal, REQUESTS[signal](nestedAnyValue(kind, depth)));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(3);
    expect(res.body.message).toContain(`nested more than ${OTLP_MAX_NESTING} levels deep`);
  });

  it.each(['traces', 'logs', 'metrics'] as const)(
    '%s: a shallow nested value is still accepted',
    async (signal) => {
      const res = await postOtlpJson(signal, REQUESTS[signal](nestedAnyValue('kvlistValue', 3)));
      expect(res.status).toBe(200);
    },
  );
});

describe('OTLP/protobuf with a deeply nested AnyValue', () => {
  /** The same logs request in protobuf: AnyValue.array_value (5) → ArrayValue.values (1), `depth` times. */
  function deepLogsProtobuf(depth: number): Uint8Array {
    let value = protobuf.Writer.create().uint32(0x0a).string('leaf').finish();
    for (let i = 0; i < depth; i++) {
      const array = protobuf.Writer.create().uint32(0x0a).bytes(value).finish();
      value = protobuf.Writer.create().uint32(0x2a).bytes(array).finish();
    }
    const record = protobuf.Writer.create().uint32(0x2a).bytes(value).finish(); // LogRecord.body
    const scopeLogs = protobuf.Writer.create().uint32(0x12).bytes(record).finish();
    const resourceLogs = protobuf.Writer.create().uint32(0x12).bytes(scopeLogs).finish();
    return protobuf.Writer.create().uint32(0x0a).bytes(resourceLogs).finish();
  }

  it('logs, arrayValue 10,000 deep: 400 INVALID_ARGUMENT', async () => {
    const res = await fetch(`${server.otlp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: Buffer.from(deepLogsProtobuf(10_000)),
    });
    expect(res.status).toBe(400);
    expect(decodeRpcStatus(Buffer.from(await res.arrayBuffer())).code).toBe(3);
  });
});

describe('Loki push with deeply nested JSON', () => {
  const nestedArray = (depth: number) => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`;

  it.each([
    [
      'a stream label',
      (deep: string) => `{"streams":[{"stream":{"job":${deep}},"values":[["${logTs}","l"]]}]}`,
      'streams[0].stream.job must be a string, got an array',
    ],
    [
      'a metadata value',
      (deep: string) => `{"streams":[{"stream":{"job":"j"},"values":[["${logTs}","l",{"k":${deep}}]]}]}`,
      'streams[0].values[0][2].k must be a string, got an array',
    ],
    [
      'a timestamp',
      (deep: string) => `{"streams":[{"stream":{"job":"j"},"values":[[${deep},"l"]]}]}`,
      'timestamp must be a string of unix nanoseconds, got an array',
    ],
  ])('%s of arrays 10,000 deep: 400 with a Loki-style message', async (_where, body, message) => {
    const res = await lokiPushJson(server.api, body(nestedArray(10_000)));
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('text/plain');
    expect(res.text).toContain(message);
    expect(res.text.length).toBeLessThan(1000);
  });

  it('protobuf push whose labels open 10,000 braces: 400 naming the labels', async () => {
    const labels = `${'{'.repeat(10_000)}job="x"${'}'.repeat(10_000)}`;
    const res = await lokiPushProto(
      server.api,
      lokiProtoBody([{ labels, entries: [{ ns: nanosAgo(5), line: 'l' }] }]),
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('error parsing labels');
    expect(res.text.length).toBeLessThan(1000);
  });
});

describe('PromQL nested deeper than the parser allows', () => {
  const query = (q: string) => promPost<PromError>(`${server.api}/prometheus`, 'query', { query: q });
  const chain = (term: string, op: string, terms: number) =>
    Array.from({ length: terms }, () => term).join(op);

  it.each([
    ['10,000 parentheses', `${'('.repeat(10_000)}1${')'.repeat(10_000)}`],
    ['10,000 nested sum(', `${'sum('.repeat(10_000)}nesting_seed${')'.repeat(10_000)}`],
    ['100,000 unary minus', `${'-'.repeat(100_000)}1`],
    ['100,000 unary minus on a vector', `${'-'.repeat(100_000)}nesting_seed`],
    ['a chain of 20,000 additions', chain('nesting_seed', ' + ', 20_000)],
    ['a chain of 10,000 powers', chain('2', '^', 10_000)],
  ])('%s: 400 bad_data naming the limit', async (_name, q) => {
    const { status, body } = await query(q);
    expect(status).toBe(400);
    expect(body.status).toBe('error');
    expect(body.errorType).toBe('bad_data');
    expect(body.error).toContain(`nested more than ${MAX_PROMQL_DEPTH} levels deep`);
  });

  it.each([
    [
      'parentheses',
      `${'('.repeat(MAX_PROMQL_DEPTH - 1)}nesting_seed${')'.repeat(MAX_PROMQL_DEPTH - 1)}`,
      '7',
    ],
    ['sum(', `${'sum('.repeat(MAX_PROMQL_DEPTH - 1)}nesting_seed${')'.repeat(MAX_PROMQL_DEPTH - 1)}`, '7'],
    ['abs(', `${'abs('.repeat(MAX_PROMQL_DEPTH - 1)}nesting_seed${')'.repeat(MAX_PROMQL_DEPTH - 1)}`, '7'],
    [
      'unary minus',
      `${'-'.repeat(MAX_PROMQL_DEPTH - 1)}nesting_seed`,
      MAX_PROMQL_DEPTH % 2 === 0 ? '-7' : '7',
    ],
    ['additions', chain('nesting_seed', ' + ', MAX_PROMQL_DEPTH), String(7 * MAX_PROMQL_DEPTH)],
  ])('the deepest accepted query (%s) is answered', async (_name, q, value) => {
    const { status, body } = await promPost<{ data: { result: { value: [number, string] }[] } }>(
      `${server.api}/prometheus`,
      'query',
      { query: q },
    );
    expect(status).toBe(200);
    expect(body.data.result.map((r) => r.value[1])).toEqual([value]);
  });
});
