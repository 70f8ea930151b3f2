import { describe, expect, it } from 'vitest';
import { parseZipkinJson } from './zipkin-json';
import { ZipkinDecodeError } from './zipkin-span';

const span = (extra: Record<string, unknown> = {}) => ({
  traceId: '5af7183fb1d4cf5f5af7183fb1d4cf5f',
  id: '352bff9a74ca9ad2',
  ...extra,
});
const parse = (value: unknown) => parseZipkinJson(JSON.stringify(value));

function refusal(body: string): string {
  try {
    parseZipkinJson(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ZipkinDecodeError);
    expect((err as ZipkinDecodeError).statusCode).toBe(400);
    return (err as Error).message;
  }
  throw new Error('expected a ZipkinDecodeError');
}

describe('Zipkin v2 JSON decoding', () => {
  it('reads the fields of a span, with defaults for what is absent', () => {
    const [decoded] = parse([
      span({
        parentId: '6b221d5bc9e6496c',
        name: 'get',
        kind: 'SERVER',
        timestamp: 1_502_787_600_000_000,
        duration: 207_000,
        localEndpoint: { serviceName: 'api', ipv4: '10.0.0.1', port: 80 },
        remoteEndpoint: { ipv6: '::FFFF:10.0.0.2' },
        annotations: [{ timestamp: 1_502_787_600_100_000, value: 'wr' }],
        tags: { b: '2', a: '1' },
        debug: true,
        shared: true,
      }),
    ]);
    expect(decoded).toEqual({
      traceId: '5af7183fb1d4cf5f5af7183fb1d4cf5f',
      id: '352bff9a74ca9ad2',
      parentId: '6b221d5bc9e6496c',
      name: 'get',
      kind: 'SERVER',
      timestampUs: 1_502_787_600_000_000n,
      durationUs: 207_000n,
      localEndpoint: { serviceName: 'api', ipv4: '10.0.0.1', ipv6: undefined, port: 80 },
      // An IPv4-mapped address prints as IPv4, as Go's net.IP does.
      remoteEndpoint: { serviceName: '', ipv4: undefined, ipv6: '10.0.0.2', port: 0 },
      annotations: [{ timestampUs: 1_502_787_600_100_000n, value: 'wr' }],
      tags: new Map([
        ['b', '2'],
        ['a', '1'],
      ]),
      debug: true,
      shared: true,
    });
    const [bare] = parse([span()]);
    expect(bare).toMatchObject({
      name: '',
      kind: '',
      timestampUs: undefined,
      durationUs: 0n,
      annotations: [],
    });
    expect(bare.localEndpoint).toBeUndefined();
  });

  it('treats null as absent, skips null spans, drops empty endpoints, matches field names ignoring case', () => {
    const decoded = parse([
      null,
      {
        TraceID: '1',
        ID: '2',
        ParentId: null,
        name: null,
        localEndpoint: {},
        remoteEndpoint: { port: 0 },
        tags: { t: null },
      },
    ]);
    expect(decoded).toHaveLength(1);
    expect(decoded[0]).toMatchObject({
      traceId: `${'0'.repeat(31)}1`,
      id: '0000000000000002',
      parentId: undefined,
      name: '',
      localEndpoint: undefined,
      remoteEndpoint: undefined,
      tags: new Map([['t', '']]),
    });
    expect(parseZipkinJson('null')).toEqual([]);
    expect(parseZipkinJson('[]')).toEqual([]);
  });

  it.each([
    ['', /invalid Zipkin v2 JSON: Unexpected end of JSON input/],
    ['{"traceId":"1"}', /the body must be a JSON array of spans, got \{"traceId":"1"\}/],
    ['[42]', /span 0: must be a JSON object, got 42/],
    [JSON.stringify([span(), { id: '1' }]), /span 1: "traceId" is required/],
    [
      JSON.stringify([span({ traceId: 'xyz' })]),
      /span 0: "traceId": must be up to 32 hex digits \(the trace ID\), got "xyz"/,
    ],
    [JSON.stringify([span({ traceId: '1'.repeat(33) })]), /"traceId": must be up to 32 hex digits/],
    [JSON.stringify([span({ id: undefined })]), /span 0: "id": is required: 1 to 16 hex digits/],
    [
      JSON.stringify([span({ id: '0000000000000000' })]),
      /"id": is required: 1 to 16 hex digits \(a span ID\), not all zeros/,
    ],
    [JSON.stringify([span({ id: '1'.repeat(17) })]), /"id": must be 1 to 16 hex digits/],
    [JSON.stringify([span({ parentId: 'g' })]), /"parentId": must be 1 to 16 hex digits/],
    [
      JSON.stringify([span({ timestamp: 1.5 })]),
      /"timestamp": must be a whole, non-negative number of microseconds, got 1.5/,
    ],
    [
      JSON.stringify([span({ duration: -1 })]),
      /"duration": must be a whole, non-negative number of microseconds/,
    ],
    [JSON.stringify([span({ timestamp: '1502787600000000' })]), /"timestamp": must be a whole/],
    [JSON.stringify([span({ name: 7 })]), /"name": must be a string, got 7/],
    [JSON.stringify([span({ debug: 'yes' })]), /"debug": must be true or false/],
    [
      JSON.stringify([span({ tags: { code: 200 } })]),
      /"tags"\."code": must be a string \(Zipkin tag values are strings\), got 200/,
    ],
    [JSON.stringify([span({ tags: ['a'] })]), /"tags": must be a JSON object of string values/],
    [
      JSON.stringify([span({ localEndpoint: { ipv4: '10.0.0.256' } })]),
      /"localEndpoint".ipv4: must be an IP address/,
    ],
    [
      JSON.stringify([span({ remoteEndpoint: { ipv6: 'fe80::1%eth0' } })]),
      /"remoteEndpoint".ipv6: must be an IP address/,
    ],
    [
      JSON.stringify([span({ localEndpoint: { port: 70000 } })]),
      /port: must be a port number \(0-65535\), got 70000/,
    ],
    [JSON.stringify([span({ annotations: [{ value: 'x' }] })]), /"annotations"\[0\].timestamp: is required/],
    [JSON.stringify([span({ annotations: {} })]), /"annotations": must be a JSON array/],
  ])('refuses %s', (body, message) => {
    expect(refusal(body)).toMatch(message);
  });
});
