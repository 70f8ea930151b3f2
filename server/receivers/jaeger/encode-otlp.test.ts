import { describe, expect, it } from 'vitest';
import { otlpProtoTypes } from '../../otlp/protobuf-root';
import { splitTracesByTraceId } from '../../otlp/split-traces';
import { countSpans, encodeExportTraceServiceRequest } from './encode-otlp';
import type { OtlpResourceSpans } from './otlp-model';

/**
 * The translated spans as OTLP protobuf: what the reference decoder (protobufjs with the OTLP
 * protos) reads back is what was translated, and the distributor's splitter takes every span.
 */

const RESOURCE_SPANS: OtlpResourceSpans[] = [
  {
    resource: [{ key: 'service.name', value: { string: 'cart' } }],
    scopeSpans: [
      {
        scope: { name: 'http', version: '1.2' },
        spans: [
          {
            traceId: '0102030405060708090a0b0c0d0e0f10',
            spanId: '1111111111111111',
            parentSpanId: '2222222222222222',
            traceState: 'vendor=1',
            name: 'GET /cart',
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
            events: [{ timeUnixNano: 5n, name: 'retry', attributes: [{ key: 'n', value: { int: 2n } }] }],
            links: [
              {
                traceId: '000000000000000000000000000000ff',
                spanId: '3333333333333333',
                attributes: [{ key: 'opentracing.ref_type', value: { string: 'follows_from' } }],
              },
            ],
            status: { code: 2, message: 'boom' },
          },
        ],
      },
    ],
  },
  { resource: [], scopeSpans: [] },
];

const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('encodeExportTraceServiceRequest', () => {
  it('writes what the OTLP protos read back, zero values of attributes included', () => {
    const body = encodeExportTraceServiceRequest(RESOURCE_SPANS);
    const types = otlpProtoTypes();
    const decoded = types.ExportTraceServiceRequest.toObject(types.ExportTraceServiceRequest.decode(body), {
      longs: String,
      bytes: String,
    });
    expect(decoded).toEqual({
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
                  name: 'GET /cart',
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
                  ],
                  links: [
                    {
                      traceId: b64('000000000000000000000000000000ff'),
                      spanId: b64('3333333333333333'),
                      attributes: [{ key: 'opentracing.ref_type', value: { stringValue: 'follows_from' } }],
                    },
                  ],
                  status: { code: 2, message: 'boom' },
                },
              ],
            },
          ],
        },
        { resource: {} },
      ],
    });
  });

  it('is a request the distributor splits without refusing a span', () => {
    const split = splitTracesByTraceId(encodeExportTraceServiceRequest(RESOURCE_SPANS));
    expect([split.acceptedSpans, split.rejectedSpans]).toEqual([countSpans(RESOURCE_SPANS), 0]);
    expect(countSpans(RESOURCE_SPANS)).toBe(1);
  });
});
