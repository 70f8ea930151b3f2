import { describe, expect, it } from 'vitest';
import { expectCleanDecode, truncations } from '../../../fixtures/hostile/fuzz';
import { encodeThriftBatch, i64, jaegerThrift } from './jaeger-client-support';
import { decodeErrorOf, expectGarbledBodiesRefusedCleanly } from './jaeger-decoder-test-support';
import type { JaegerBatch } from './jaeger-model';
import { decodeThriftBatch } from './thrift-batch-decoder';

/**
 * The Thrift binary `Batch` reader: what jaeger-client's own encoder (thriftrw with the
 * jaeger-idl it bundles) writes comes back field for field; every malformed body, however cut
 * or garbled, is refused with a `JaegerDecodeError` (400) saying where and what, fast.
 */

const { TagType, SpanRefType } = jaegerThrift();

const RICH = {
  process: {
    serviceName: 'checkout',
    tags: [
      { key: 'hostname', vType: TagType.STRING, vStr: 'web-1' },
      { key: 'jaeger.version', vType: TagType.STRING, vStr: 'Node-3.19.0' },
    ],
  },
  spans: [
    {
      traceIdLow: i64(-2n),
      traceIdHigh: i64(0x0102030405060708n),
      spanId: i64(0x1122334455667788n),
      parentSpanId: i64(0n),
      operationName: 'GET /cart ✓',
      references: [
        { refType: SpanRefType.FOLLOWS_FROM, traceIdLow: i64(-2n), traceIdHigh: i64(0n), spanId: i64(9n) },
      ],
      flags: 1,
      startTime: i64(1_700_000_000_123_456n),
      duration: i64(250_000n),
      tags: [
        { key: 's', vType: TagType.STRING, vStr: 'x' },
        { key: 'd', vType: TagType.DOUBLE, vDouble: 2.5 },
        { key: 'b', vType: TagType.BOOL, vBool: true },
        { key: 'l', vType: TagType.LONG, vLong: i64(-42n) },
        { key: 'bin', vType: TagType.BINARY, vBinary: Buffer.from([1, 2, 3]) },
      ],
      logs: [
        {
          timestamp: i64(1_700_000_000_200_000n),
          fields: [{ key: 'event', vType: TagType.STRING, vStr: 'retry' }],
        },
      ],
    },
    {
      traceIdLow: i64(5n),
      traceIdHigh: i64(0n),
      spanId: i64(6n),
      parentSpanId: i64(7n),
      operationName: 'child',
      flags: 0,
      startTime: i64(10n),
      duration: i64(1n),
    },
  ],
};
const RICH_BODY = encodeThriftBatch(RICH);

const EXPECTED: JaegerBatch = {
  process: {
    serviceName: 'checkout',
    tags: [
      { key: 'hostname', value: { type: 'string', value: 'web-1' }, rawString: 'web-1' },
      { key: 'jaeger.version', value: { type: 'string', value: 'Node-3.19.0' }, rawString: 'Node-3.19.0' },
    ],
  },
  spans: [
    {
      traceIdHigh: 0x0102030405060708n,
      traceIdLow: 0xfffffffffffffffen,
      spanId: 0x1122334455667788n,
      parentSpanId: 0n,
      operationName: 'GET /cart ✓',
      references: [{ refType: 1, traceIdHigh: 0n, traceIdLow: 0xfffffffffffffffen, spanId: 9n }],
      startTimeUnixNano: 1_700_000_000_123_456_000n,
      endTimeUnixNano: 1_700_000_000_373_456_000n,
      tags: [
        { key: 's', value: { type: 'string', value: 'x' }, rawString: 'x' },
        { key: 'd', value: { type: 'double', value: 2.5 }, rawString: '' },
        { key: 'b', value: { type: 'bool', value: true }, rawString: '' },
        { key: 'l', value: { type: 'long', value: -42n }, rawString: '' },
        { key: 'bin', value: { type: 'binary', value: Buffer.from([1, 2, 3]) }, rawString: '' },
      ],
      logs: [
        {
          timeUnixNano: 1_700_000_000_200_000_000n,
          fields: [{ key: 'event', value: { type: 'string', value: 'retry' }, rawString: 'retry' }],
        },
      ],
      blank: false,
    },
    {
      traceIdHigh: 0n,
      traceIdLow: 5n,
      spanId: 6n,
      parentSpanId: 7n,
      operationName: 'child',
      references: [],
      startTimeUnixNano: 10_000n,
      endTimeUnixNano: 11_000n,
      tags: [],
      logs: [],
      blank: false,
    },
  ],
};

/** Hand-written Thrift binary, for bodies no encoder would produce. */
const T = {
  field: (type: number, id: number, ...value: Buffer[]) =>
    Buffer.concat([Buffer.from([type, id >> 8, id & 0xff]), ...value]),
  i32: (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  },
  str: (s: string) => Buffer.concat([T.i32(Buffer.byteLength(s)), Buffer.from(s)]),
  list: (elementType: number, size: number, ...elements: Buffer[]) =>
    Buffer.concat([Buffer.from([elementType]), T.i32(size), ...elements]),
  stop: Buffer.from([0]),
};
const STRING = 11;
const STRUCT = 12;
const LIST = 15;
const PROCESS = T.field(STRUCT, 1, T.field(STRING, 1, T.str('svc')), T.stop);

describe('decodeThriftBatch', () => {
  it('reads back every field jaeger-client encodes', () => {
    expect(decodeThriftBatch(RICH_BODY)).toEqual(EXPECTED);
  });

  it('skips fields of a newer IDL (Batch.seqNo, Batch.stats with a map inside) and fields of an unexpected type', () => {
    const extra = Buffer.concat([
      T.field(10, 3, Buffer.alloc(8, 1)),
      T.field(STRUCT, 4, T.field(13, 1, Buffer.from([STRING, 8]), T.i32(1), T.str('k'), T.i32(5)), T.stop),
      T.field(8, 2, T.i32(3)),
    ]);
    const body = Buffer.concat([RICH_BODY.subarray(0, RICH_BODY.length - 1), extra, T.stop]);
    expect(decodeThriftBatch(body)).toEqual(decodeThriftBatch(RICH_BODY));
  });

  it('a tag type outside jaeger.thrift is kept as unknown, named as Apache Thrift names it', () => {
    const tag = Buffer.concat([T.field(STRING, 1, T.str('odd')), T.field(8, 2, T.i32(9)), T.stop]);
    const process = T.field(
      STRUCT,
      1,
      T.field(STRING, 1, T.str('svc')),
      T.field(LIST, 2, T.list(STRUCT, 1, tag)),
      T.stop,
    );
    const decoded = decodeThriftBatch(Buffer.concat([process, T.field(LIST, 2, T.list(STRUCT, 0)), T.stop]));
    expect(decoded.process?.tags).toEqual([
      { key: 'odd', value: { type: 'unknown', typeName: '<UNSET>' }, rawString: '' },
    ]);
  });

  it('a span with every field zero and no lists is blank (the Collector drops it)', () => {
    const zero = {
      traceIdLow: i64(0n),
      traceIdHigh: i64(0n),
      spanId: i64(0n),
      parentSpanId: i64(0n),
      operationName: '',
      flags: 0,
      startTime: i64(0n),
      duration: i64(0n),
    };
    const decoded = decodeThriftBatch(
      encodeThriftBatch({ process: { serviceName: 's' }, spans: [zero, { ...zero, tags: [] }] }),
    );
    expect(decoded.spans.map((s) => s.blank)).toEqual([true, false]);
  });

  it.each([
    [
      'an empty body',
      Buffer.alloc(0),
      'at Batch: the body ends early: a field type at byte 0 needs 1 byte, only 0 left',
    ],
    [
      'no spans field',
      Buffer.concat([PROCESS, T.stop]),
      'at Batch: required field spans (2: list) is missing',
    ],
    [
      'a span missing its required fields',
      Buffer.concat([
        PROCESS,
        T.field(LIST, 2, T.list(STRUCT, 1, T.field(10, 1, Buffer.alloc(8)), T.stop)),
        T.stop,
      ]),
      'at Batch.spans[0]: required field traceIdHigh (2: i64) is missing',
    ],
    [
      'a list longer than the body',
      Buffer.concat([PROCESS, T.field(LIST, 2, T.list(STRUCT, 0x7fffffff)), T.stop]),
      'at Batch.spans: the body ends early: 2147483647 elements of struct cannot fit in the 1 bytes left',
    ],
    [
      'a negative string length',
      Buffer.concat([T.field(STRUCT, 1, T.field(STRING, 1, T.i32(-5))), T.stop]),
      'at Batch.process.serviceName: negative length -5',
    ],
    [
      'a list of the wrong element type',
      Buffer.concat([PROCESS, T.field(LIST, 2, T.list(8, 1, T.i32(1))), T.stop]),
      'at Batch.spans: a list of i32 where the IDL has a list of struct',
    ],
    [
      'bytes after the Batch',
      Buffer.concat([PROCESS, T.field(LIST, 2, T.list(STRUCT, 0)), T.stop, Buffer.from([1, 2, 3])]),
      'at Batch: 3 bytes follow the end of the Batch',
    ],
    [
      'an unknown field nested 100 lists deep',
      Buffer.concat([
        T.field(LIST, 9, Buffer.concat(Array.from({ length: 100 }, () => T.list(LIST, 1)))),
        T.stop,
      ]),
      'at Batch: values nested deeper than 64',
    ],
    [
      'an unknown field of no Thrift type',
      Buffer.concat([T.field(9, 7, T.i32(0)), T.stop]),
      'at Batch: unknown type 9 is not a Thrift value type',
    ],
  ])('%s: 400 naming what and where', (_case, body, message) => {
    const err = decodeErrorOf(decodeThriftBatch, body);
    expect(err.statusCode).toBe(400);
    expect(err.message).toBe(`malformed Jaeger Thrift Batch ${message}`);
  });

  it('a valid body cut at every byte is refused with a JaegerDecodeError', () => {
    let refused = 0;
    for (const cut of truncations(RICH_BODY)) {
      expectCleanDecode('decodeThriftBatch', () => decodeErrorOf(decodeThriftBatch, cut), []);
      refused++;
    }
    expect(refused).toBe(RICH_BODY.length);
  });

  it('bit flips, mutations and random bytes: a batch or a JaegerDecodeError, fast', () => {
    expectGarbledBodiesRefusedCleanly(decodeThriftBatch, RICH_BODY);
  });
});
