import { describe, expect, it } from 'vitest';
import {
  emptyMessages,
  expectCleanDecode,
  lengthDelimited,
  truncations,
} from '../../../fixtures/hostile/fuzz';
import { MAX_DECODED_ITEMS } from '../../otlp/decode-budget';
import { JaegerDecodeError } from './jaeger-decode-error';
import { decodeErrorOf, expectGarbledBodiesRefusedCleanly } from './jaeger-decoder-test-support';
import { decodePostSpansRequest, jaegerProtoTypes } from './proto-batch-decoder';

/**
 * `jaeger.api_v2.PostSpansRequest` as a gRPC client sends it: IDs as bytes (16-byte trace IDs,
 * 8-byte ones taken as the low half), Timestamp/Duration to nanoseconds, a span's own process;
 * and what Jaeger's Go model refuses on decoding (ID lengths, out-of-range times) refused here.
 */

const { PostSpansRequest } = jaegerProtoTypes();
const hex = (h: string) => Buffer.from(h, 'hex');
const TRACE = '0102030405060708090a0b0c0d0e0f10';

function request(span: Record<string, unknown>, batch: Record<string, unknown> = {}): Buffer {
  const message = PostSpansRequest.fromObject({
    batch: {
      process: { serviceName: 'cart' },
      ...batch,
      spans: [{ traceId: hex(TRACE), spanId: hex('1111111111111111'), ...span }],
    },
  });
  return Buffer.from(PostSpansRequest.encode(message).finish());
}

const FULL = request({
  operationName: 'GET /cart',
  references: [{ traceId: hex('00000000000000ff'), spanId: hex('2222222222222222'), refType: 1 }],
  flags: 1,
  startTime: { seconds: 1_700_000_000, nanos: 123_456_789 },
  duration: { seconds: 1, nanos: 500 },
  tags: [
    { key: 's', vStr: 'x' },
    { key: 'b', vType: 1, vBool: true },
    { key: 'i', vType: 2, vInt64: '-9007199254740993' },
    { key: 'f', vType: 3, vFloat64: 0.5 },
    { key: 'bin', vType: 4, vBinary: Buffer.from([7]) },
    { key: 'odd', vType: 7, vStr: 'raw' },
  ],
  logs: [{ timestamp: { seconds: 1_700_000_001, nanos: 0 }, fields: [{ key: 'event', vStr: 'retry' }] }],
  process: { serviceName: 'payments', tags: [{ key: 'k', vStr: 'v' }] },
});

describe('decodePostSpansRequest', () => {
  it('reads IDs, times, typed tags, logs, references and a span process', () => {
    const batch = decodePostSpansRequest(FULL);
    expect(batch.process).toEqual({ serviceName: 'cart', tags: undefined });
    const [span] = batch.spans;
    expect(span).toMatchObject({
      traceIdHigh: 0x0102030405060708n,
      traceIdLow: 0x090a0b0c0d0e0f10n,
      spanId: 0x1111111111111111n,
      parentSpanId: 0n,
      operationName: 'GET /cart',
      references: [{ refType: 1, traceIdHigh: 0n, traceIdLow: 0xffn, spanId: 0x2222222222222222n }],
      startTimeUnixNano: 1_700_000_000_123_456_789n,
      endTimeUnixNano: 1_700_000_001_123_457_289n,
      logs: [
        {
          timeUnixNano: 1_700_000_001_000_000_000n,
          fields: [{ key: 'event', value: { type: 'string', value: 'retry' } }],
        },
      ],
      process: {
        serviceName: 'payments',
        tags: [{ key: 'k', value: { type: 'string', value: 'v' }, rawString: 'v' }],
      },
      blank: false,
    });
    expect(span.tags.map((t) => [t.key, t.value, t.rawString])).toEqual([
      ['s', { type: 'string', value: 'x' }, 'x'],
      ['b', { type: 'bool', value: true }, ''],
      ['i', { type: 'long', value: -9007199254740993n }, ''],
      ['f', { type: 'double', value: 0.5 }, ''],
      ['bin', { type: 'binary', value: Buffer.from([7]) }, ''],
      ['odd', { type: 'unknown', typeName: '7' }, 'raw'],
    ]);
  });

  it('no batch, and a span with no field set, are nothing to store', () => {
    expect(decodePostSpansRequest(Buffer.alloc(0))).toEqual({ process: undefined, spans: [] });
    const empty = Buffer.from(
      PostSpansRequest.encode(PostSpansRequest.fromObject({ batch: { spans: [{}] } })).finish(),
    );
    expect(decodePostSpansRequest(empty).spans[0].blank).toBe(true);
  });

  it.each([
    [
      'a 5-byte trace ID',
      request({ traceId: hex('0102030405') }),
      'batch.spans[0].trace_id: 5 bytes; a trace ID is 16 bytes (or 8)',
    ],
    [
      'a 4-byte span ID',
      request({ spanId: hex('01020304') }),
      'batch.spans[0].span_id: 4 bytes; a span ID is 8 bytes',
    ],
    [
      'a reference with an empty span ID',
      request({ references: [{ traceId: hex(TRACE), spanId: Buffer.alloc(0) }] }),
      'batch.spans[0].references[0].span_id: 0 bytes; a span ID is 8 bytes',
    ],
    [
      'a start time past the year 9999',
      request({ startTime: { seconds: 253402300800, nanos: 0 } }),
      'batch.spans[0].start_time: timestamp 253402300800s 0ns is outside 0001-01-01..9999-12-31',
    ],
    [
      'a duration whose parts disagree in sign',
      request({ duration: { seconds: 1, nanos: -5 } }),
      'batch.spans[0].duration: duration 1s -5ns is not a valid duration',
    ],
  ])('%s: INVALID_ARGUMENT naming the field', (_case, body, message) => {
    const err = decodeErrorOf(decodePostSpansRequest, body);
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(`invalid PostSpansRequest: ${message}`);
  });

  it('bytes that are not protobuf: a decode error, whatever the cut or flip', () => {
    expect(decodeErrorOf(decodePostSpansRequest, Buffer.from([0x0a, 0x05, 0x01])).message).toMatch(
      /^malformed PostSpansRequest: /,
    );
    for (const body of truncations(FULL)) {
      expectCleanDecode('decodePostSpansRequest', () => decodePostSpansRequest(body), [JaegerDecodeError]);
    }
    expectGarbledBodiesRefusedCleanly(decodePostSpansRequest, FULL);
  });

  it('a body of more spans than the decode budget: refused before protobufjs makes an object of each', () => {
    const spans = emptyMessages(0x0a, MAX_DECODED_ITEMS + 1);
    const body = lengthDelimited(0x0a, spans);
    expect(decodeErrorOf(decodePostSpansRequest, body).message).toMatch(
      `more than ${MAX_DECODED_ITEMS} spans`,
    );
  });
});
