import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Distributor, type TraceSink } from '../../distributor/distributor';
import type { IngestLimits } from '../../distributor/ingest-limits';
import { encodeExportTraceServiceRequest } from '../../otlp/otlp-traces-encoder';
import type { TraceFragment } from '../../otlp/split-traces';
import { SelfMetrics } from '../../self-metrics/self-metrics';
import { encodeThriftBatch, i64 } from './jaeger-client-support';
import { decodeThriftBatch } from './thrift-batch-decoder';
import { buildJaegerThriftHttpApp } from './thrift-http-app';
import { thriftBatchToOtlp } from './translate-batch';

/**
 * `POST /api/traces` answers as the Collector's Jaeger receiver (202, or a plain-text reason),
 * with the statuses the OTLP receivers give the same refusals (413, 415, 429 + Retry-After).
 */

/** Takes everything, or refuses `refuse` spans of each push (a trace past its size limit). */
class RecordingSink implements TraceSink {
  readonly pushedSpans: number[] = [];
  constructor(private readonly refuse = 0) {}
  async push(_tenantId: string, fragments: TraceFragment[]) {
    const spans = fragments.reduce((n, f) => n + f.spanCount, 0);
    this.pushedSpans.push(spans);
    return { acceptedSpans: spans - this.refuse, refusedSpans: this.refuse };
  }
}

function batch(spans: number): Buffer {
  const start = BigInt(Date.now()) * 1000n;
  return encodeThriftBatch({
    process: { serviceName: 'svc' },
    spans: Array.from({ length: spans }, (_, i) => ({
      traceIdLow: i64(BigInt(i + 1)),
      traceIdHigh: i64(1n),
      spanId: i64(BigInt(i + 1)),
      parentSpanId: i64(0n),
      operationName: `op-${i}`,
      flags: 1,
      startTime: i64(start),
      duration: i64(5n),
    })),
  });
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(sink: TraceSink, limits?: Partial<IngestLimits>, maxRequestBodyBytes = 64 * 1024) {
  const full: IngestLimits = {
    ingestionRateBytes: 0,
    ingestionBurstBytes: 0,
    maxSpansPerRequest: 0,
    maxAttributeBytes: 0,
    ...limits,
  };
  const distributor = new Distributor(sink, new SelfMetrics(), limits ? () => full : undefined);
  app = await buildJaegerThriftHttpApp({
    maxRequestBodyBytes,
    multitenancyEnabled: false,
    distributor,
    logger: pino({ level: 'silent' }),
  });
  return app;
}

const post = (a: FastifyInstance, payload: Buffer, headers: Record<string, string | undefined> = {}) =>
  a.inject({
    method: 'POST',
    url: '/api/traces',
    payload,
    headers: { 'content-type': 'application/x-thrift', ...headers },
  });

describe('the thrift_http app', () => {
  it('202 with no body; Content-Type parameters and case do not matter', async () => {
    const sink = new RecordingSink();
    const a = await build(sink);
    const res = await post(a, batch(2), { 'content-type': 'Application/X-Thrift; charset=binary' });
    expect([res.statusCode, res.body]).toEqual([202, '']);
    expect(sink.pushedSpans).toEqual([2]);
  });

  it('a batch without spans is accepted and nothing is pushed', async () => {
    const sink = new RecordingSink();
    const res = await post(await build(sink), batch(0));
    expect(res.statusCode).toBe(202);
    expect(sink.pushedSpans).toEqual([]);
  });

  it('spans refused while others are stored: still 202 (Jaeger has no partial success), the body says so', async () => {
    const res = await post(await build(new RecordingSink(1)), batch(3));
    expect([res.statusCode, res.body]).toEqual([
      202,
      '1 of 3 spans refused: 1 spans refused: trace exceeds max_bytes_per_trace',
    ]);
  });

  it.each([
    ['an empty Content-Type', { 'content-type': '' }, 400, /^Cannot parse content type/],
    ['no Content-Type', { 'content-type': undefined }, 400, /^Cannot parse content type/],
    [
      'a Content-Type other than Thrift',
      { 'content-type': 'application/json' },
      400,
      /^Unsupported content type: application\/json; send application\/x-thrift/,
    ],
    [
      'a Content-Encoding other than gzip',
      { 'content-encoding': 'br' },
      415,
      /^unsupported Content-Encoding "br"/,
    ],
  ])('%s: %s with the reason as text', async (_case, headers, status, reason) => {
    const res = await post(await build(new RecordingSink()), batch(1), headers);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.body).toMatch(reason);
  });

  it('a body over the limit once inflated: 413', async () => {
    const big = batch(200);
    const res = await post(await build(new RecordingSink(), undefined, 4096), gzipSync(big), {
      'content-encoding': 'gzip',
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toMatch(/larger than the configured limit/);
  });

  it('tenant limits: too many spans 413, over the ingestion rate 429 with Retry-After', async () => {
    const tooMany = await post(await build(new RecordingSink(), { maxSpansPerRequest: 2 }), batch(3));
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.body).toMatch(/max_spans_per_request/);
    await app?.close();
    const body = batch(1);
    // The rate counts the bytes of the OTLP request the batch becomes.
    const otlpBytes = encodeExportTraceServiceRequest(thriftBatchToOtlp(decodeThriftBatch(body))).length;
    const limited = await build(new RecordingSink(), {
      ingestionRateBytes: 1,
      ingestionBurstBytes: otlpBytes + 10,
    });
    expect((await post(limited, body)).statusCode).toBe(202);
    const refused = await post(limited, body);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
  });
});
