import { describe, expect, it } from 'vitest';
import { type OtlpSpan, SpanKind, StatusCode } from '../../otlp/otlp-traces-model';
import type { JaegerSpan, JaegerSpanRef, JaegerTag } from './jaeger-model';
import { protoBatchToOtlp, thriftBatchToOtlp } from './translate-batch';

/**
 * One Jaeger span in, the exact OTLP span out, as the OpenTelemetry Collector's translator
 * (`pkg/translator/jaeger`) produces it: kind, status, parent, links, typed attributes in the
 * Collector's order, events. Each row is read through both the Thrift and the protobuf path,
 * which agree on everything here (their differences are in translate-batch.test.ts).
 */

const str = (key: string, value: string): JaegerTag => ({
  key,
  value: { type: 'string', value },
  rawString: value,
});
const bool = (key: string, value: boolean): JaegerTag => ({
  key,
  value: { type: 'bool', value },
  rawString: '',
});
const long = (key: string, value: bigint): JaegerTag => ({
  key,
  value: { type: 'long', value },
  rawString: '',
});
const double = (key: string, value: number): JaegerTag => ({
  key,
  value: { type: 'double', value },
  rawString: '',
});
const ref = (refType: number, spanId: bigint, traceIdLow = 0xbn): JaegerSpanRef => ({
  refType,
  traceIdHigh: 0xan,
  traceIdLow,
  spanId,
});
const CHILD_OF = 0;
const FOLLOWS_FROM = 1;

const TRACE = '000000000000000a000000000000000b';

function jaegerSpan(fields: Partial<JaegerSpan>): JaegerSpan {
  return {
    traceIdHigh: 0xan,
    traceIdLow: 0xbn,
    spanId: 0xcn,
    parentSpanId: 0n,
    operationName: 'GET /cart',
    references: [],
    startTimeUnixNano: 1_700_000_000_000_001_000n,
    endTimeUnixNano: 1_700_000_000_250_001_000n,
    tags: [],
    logs: [],
    blank: false,
    ...fields,
  };
}

function otlpSpan(fields: Partial<OtlpSpan>): OtlpSpan {
  return {
    traceId: TRACE,
    spanId: '000000000000000c',
    parentSpanId: '',
    traceState: '',
    name: 'GET /cart',
    kind: SpanKind.UNSPECIFIED,
    startTimeUnixNano: 1_700_000_000_000_001_000n,
    endTimeUnixNano: 1_700_000_000_250_001_000n,
    attributes: [],
    events: [],
    links: [],
    status: { code: StatusCode.UNSET, message: '' },
    ...fields,
  };
}

const childOfLink = (spanId: string, traceId = TRACE) => ({
  traceId,
  spanId,
  attributes: [{ key: 'opentracing.ref_type', value: { string: 'child_of' } }],
});
const followsFromLink = (spanId: string) => ({
  traceId: TRACE,
  spanId,
  attributes: [{ key: 'opentracing.ref_type', value: { string: 'follows_from' } }],
});

const ROWS: [string, Partial<JaegerSpan>, Partial<OtlpSpan>][] = [
  ['no tags: a root span, kind and status unset', {}, {}],
  [
    'span.kind becomes the kind and leaves the attributes',
    { tags: [str('span.kind', 'server'), str('http.route', '/cart')] },
    { kind: SpanKind.SERVER, attributes: [{ key: 'http.route', value: { string: '/cart' } }] },
  ],
  ...(['client', 'producer', 'consumer', 'internal'] as const).map(
    (kind): [string, Partial<JaegerSpan>, Partial<OtlpSpan>] => [
      `span.kind ${kind}`,
      { tags: [str('span.kind', kind)] },
      { kind: SpanKind[kind.toUpperCase() as 'CLIENT'] },
    ],
  ),
  ['an unknown span.kind is unspecified, and still removed', { tags: [str('span.kind', 'rpc')] }, {}],
  [
    'error=true: ERROR, otel.status_description the message',
    { tags: [bool('error', true), str('otel.status_description', 'card declined'), str('a', '1')] },
    {
      status: { code: StatusCode.ERROR, message: 'card declined' },
      attributes: [{ key: 'a', value: { string: '1' } }],
    },
  ],
  [
    'error=true without a description: http.status_message the message (and kept)',
    { tags: [bool('error', true), str('http.status_message', 'Bad Gateway')] },
    {
      status: { code: StatusCode.ERROR, message: 'Bad Gateway' },
      attributes: [{ key: 'http.status_message', value: { string: 'Bad Gateway' } }],
    },
  ],
  [
    'error=false and error="true" (a string) stay attributes, no status',
    { tags: [bool('error', false)] },
    { attributes: [{ key: 'error', value: { bool: false } }] },
  ],
  [
    'error as a string is not the error tag',
    { tags: [str('error', 'true')] },
    { attributes: [{ key: 'error', value: { string: 'true' } }] },
  ],
  [
    'otel.status_code OK with its description',
    { tags: [str('otel.status_code', 'OK'), str('otel.status_description', 'fine')] },
    { status: { code: StatusCode.OK, message: 'fine' } },
  ],
  [
    'otel.status_code in any case',
    { tags: [str('otel.status_code', 'error')] },
    { status: { code: StatusCode.ERROR, message: '' } },
  ],
  [
    'otel.status_code UNSET: a status that is unset, the tag removed',
    { tags: [str('otel.status_code', 'UNSET')] },
    {},
  ],
  [
    'error=true wins over otel.status_code OK, which is removed',
    { tags: [str('otel.status_code', 'OK'), bool('error', true)] },
    { status: { code: StatusCode.ERROR, message: '' } },
  ],
  [
    'http.status_code 500 (a long): ERROR, the code kept',
    { tags: [long('http.status_code', 500n)] },
    {
      status: { code: StatusCode.ERROR, message: '' },
      attributes: [{ key: 'http.status_code', value: { int: 500n } }],
    },
  ],
  [
    'http.status_code "404" (a string) on a client: ERROR with http.status_message',
    {
      tags: [
        str('span.kind', 'client'),
        str('http.status_code', '404'),
        str('http.status_message', 'Not Found'),
      ],
    },
    {
      kind: SpanKind.CLIENT,
      status: { code: StatusCode.ERROR, message: 'Not Found' },
      attributes: [
        { key: 'http.status_message', value: { string: 'Not Found' } },
        { key: 'http.status_code', value: { string: '404' } },
      ],
    },
  ],
  [
    'http.status_code 404 on a server: unset',
    { tags: [str('span.kind', 'server'), long('http.status_code', 404n)] },
    { kind: SpanKind.SERVER, attributes: [{ key: 'http.status_code', value: { int: 404n } }] },
  ],
  [
    'http.status_code 399 is an error (the Collector stops at 398)',
    { tags: [long('http.status_code', 399n)] },
    {
      status: { code: StatusCode.ERROR, message: '' },
      attributes: [{ key: 'http.status_code', value: { int: 399n } }],
    },
  ],
  [
    'http.status_code as a double (as jaeger-client sends numbers) sets no status',
    { tags: [double('http.status_code', 500)] },
    { attributes: [{ key: 'http.status_code', value: { double: 500 } }] },
  ],
  ['parentSpanId is the parent', { parentSpanId: 0x7n }, { parentSpanId: '0000000000000007' }],
  [
    'without parentSpanId, a CHILD_OF reference in the trace is the parent, not a link',
    { references: [ref(CHILD_OF, 0x7n)] },
    { parentSpanId: '0000000000000007' },
  ],
  [
    'a FOLLOWS_FROM reference alone is the parent and also a link',
    { references: [ref(FOLLOWS_FROM, 0x7n)] },
    { parentSpanId: '0000000000000007', links: [followsFromLink('0000000000000007')] },
  ],
  [
    'CHILD_OF is preferred as parent over an earlier FOLLOWS_FROM',
    { references: [ref(FOLLOWS_FROM, 0x6n), ref(CHILD_OF, 0x7n)] },
    { parentSpanId: '0000000000000007', links: [followsFromLink('0000000000000006')] },
  ],
  [
    'a CHILD_OF reference into another trace is a link, not the parent',
    { references: [ref(CHILD_OF, 0x7n, 0xffn)] },
    { links: [childOfLink('0000000000000007', '000000000000000a00000000000000ff')] },
  ],
  [
    'a second CHILD_OF reference is a link',
    { parentSpanId: 0x7n, references: [ref(CHILD_OF, 0x7n), ref(CHILD_OF, 0x8n)] },
    { parentSpanId: '0000000000000007', links: [childOfLink('0000000000000008')] },
  ],
  [
    'tags by type; a repeated key keeps its first place and its last value',
    {
      tags: [
        str('s', 'x'),
        bool('b', true),
        long('l', -(2n ** 63n)),
        long('big', 2n ** 53n + 1n),
        double('d', 0.25),
        { key: 'bin', value: { type: 'binary', value: Buffer.from([0, 255]) }, rawString: '' },
        { key: 'odd', value: { type: 'unknown', typeName: '<UNSET>' }, rawString: '' },
        str('s', 'y'),
      ],
    },
    {
      attributes: [
        { key: 's', value: { string: 'y' } },
        { key: 'b', value: { bool: true } },
        { key: 'l', value: { int: -(2n ** 63n) } },
        { key: 'big', value: { int: 2n ** 53n + 1n } },
        { key: 'd', value: { double: 0.25 } },
        { key: 'bin', value: { bytes: Buffer.from([0, 255]) } },
        { key: 'odd', value: { string: '<Unknown Jaeger TagType "<UNSET>">' } },
      ],
    },
  ],
  [
    'a removed tag takes the last attribute into its place (pcommon.Map)',
    { tags: [str('span.kind', 'server'), str('a', '1'), str('b', '2'), str('c', '3')] },
    {
      kind: SpanKind.SERVER,
      attributes: [
        { key: 'c', value: { string: '3' } },
        { key: 'a', value: { string: '1' } },
        { key: 'b', value: { string: '2' } },
      ],
    },
  ],
  [
    'logs are events; the event field names them',
    {
      logs: [
        { timeUnixNano: 5n, fields: [str('event', 'retry'), long('attempt', 2n), str('note', 'slow')] },
        { timeUnixNano: 6n, fields: [] },
        { timeUnixNano: 7n, fields: [long('event', 3n)] },
      ],
    },
    {
      events: [
        {
          timeUnixNano: 5n,
          name: 'retry',
          attributes: [
            { key: 'note', value: { string: 'slow' } },
            { key: 'attempt', value: { int: 2n } },
          ],
        },
        { timeUnixNano: 6n, name: '', attributes: [] },
        { timeUnixNano: 7n, name: '', attributes: [] },
      ],
    },
  ],
];

const translators = [
  ['thrift', thriftBatchToOtlp],
  ['protobuf', protoBatchToOtlp],
] as const;

describe.each(translators)('a Jaeger span through the %s translator', (_name, translate) => {
  it.each(ROWS)('%s', (_row, input, expected) => {
    const [resourceSpans] = translate({
      process: { serviceName: 'cart', tags: undefined },
      spans: [jaegerSpan(input)],
    });
    expect(resourceSpans.scopeSpans).toHaveLength(1);
    expect(resourceSpans.scopeSpans[0].spans).toEqual([otlpSpan(expected)]);
  });
});
