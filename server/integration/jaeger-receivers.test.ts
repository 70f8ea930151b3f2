import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeThriftBatch,
  httpSender,
  i64,
  type JaegerClientLogger,
  jaegerClient,
} from '../receivers/jaeger/jaeger-client-support';
import { postSpans } from '../receivers/jaeger/jaeger-grpc-client-support';
import { grpcScenario } from '../receivers/jaeger/jaeger-grpc-scenario-support';
import { fetchTrace } from './support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import type { FlatSpan } from './support/tempo-json';

/**
 * The Jaeger receivers of a running Loupe (started from its config): the Jaeger client's own Thrift over
 * `thrift_http`, and a gRPC `PostSpans` built from the receiver's protos; each trace is then
 * read back through Tempo's API span by span, as the OpenTelemetry Collector would have
 * translated it. Bad bodies and missing tenants are refused the way the OTLP receivers refuse them.
 */

interface Stack {
  server: TestLoupe;
  /** `http://127.0.0.1:<port>/api/traces` */
  thriftUrl: string;
  /** `127.0.0.1:<port>` */
  grpcAddress: string;
}

/** A Loupe whose config lists both Jaeger protocols (`distributor.receivers.jaeger.protocols`). */
async function startStack(multitenancyEnabled: boolean): Promise<Stack> {
  const server = await startTestLoupe({
    multitenancyEnabled,
    receivers: {
      jaeger: {
        thriftHttp: { host: '127.0.0.1', port: 0, maxRequestBodyBytes: 1 << 20 },
        grpc: { host: '127.0.0.1', port: 0, maxRecvMsgBytes: 1 << 20 },
      },
    },
  });
  const { jaegerThriftHttp, jaegerGrpc } = server.loupe.ports;
  return {
    server,
    thriftUrl: `http://127.0.0.1:${jaegerThriftHttp}/api/traces`,
    grpcAddress: `127.0.0.1:${jaegerGrpc}`,
  };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return;
  await stack.server.loupe.stop();
  removeDir(stack.server.dataDir);
}

/**
 * `describe` with a stack started before its tests and stopped after them; `stack()` is that
 * stack while the tests run.
 */
function describeWithStack(
  title: string,
  { multitenancyEnabled }: { multitenancyEnabled: boolean },
  body: (stack: () => Stack) => void,
): void {
  describe(title, () => {
    let started: Stack | undefined;
    beforeAll(async () => {
      started = await startStack(multitenancyEnabled);
    });
    afterAll(() => stopStack(started));
    body(() => {
      if (!started) throw new Error(`the stack of "${title}" did not start`);
      return started;
    });
  });
}

async function readTrace(stack: Stack, traceId: string, tenant?: string): Promise<FlatSpan[]> {
  const answer = await fetchTrace(stack.server.api, traceId, 'v2-json', { tenant });
  expect(answer.httpStatus).toBe(200);
  return answer.spans;
}

/** A one-span Thrift batch, encoded by jaeger-client's thriftrw. */
function oneSpanBatch(traceIdLow: bigint, name = 'op'): Buffer {
  const startMicros = BigInt(Date.now()) * 1000n;
  return encodeThriftBatch({
    process: { serviceName: 'svc' },
    spans: [
      {
        traceIdLow: i64(traceIdLow),
        traceIdHigh: i64(0x77n),
        spanId: i64(1n),
        parentSpanId: i64(0n),
        operationName: name,
        flags: 1,
        startTime: i64(startMicros),
        duration: i64(10n),
      },
    ],
  });
}

const hex = (bytes: Buffer) => bytes.toString('hex');
const ms = (t: number) => `${t}000000`;
/** A span's start and end in the flattened answer, from milliseconds. */
const during = (start: number, end: number) => ({ startTimeUnixNano: ms(start), endTimeUnixNano: ms(end) });
const ns = (t: bigint) => ({ seconds: Number(t / 1_000_000_000n), nanos: Number(t % 1_000_000_000n) });

describeWithStack('Jaeger receivers, single tenant', { multitenancyEnabled: false }, (stack) => {
  it('jaeger-client (Tracer, RemoteReporter, HTTPSender) over thrift_http: each span as recorded', async () => {
    const { Tracer, RemoteReporter, ConstSampler, opentracing } = jaegerClient();
    const errors: string[] = [];
    const logger: JaegerClientLogger = { info: () => {}, error: (message) => errors.push(message) };
    const reporter = new RemoteReporter(httpSender({ endpoint: stack().thriftUrl, logger }), { logger });
    const tracer = new Tracer('checkout', reporter, new ConstSampler(true), {
      tags: { region: 'eu-west-1', 'build.number': 42, canary: true },
      traceId128bit: true,
    });
    const t0 = Date.now() - 60_000;
    const root = tracer.startSpan('POST /checkout', {
      tags: { 'span.kind': 'server', 'http.method': 'POST' },
      startTime: t0,
    });
    const charge = tracer.startSpan('charge card', {
      childOf: root.context(),
      tags: { 'span.kind': 'client' },
      startTime: t0 + 5,
    });
    charge.setTag('error', true).setTag('payload', Buffer.from([1, 2, 3]));
    charge.log({ event: 'error', message: 'card declined', attempt: 2 }, t0 + 20);
    charge.finish(t0 + 30);
    const receipt = tracer.startSpan('send receipt', {
      references: [opentracing.followsFrom(root.context())],
      tags: { 'span.kind': 'producer' },
      startTime: t0 + 40,
    });
    receipt.finish(t0 + 45);
    root.finish(t0 + 50);
    await new Promise<void>((resolve) => tracer.close(resolve));
    expect(errors).toEqual([]);

    const traceId = hex(root.context().traceId).padStart(32, '0');
    const [rootId, chargeId, receiptId] = [root, charge, receipt].map((s) => hex(s.context().spanId));
    const common = {
      service: 'checkout',
      resource: {
        'service.name': { string: 'checkout' },
        'host.name': { string: hostname() },
        'opencensus.exporterversion': { string: 'Jaeger-Node-3.19.0' },
        ip: { string: expect.stringMatching(/^\d+\.\d+\.\d+\.\d+$/) },
        'client-uuid': { string: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        region: { string: 'eu-west-1' },
        'build.number': { double: 42 },
        canary: { bool: true },
      },
      scope: { name: '', version: '' },
      traceId,
      events: [],
      links: [],
      status: { code: 'STATUS_CODE_UNSET', message: '' },
    };
    const expected: FlatSpan[] = [
      {
        ...common,
        spanId: rootId,
        parentSpanId: '',
        name: 'POST /checkout',
        kind: 'SPAN_KIND_SERVER',
        ...during(t0, t0 + 50),
        attributes: {
          'http.method': { string: 'POST' },
          'sampler.type': { string: 'const' },
          'sampler.param': { bool: true },
        },
      },
      {
        ...common,
        spanId: chargeId,
        parentSpanId: rootId,
        name: 'charge card',
        kind: 'SPAN_KIND_CLIENT',
        ...during(t0 + 5, t0 + 30),
        attributes: { payload: { bytes: Buffer.from([1, 2, 3]).toString('base64') } },
        events: [
          {
            name: 'error',
            timeUnixNano: ms(t0 + 20),
            attributes: { message: { string: 'card declined' }, attempt: { double: 2 } },
          },
        ],
        status: { code: 'STATUS_CODE_ERROR', message: '' },
      },
      {
        ...common,
        spanId: receiptId,
        parentSpanId: rootId,
        name: 'send receipt',
        kind: 'SPAN_KIND_PRODUCER',
        ...during(t0 + 40, t0 + 45),
        attributes: {},
        links: [
          { traceId, spanId: rootId, attributes: { 'opentracing.ref_type': { string: 'follows_from' } } },
        ],
      },
    ];
    expect(await readTrace(stack(), traceId)).toEqual(
      expected.sort((a, b) => a.spanId.localeCompare(b.spanId)),
    );
  });

  it('a gRPC PostSpans call: scope, trace state, a span with its own process, links, status', async () => {
    const scenario = grpcScenario();
    expect(await postSpans(stack().grpcAddress, scenario.request)).toEqual({
      code: grpc.status.OK,
      details: '',
    });
    expect(await readTrace(stack(), scenario.traceId)).toEqual(scenario.expected);
    // The trace state is not in the flattened form: read it from the answer itself.
    const raw = await fetch(`${stack().server.api}/api/v2/traces/${scenario.traceId}`).then((res) =>
      res.text(),
    );
    expect(raw).toContain(`"traceState":"${scenario.traceState}"`);
  });

  it('thrift_http: a malformed body is 400 with the reason; a gzipped one is taken', async () => {
    const post = (body: Buffer, headers: Record<string, string>) =>
      fetch(stack().thriftUrl, { method: 'POST', body: new Uint8Array(body), headers }).then(async (res) => ({
        status: res.status,
        text: await res.text(),
      }));
    const garbage = await post(Buffer.from('not thrift at all'), { 'content-type': 'application/x-thrift' });
    expect(garbage.status).toBe(400);
    expect(garbage.text).toMatch(/^malformed Jaeger Thrift Batch at Batch/);

    const gzipped = await post(gzipSync(oneSpanBatch(0xabcn, 'zipped')), {
      'content-type': 'application/vnd.apache.thrift.binary',
      'content-encoding': 'gzip',
    });
    expect(gzipped).toEqual({ status: 202, text: '' });
    const spans = await readTrace(stack(), `${'77'.padStart(16, '0')}${'abc'.padStart(16, '0')}`);
    expect(spans.map((s) => s.name)).toEqual(['zipped']);
  });
});

describeWithStack('Jaeger receivers, multi-tenant', { multitenancyEnabled: true }, (stack) => {
  it('thrift_http: no X-Scope-OrgID is 401; with one, the trace is that tenant’s alone', async () => {
    const body = new Uint8Array(oneSpanBatch(0xdefn, 'tenant span'));
    const headers = { 'content-type': 'application/x-thrift' };
    const anonymous = await fetch(stack().thriftUrl, { method: 'POST', body, headers });
    expect(anonymous.status).toBe(401);
    const teamA = await fetch(stack().thriftUrl, {
      method: 'POST',
      body,
      headers: { ...headers, 'x-scope-orgid': 'team-a' },
    });
    expect(teamA.status).toBe(202);
    const traceId = `${'77'.padStart(16, '0')}${'def'.padStart(16, '0')}`;
    expect((await readTrace(stack(), traceId, 'team-a')).map((s) => s.name)).toEqual(['tenant span']);
    expect((await fetchTrace(stack().server.api, traceId, 'v2-json', { tenant: 'team-b' })).spans).toEqual(
      [],
    );
  });

  it('grpc: no x-scope-orgid is UNAUTHENTICATED, as OTLP/gRPC answers; with one, stored for that tenant', async () => {
    const traceId = randomBytes(16);
    const request = {
      batch: {
        process: { serviceName: 'svc' },
        spans: [
          {
            traceId,
            spanId: randomBytes(8),
            operationName: 'grpc tenant span',
            startTime: ns(BigInt(Date.now()) * 1_000_000n),
          },
        ],
      },
    };
    expect((await postSpans(stack().grpcAddress, request)).code).toBe(grpc.status.UNAUTHENTICATED);
    expect(await postSpans(stack().grpcAddress, request, { 'x-scope-orgid': 'team-a' })).toEqual({
      code: grpc.status.OK,
      details: '',
    });
    expect((await readTrace(stack(), hex(traceId), 'team-a')).map((s) => s.name)).toEqual([
      'grpc tenant span',
    ]);
  });
});
