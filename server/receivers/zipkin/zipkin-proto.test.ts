import { describe, expect, it } from 'vitest';
import { emptyMessages } from '../../../fixtures/hostile/fuzz';
import { MAX_DECODED_ITEMS } from '../../otlp/decode-budget';
import { canonicalIp, ipToString } from './zipkin-ip';
import { listOfSpansType, parseZipkinProtobuf } from './zipkin-proto';

const hex = (h: string) => Buffer.from(h, 'hex');

/** A ListOfSpans encoded with the same zipkin.proto any Zipkin reporter uses. */
function encode(spans: Record<string, unknown>[]): Uint8Array {
  const type = listOfSpansType();
  return type.encode(type.fromObject({ spans })).finish();
}

const span = (extra: Record<string, unknown> = {}) => ({
  traceId: hex('5af7183fb1d4cf5f5af7183fb1d4cf5f'),
  id: hex('352bff9a74ca9ad2'),
  ...extra,
});

describe('Zipkin v2 protobuf decoding', () => {
  it('reads every field of zipkin.proto', () => {
    const [decoded] = parseZipkinProtobuf(
      encode([
        span({
          parentId: hex('6b221d5bc9e6496c'),
          kind: 'PRODUCER',
          name: 'send',
          timestamp: '1502787600000000',
          duration: '150000',
          localEndpoint: { serviceName: 'api', ipv4: Buffer.from([10, 0, 0, 1]), port: 8080 },
          remoteEndpoint: { ipv6: hex('20010db8000000000000000000000001'), port: 70_000 },
          annotations: [{ timestamp: '1502787600000100', value: 'ws' }],
          tags: { 'messaging.system': 'kafka' },
          debug: true,
          shared: true,
        }),
      ]),
      false,
    );
    expect(decoded).toEqual({
      traceId: '5af7183fb1d4cf5f5af7183fb1d4cf5f',
      id: '352bff9a74ca9ad2',
      parentId: '6b221d5bc9e6496c',
      name: 'send',
      kind: 'PRODUCER',
      timestampUs: 1_502_787_600_000_000n,
      durationUs: 150_000n,
      localEndpoint: { serviceName: 'api', ipv4: '10.0.0.1', ipv6: undefined, port: 8080 },
      // int32 on the wire, uint16 in zipkin-go.
      remoteEndpoint: { serviceName: '', ipv4: undefined, ipv6: '2001:db8::1', port: 70_000 & 0xffff },
      annotations: [{ timestampUs: 1_502_787_600_000_100n, value: 'ws' }],
      tags: new Map([['messaging.system', 'kafka']]),
      // `debug` comes from the X-B3-Flags header, as in zipkin-go.
      debug: false,
      shared: true,
    });
    expect(parseZipkinProtobuf(encode([span()]), true)[0].debug).toBe(true);
  });

  it('left-pads an 8-byte trace ID; an unset timestamp is 0 (not "absent", as zipkin-go decodes it)', () => {
    const [decoded] = parseZipkinProtobuf(encode([span({ traceId: hex('5af7183fb1d4cf5f') })]), false);
    expect(decoded.traceId).toBe('00000000000000005af7183fb1d4cf5f');
    expect(decoded.timestampUs).toBe(0n);
    expect(decoded.kind).toBe('');
  });

  it.each([
    [[span({ traceId: hex('0102') })], /span 0: trace_id: has 2 bytes, wanted 16 \(or 8\)/],
    [[span({ id: undefined })], /span 0: id: has 0 bytes, wanted 8 \(the span ID is required\)/],
    [[span(), span({ parentId: hex('01') })], /span 1: parent_id: has 1 bytes, wanted 8/],
  ])('refuses IDs of the wrong size: %#', (spans, message) => {
    expect(() => parseZipkinProtobuf(encode(spans), false)).toThrow(message);
  });

  it('refuses more spans than the decode budget before protobufjs makes an object of each', () => {
    const body = emptyMessages(0x0a, MAX_DECODED_ITEMS + 1);
    expect(() => parseZipkinProtobuf(body, false)).toThrow(`more than ${MAX_DECODED_ITEMS} spans`);
  });

  it('refuses bytes that are not a ListOfSpans, saying what to send', () => {
    expect(() => parseZipkinProtobuf(Buffer.from('[{"traceId":"1"}]'), false)).toThrow(
      /invalid Zipkin v2 protobuf \(ListOfSpans\): .*send zipkin.proto's ListOfSpans with Content-Type application\/x-protobuf, or JSON with application\/json/,
    );
  });
});

describe('endpoint addresses, printed as Go prints them', () => {
  it.each([
    [[127, 0, 0, 1], '127.0.0.1'],
    [[...new Array(10).fill(0), 0xff, 0xff, 192, 168, 1, 2], '192.168.1.2'],
    [[...new Array(15).fill(0), 1], '::1'],
    [new Array(16).fill(0), '::'],
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], '2001:db8::1:0:0:1'],
    [[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 0xab, 0xcd], 'fe80::1234:0:0:abcd'],
    [[0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8], '1:2:3:4:5:6:7:8'],
    [[1, 2, 3], '?010203'],
  ])('%j → %s', (bytes, text) => {
    expect(ipToString(Uint8Array.from(bytes))).toBe(text);
  });

  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['2001:DB8:0000:0:0:0:0:0001', '2001:db8::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::10.1.2.3', '::a01:203'],
    ['010.1.2.3', undefined],
    ['fe80::1%eth0', undefined],
    ['localhost', undefined],
  ])('%s → %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });
});
