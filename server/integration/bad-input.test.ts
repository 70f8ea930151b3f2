import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchTrace,
  grpcExport,
  isReady,
  metricValue,
  postTraces,
  scrapeMetrics,
  TRACE_FORMS,
} from './support/clients';
import { removeDir, startTestLoupe, type TestLoupe } from './support/loupe-server';
import {
  encodeTraceRequest,
  hex,
  newSpanId,
  newTraceId,
  type SpanSpec,
  simpleSpan,
} from './support/otlp-request';
import { spanIdsOf } from './support/tempo-json';

/**
 * Every kind of bad input a receiver meets in the wild, one at a time. Each is refused with the
 * status the OTLP spec (or Tempo's API) prescribes and a message saying why, and after each the
 * server still answers and a trace stored before it is still returned whole.
 */

const BODY_LIMIT = 64 * 1024;
const MAX_BYTES_PER_TRACE = 4096;

let server: TestLoupe;
const baseline = { traceId: newTraceId(), spanIds: [] as string[] };

beforeAll(async () => {
  server = await startTestLoupe({
    receivers: { http: { maxRequestBodyBytes: BODY_LIMIT }, grpc: { maxRecvMsgBytes: BODY_LIMIT } },
    overrides: { maxBytesPerTrace: MAX_BYTES_PER_TRACE },
  });
  const now = Date.now();
  const spans = ['GET /', 'SELECT users', 'render'].map((name, i) =>
    simpleSpan(baseline.traceId, name, now + i),
  );
  baseline.spanIds = spans.map((s) => hex(s.spanId)).sort();
  const pushed = await postTraces(server.otlp, encodeTraceRequest([{ service: 'baseline', spans }]));
  expect(pushed.status).toBe(200);
});

afterAll(async () => {
  await server?.loupe.stop();
  if (server) removeDir(server.dataDir);
});

afterEach(async () => {
  expect(await isReady(server.api)).toBe(true);
  const answer = await fetchTrace(server.api, hex(baseline.traceId), 'v2-json');
  expect(answer.httpStatus).toBe(200);
  expect(spanIdsOf(answer.spans)).toEqual(baseline.spanIds);
});

async function expectNotStored(traceId: Uint8Array): Promise<void> {
  const answer = await fetchTrace(server.api, hex(traceId), 'v1-json');
  expect(answer.httpStatus).toBe(404);
}

function requestOf(spans: SpanSpec[], service = 'bad-input'): Buffer {
  return encodeTraceRequest([{ service, spans }]);
}

describe('OTLP/HTTP bodies that cannot be decoded', () => {
  it('garbage protobuf: 400 with a google.rpc.Status saying INVALID_ARGUMENT', async () => {
    const res = await postTraces(server.otlp, Buffer.from('this is certainly not an OTLP protobuf message'));
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/x-protobuf');
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.message).toBeTruthy();
  });

  it('truncated protobuf: 400, and nothing of the cut request is stored', async () => {
    const traceId = newTraceId();
    const now = Date.now();
    const body = requestOf(Array.from({ length: 10 }, (_, i) => simpleSpan(traceId, `step ${i}`, now + i)));
    const res = await postTraces(server.otlp, body.subarray(0, Math.floor(body.length * 0.6)));
    expect(res.status).toBe(400);
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.message).toBeTruthy();
    await expectNotStored(traceId);
  });

  it('invalid JSON: 400 with a JSON google.rpc.Status', async () => {
    const res = await postTraces(server.otlp, '{"resourceSpans": [{"scopeSpans": [');
    expect(res.status).toBe(400);
    expect(res.contentType).toContain('application/json');
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.message).toBeTruthy();
  });

  it('JSON of the wrong shape: 400', async () => {
    const res = await postTraces(server.otlp, JSON.stringify({ resourceSpans: { spans: 'not a list' } }));
    expect(res.status).toBe(400);
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.message).toBeTruthy();
  });

  it('a Content-Type the receiver does not speak: 415', async () => {
    const traceId = newTraceId();
    const res = await postTraces(server.otlp, requestOf([simpleSpan(traceId, 'plain', Date.now())]), {
      contentType: 'text/plain',
    });
    expect(res.status).toBe(415);
    expect(res.error?.message).toMatch(/content-type/i);
    await expectNotStored(traceId);
  });

  it('invalid gzip: 400', async () => {
    const res = await postTraces(server.otlp, Buffer.from('not gzip at all, although the header says so'), {
      headers: { 'content-encoding': 'gzip' },
    });
    expect(res.status).toBe(400);
    expect(res.error?.message).toBeTruthy();
  });
});

describe('OTLP/HTTP bodies over the size limit', () => {
  function bigRequest(traceId: Uint8Array): Buffer {
    const now = Date.now();
    const padding = 'x'.repeat(1000);
    const spans = Array.from({ length: 100 }, (_, i) =>
      simpleSpan(traceId, `span ${i}`, now, { attributes: { padding } }),
    );
    const body = requestOf(spans);
    expect(body.length).toBeGreaterThan(BODY_LIMIT);
    return body;
  }

  it('a body over max_request_body_size: 413, nothing stored', async () => {
    const traceId = newTraceId();
    const res = await postTraces(server.otlp, bigRequest(traceId));
    expect(res.status).toBe(413);
    expect(res.error?.message).toBeTruthy();
    await expectNotStored(traceId);
  });

  it('a gzip body under the limit that inflates past it (zip bomb): 413', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(BODY_LIMIT);
    const res = await postTraces(server.otlp, bomb, { headers: { 'content-encoding': 'gzip' } });
    expect(res.status).toBe(413);
    expect(res.error?.message).toBeTruthy();
  });

  it('a gzipped real request that inflates past the limit: 413, nothing stored', async () => {
    const traceId = newTraceId();
    const res = await postTraces(server.otlp, bigRequest(traceId), { gzip: true });
    expect(res.status).toBe(413);
    await expectNotStored(traceId);
  });
});

describe('spans with invalid IDs', () => {
  function invalidSpans(now: number): SpanSpec[] {
    const valid = newTraceId();
    return [
      { ...simpleSpan(valid, 'no trace ID', now), traceId: undefined },
      { ...simpleSpan(valid, 'empty trace ID', now), traceId: new Uint8Array(0) },
      { ...simpleSpan(valid, 'all-zero trace ID', now), traceId: new Uint8Array(16) },
      { ...simpleSpan(valid, 'no span ID', now), spanId: undefined },
      { ...simpleSpan(valid, 'empty span ID', now), spanId: new Uint8Array(0) },
      { ...simpleSpan(valid, 'all-zero span ID', now), spanId: new Uint8Array(8) },
      { ...simpleSpan(valid, '15-byte trace ID', now), traceId: newTraceId().subarray(0, 15) },
      { ...simpleSpan(valid, '9-byte span ID', now), spanId: Buffer.concat([newSpanId(), Buffer.from([1])]) },
    ];
  }

  it('mixed with valid spans: 200 with partial_success, the valid spans stored', async () => {
    const traceId = newTraceId();
    const now = Date.now();
    const valid = [simpleSpan(traceId, 'kept 1', now), simpleSpan(traceId, 'kept 2', now + 1)];
    const bad = invalidSpans(now);
    const res = await postTraces(server.otlp, requestOf([valid[0], ...bad, valid[1]]));
    expect(res.status).toBe(200);
    expect(res.partialSuccess?.rejectedSpans).toBe(bad.length);
    expect(res.partialSuccess?.errorMessage).toBeTruthy();
    for (const form of TRACE_FORMS) {
      const answer = await fetchTrace(server.api, hex(traceId), form);
      expect(spanIdsOf(answer.spans), form).toEqual(valid.map((s) => hex(s.spanId)).sort());
    }
  });

  it('the same over OTLP/HTTP JSON: 200 with partial_success in JSON', async () => {
    const traceId = hex(newTraceId());
    const spanId = hex(newSpanId());
    const start = `${Date.now()}000000`;
    const span = (fields: Record<string, unknown>) => ({
      name: 'json span',
      startTimeUnixNano: start,
      endTimeUnixNano: start,
      ...fields,
    });
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-client' } }] },
          scopeSpans: [
            {
              spans: [
                span({ traceId, spanId }),
                span({ spanId: hex(newSpanId()) }),
                span({ traceId: '', spanId: hex(newSpanId()) }),
                span({ traceId: '0'.repeat(32), spanId: hex(newSpanId()) }),
              ],
            },
          ],
        },
      ],
    });
    const res = await postTraces(server.otlp, body);
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/json');
    expect(res.partialSuccess?.rejectedSpans).toBe(3);
    const answer = await fetchTrace(server.api, traceId, 'v2-json');
    expect(spanIdsOf(answer.spans)).toEqual([spanId]);
  });

  it('a request with only invalid spans: 400', async () => {
    const res = await postTraces(server.otlp, requestOf(invalidSpans(Date.now())));
    expect(res.status).toBe(400);
    expect(res.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.error?.message).toBeTruthy();
  });
});

describe('a trace over max_bytes_per_trace', () => {
  it('refuses the spans past the limit through partial_success, counts them, and answers PARTIAL', async () => {
    const discardedBefore = metricValue(await scrapeMetrics(server.api), 'loupe_discarded_spans_total', {
      reason: 'trace_too_large',
    });
    const traceId = newTraceId();
    const now = Date.now();
    const accepted: string[] = [];
    let refused = 0;
    for (let request = 0; request < 6; request++) {
      const spans = Array.from({ length: 5 }, (_, i) =>
        simpleSpan(traceId, `chunk ${request} span ${i}`, now + request, {
          attributes: { payload: 'p'.repeat(250) },
        }),
      );
      const res = await postTraces(server.otlp, requestOf(spans));
      expect(res.status).toBe(200);
      const rejected = res.partialSuccess?.rejectedSpans ?? 0;
      if (rejected === 0) accepted.push(...spans.map((s) => hex(s.spanId)));
      else {
        expect(rejected).toBe(spans.length);
        expect(res.partialSuccess?.errorMessage).toMatch(/max_bytes_per_trace|too large/i);
        refused += rejected;
      }
    }
    // Some requests fit, the rest did not.
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);

    const discardedAfter = metricValue(await scrapeMetrics(server.api), 'loupe_discarded_spans_total', {
      reason: 'trace_too_large',
    });
    expect(discardedAfter - discardedBefore).toBe(refused);

    const json = await fetchTrace(server.api, hex(traceId), 'v2-json');
    expect(spanIdsOf(json.spans)).toEqual(accepted.sort());
    expect(json.status).toBe('PARTIAL');
    expect(json.message).toBeTruthy();
    const proto = await fetchTrace(server.api, hex(traceId), 'v2-proto');
    expect(spanIdsOf(proto.spans)).toEqual(accepted);
    expect(proto.status).toBe('PARTIAL');
    expect(proto.message).toBeTruthy();
    // v1 has no status field: it returns what was kept.
    const v1 = await fetchTrace(server.api, hex(traceId), 'v1-proto');
    expect(spanIdsOf(v1.spans)).toEqual(accepted);
  });
});

describe('OTLP/gRPC', () => {
  it('garbage: INVALID_ARGUMENT with a message', async () => {
    const res = await grpcExport(server.grpc, Buffer.from('this is certainly not an OTLP protobuf message'));
    expect(res.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.details).toBeTruthy();
  });

  it('a message over the max receive size: RESOURCE_EXHAUSTED, nothing stored', async () => {
    const traceId = newTraceId();
    const now = Date.now();
    const padding = 'x'.repeat(1000);
    const body = requestOf(
      Array.from({ length: 100 }, (_, i) => simpleSpan(traceId, `s${i}`, now, { attributes: { padding } })),
    );
    expect(body.length).toBeGreaterThan(BODY_LIMIT);
    const res = await grpcExport(server.grpc, body);
    expect(res.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await expectNotStored(traceId);
  });

  it('invalid IDs mixed with valid spans: OK with partial_success', async () => {
    const traceId = newTraceId();
    const now = Date.now();
    const valid = simpleSpan(traceId, 'kept', now);
    const res = await grpcExport(
      server.grpc,
      requestOf([valid, { ...simpleSpan(traceId, 'zero span ID', now), spanId: new Uint8Array(8) }]),
    );
    expect(res.code).toBe(grpc.status.OK);
    expect(res.partialSuccess?.rejectedSpans).toBe(1);
    const answer = await fetchTrace(server.api, hex(traceId), 'v2-proto');
    expect(spanIdsOf(answer.spans)).toEqual([hex(valid.spanId)]);
  });

  it('only invalid spans: INVALID_ARGUMENT', async () => {
    const res = await grpcExport(
      server.grpc,
      requestOf([{ ...simpleSpan(newTraceId(), 'x', Date.now()), traceId: undefined }]),
    );
    expect(res.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(res.details).toBeTruthy();
  });
});

describe('trace IDs and time ranges on the query API', () => {
  async function expect400(path: string): Promise<void> {
    const res = await fetch(`${server.api}${path}`);
    const text = await res.text();
    expect(res.status, path).toBe(400);
    expect(text.length, `${path} should say why`).toBeGreaterThan(0);
  }

  it.each([
    ['non-hex', 'not-a-trace-id'],
    ['33 hex characters', 'a'.repeat(33)],
    ['a path escape', encodeURIComponent('../../etc')],
    ['a path escape, percent-encoded dots', '%2E%2E%2F%2E%2E%2Fetc'],
  ])('%s: 400 with a message on v1 and v2', async (_, id) => {
    await expect400(`/api/traces/${id}`);
    await expect400(`/api/v2/traces/${id}`);
  });

  it('short IDs are left-padded with zeros, in any case', async () => {
    const traceId = Buffer.from(`${'0'.repeat(26)}abc123`, 'hex');
    const span = simpleSpan(traceId, 'padded', Date.now());
    expect((await postTraces(server.otlp, requestOf([span]))).status).toBe(200);
    for (const id of ['abc123', 'ABC123', '0abc123', hex(traceId)]) {
      const answer = await fetchTrace(server.api, id, 'v2-json');
      expect(spanIdsOf(answer.spans), id).toEqual([hex(span.spanId)]);
      expect((await fetchTrace(server.api, id, 'v1-proto')).spans).toHaveLength(1);
    }
  });

  it('end before start: 400 with a message', async () => {
    const id = hex(baseline.traceId);
    await expect400(`/api/traces/${id}?start=2000&end=1000`);
    await expect400(`/api/v2/traces/${id}?start=2000&end=1000`);
  });
});
