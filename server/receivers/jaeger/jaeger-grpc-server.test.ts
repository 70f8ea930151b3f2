import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Distributor, type TraceSink } from '../../distributor/distributor';
import type { IngestLimits } from '../../distributor/ingest-limits';
import { encodeExportTraceServiceRequest } from '../../otlp/otlp-traces-encoder';
import type { TraceFragment } from '../../otlp/split-traces';
import { SelfMetrics } from '../../self-metrics/self-metrics';
import { listenGrpc } from '../otlp-grpc';
import { encodePostSpansRequest, postSpans } from './jaeger-grpc-client-support';
import { createJaegerGrpcServer } from './jaeger-grpc-server';
import { decodePostSpansRequest } from './proto-batch-decoder';
import { protoBatchToOtlp } from './translate-batch';

/**
 * `PostSpans` refusals get the OTLP/gRPC receiver's codes: a malformed request is
 * INVALID_ARGUMENT with what is wrong, a tenant over its ingestion rate is
 * RESOURCE_EXHAUSTED (retried by clients), a request that can never pass INVALID_ARGUMENT, a
 * message over `max_recv_msg_size` RESOURCE_EXHAUSTED from grpc-js itself.
 */

class CountingSink implements TraceSink {
  spans = 0;
  async push(_tenantId: string, fragments: TraceFragment[]) {
    const spans = fragments.reduce((n, f) => n + f.spanCount, 0);
    this.spans += spans;
    return { acceptedSpans: spans, refusedSpans: 0 };
  }
}

let server: grpc.Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
  server = undefined;
});

async function start(
  sink: TraceSink,
  limits: Partial<IngestLimits>,
  maxRecvMsgBytes = 1 << 20,
): Promise<string> {
  const full = {
    ingestionRateBytes: 0,
    ingestionBurstBytes: 0,
    maxSpansPerRequest: 0,
    maxAttributeBytes: 0,
    ...limits,
  };
  server = createJaegerGrpcServer({
    distributor: new Distributor(sink, new SelfMetrics(), () => full),
    multitenancyEnabled: false,
    maxRecvMsgBytes,
    logger: pino({ level: 'silent' }),
  });
  return `127.0.0.1:${await listenGrpc(server, '127.0.0.1', 0)}`;
}

function request(spans: number, operationName = 'op') {
  const startTime = { seconds: Math.floor(Date.now() / 1000), nanos: 0 };
  return {
    batch: {
      process: { serviceName: 'svc' },
      spans: Array.from({ length: spans }, () => ({
        traceId: randomBytes(16),
        spanId: randomBytes(8),
        operationName,
        startTime,
      })),
    },
  };
}

describe('PostSpans refusals', () => {
  it('over the ingestion rate: RESOURCE_EXHAUSTED, after a first call that passed', async () => {
    const sink = new CountingSink();
    const first = request(1);
    // The rate counts the bytes of the OTLP request the batch becomes: room for one, not two.
    const otlpBytes = encodeExportTraceServiceRequest(
      protoBatchToOtlp(decodePostSpansRequest(encodePostSpansRequest(first))),
    ).length;
    const address = await start(sink, { ingestionRateBytes: 1, ingestionBurstBytes: otlpBytes * 1.5 });
    expect((await postSpans(address, first)).code).toBe(grpc.status.OK);
    const refused = await postSpans(address, request(1));
    expect(refused.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/ingestion rate limit reached/);
    expect(sink.spans).toBe(1);
  });

  it('more spans than max_spans_per_request: INVALID_ARGUMENT (resending cannot help)', async () => {
    const result = await postSpans(await start(new CountingSink(), { maxSpansPerRequest: 2 }), request(3));
    expect(result.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(result.details).toMatch(/max_spans_per_request \(2\)/);
  });

  it('bytes that are not a PostSpansRequest, or a bad ID: INVALID_ARGUMENT with the reason', async () => {
    const sink = new CountingSink();
    const address = await start(sink, {});
    const garbage = await postSpans(address, Buffer.from([0x0a, 0x05, 0x01]));
    expect(garbage.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(garbage.details).toMatch(/^malformed PostSpansRequest: /);
    const badId = await postSpans(address, {
      batch: { spans: [{ traceId: randomBytes(5), spanId: randomBytes(8), operationName: 'x' }] },
    });
    expect(badId).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'invalid PostSpansRequest: batch.spans[0].trace_id: 5 bytes; a trace ID is 16 bytes (or 8)',
    });
    expect(sink.spans).toBe(0);
  });

  it('a message over max_recv_msg_size: RESOURCE_EXHAUSTED', async () => {
    const address = await start(new CountingSink(), {}, 1024);
    expect((await postSpans(address, request(1, 'x'.repeat(2048)))).code).toBe(
      grpc.status.RESOURCE_EXHAUSTED,
    );
  });
});
