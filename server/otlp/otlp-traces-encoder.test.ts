import { describe, expect, it } from 'vitest';
import { encodeExportTraceServiceRequest } from './otlp-traces-encoder';
import { AttributeMap, countSpans, type OtlpResourceSpans, type OtlpSpan } from './otlp-traces-model';
import { otlpProtoTypes } from './protobuf-root';
import { splitTracesByTraceId } from './split-traces';

/**
 * Translated spans (Zipkin's and Jaeger's) as OTLP protobuf: what the reference decoder
 * (protobufjs with the OTLP protos) reads back is what was translated, field for field; the bytes
 * are the canonical encoding (protobufjs writes the same ones back); and the distributor's
 * splitter takes every span.
 */

const LONG_NAME = 'n'.repeat(300);

const FULL_SPAN: OtlpSpan = {
  traceId: '0102030405060708090a0b0c0d0e0f10',
  spanId: '1111111111111111',
  parentSpanId: '2222222222222222',
  traceState: 'vendor=1',
  // Longer than 127 bytes: its length, and its span's, take more than one varint byte.
  name: LONG_NAME,
  kind: 2,
  startTimeUnixNano: 1_700_000_000_123_456_789n,
  endTimeUnixNano: 18_446_744_073_709_551_615n,
  attributes: [
    { key: 's', value: { string: '' } },
    { key: 'b', value: { bool: false } },
    { key: 'i', value: { int: -(2n ** 63n) } },
    { key: 'd', value: { double: 0 } },
    { key: 'bin', value: { bytes: Buffer.from([0, 1]) } },
  ],
  events: [
    { timeUnixNano: 5n, name: 'retry', attributes: [{ key: 'n', value: { int: 2n } }] },
    { timeUnixNano: 6n, name: 'exception', attributes: [], droppedAttributesCount: 4_294_967_295 },
  ],
  links: [
    {
      traceId: '000000000000000000000000000000ff',
      spanId: '3333333333333333',
      attributes: [{ key: 'opentracing.ref_type', value: { string: 'follows_from' } }],
    },
    { traceId: '', spanId: '', traceState: 'k=v', attributes: [], droppedAttributesCount: 1 },
  ],
  status: { code: 2, message: 'boom' },
};

/** Every field at its default: IDs absent, nothing but the two times written. */
const BARE_SPAN: OtlpSpan = {
  traceId: '',
  spanId: '',
  parentSpanId: '',
  traceState: '',
  name: '',
  kind: 0,
  startTimeUnixNano: 0n,
  endTimeUnixNano: 0n,
  attributes: [],
  events: [],
  links: [],
  status: { code: 0, message: '' },
};

const RESOURCE_SPANS: OtlpResourceSpans[] = [
  {
    resource: [{ key: 'service.name', value: { string: 'cart' } }],
    scopeSpans: [
      { scope: { name: 'http', version: '1.2' }, spans: [FULL_SPAN] },
      { scope: { name: '', version: '' }, spans: [BARE_SPAN] },
    ],
  },
  { resource: [], scopeSpans: [] },
];

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

function decode(body: Uint8Array) {
  const { ExportTraceServiceRequest } = otlpProtoTypes();
  return ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), {
    longs: String,
    bytes: String,
  });
}

describe('encodeExportTraceServiceRequest', () => {
  it('writes what the OTLP protos read back, zero values of attributes included, defaults left out', () => {
    expect(decode(encodeExportTraceServiceRequest(RESOURCE_SPANS))).toEqual({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }] },
          scopeSpans: [
            {
              scope: { name: 'http', version: '1.2' },
              spans: [
                {
                  traceId: b64('0102030405060708090a0b0c0d0e0f10'),
                  spanId: b64('1111111111111111'),
                  parentSpanId: b64('2222222222222222'),
                  traceState: 'vendor=1',
                  name: LONG_NAME,
                  kind: 2,
                  startTimeUnixNano: '1700000000123456789',
                  endTimeUnixNano: '18446744073709551615',
                  attributes: [
                    { key: 's', value: { stringValue: '' } },
                    { key: 'b', value: { boolValue: false } },
                    { key: 'i', value: { intValue: '-9223372036854775808' } },
                    { key: 'd', value: { doubleValue: 0 } },
                    { key: 'bin', value: { bytesValue: b64('0001') } },
                  ],
                  events: [
                    {
                      timeUnixNano: '5',
                      name: 'retry',
                      attributes: [{ key: 'n', value: { intValue: '2' } }],
                    },
                    { timeUnixNano: '6', name: 'exception', droppedAttributesCount: 4_294_967_295 },
                  ],
                  links: [
                    {
                      traceId: b64('000000000000000000000000000000ff'),
                      spanId: b64('3333333333333333'),
                      attributes: [{ key: 'opentracing.ref_type', value: { stringValue: 'follows_from' } }],
                    },
                    { traceState: 'k=v', droppedAttributesCount: 1 },
                  ],
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
            { scope: {}, spans: [{ startTimeUnixNano: '0', endTimeUnixNano: '0' }] },
          ],
        },
        // A resource is written even when empty, as the Collector's pdata writes it.
        { resource: {} },
      ],
    });
  });

  it('writes the canonical bytes: protobufjs encodes what it decoded to the same bytes', () => {
    const body = encodeExportTraceServiceRequest(RESOURCE_SPANS);
    const { ExportTraceServiceRequest } = otlpProtoTypes();
    const again = ExportTraceServiceRequest.encode(ExportTraceServiceRequest.decode(body)).finish();
    expect(Buffer.from(again).toString('hex')).toBe(body.toString('hex'));
  });

  it('writes an all-zero ID as absent, as the Collector does, whichever receiver built the span', () => {
    const zeroes: OtlpSpan = {
      ...FULL_SPAN,
      parentSpanId: '0000000000000000',
      links: [{ traceId: '0'.repeat(32), spanId: '0'.repeat(16), attributes: [] }],
    };
    const body = encodeExportTraceServiceRequest([
      { ...RESOURCE_SPANS[0], scopeSpans: [{ scope: { name: 's', version: '' }, spans: [zeroes] }] },
    ]);
    const span = decode(body).resourceSpans[0].scopeSpans[0].spans[0];
    expect(span.traceId).toBe(b64(FULL_SPAN.traceId));
    expect(span.parentSpanId).toBeUndefined();
    expect(span.links[0].traceId).toBeUndefined();
    expect(span.links[0].spanId).toBeUndefined();
  });

  it('writes an empty request for no resource spans', () => {
    expect(encodeExportTraceServiceRequest([]).length).toBe(0);
  });

  it('is a request the distributor splits, refusing only the span without IDs', () => {
    const split = splitTracesByTraceId(encodeExportTraceServiceRequest(RESOURCE_SPANS));
    expect(countSpans(RESOURCE_SPANS)).toBe(2);
    expect([split.acceptedSpans, split.rejectedSpans]).toEqual([1, 1]);
    expect(split.rejectReasons).toEqual(['1 span with a trace_id that is not 16 bytes']);
  });
});

describe('AttributeMap (the Collector pcommon.Map order)', () => {
  it('replaces a value in place, appends a new key, and moves the last entry into a removed slot', () => {
    const attrs = new AttributeMap();
    for (const key of ['a', 'b', 'c', 'd']) attrs.put(key, { string: key });
    attrs.put('b', { int: 2n });
    expect(attrs.remove('a')).toBe(true);
    expect(attrs.remove('a')).toBe(false);
    attrs.put('e', { bool: true });
    expect(attrs.entries).toEqual([
      { key: 'd', value: { string: 'd' } },
      { key: 'b', value: { int: 2n } },
      { key: 'c', value: { string: 'c' } },
      { key: 'e', value: { bool: true } },
    ]);
    // The moved entry is still found where it now is.
    attrs.put('d', { double: 1.5 });
    expect([attrs.get('d'), attrs.str('c'), attrs.str('b'), attrs.has('a')]).toEqual([
      { double: 1.5 },
      'c',
      '',
      false,
    ]);
    expect(attrs.remove('e')).toBe(true);
    expect(attrs.entries.map((e) => e.key)).toEqual(['d', 'b', 'c']);
  });
});
