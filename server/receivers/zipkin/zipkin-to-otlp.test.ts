import { describe, expect, it } from 'vitest';
import { attrs, base, type Json, onlySpan, otlpOf, TRACE } from './zipkin-otlp-view.test-support';

describe('a Zipkin span becomes one OTLP span', () => {
  it('with every field the Zipkin v2 model has, mapped as the Collector maps it', () => {
    const resourceSpans = otlpOf([
      {
        traceId: TRACE,
        parentId: '6b221d5bc9e6496c',
        id: '352bff9a74ca9ad2',
        kind: 'CLIENT',
        name: 'get /api',
        timestamp: 1_700_000_000_123_456,
        duration: 1_500,
        localEndpoint: { serviceName: 'frontend', ipv4: '192.168.99.1', port: 3306 },
        remoteEndpoint: { serviceName: 'backend', ipv6: '2001:DB8:0:0:0:0:0:1', port: 8080 },
        annotations: [{ timestamp: 1_700_000_000_124_000, value: 'ws' }],
        tags: { 'http.method': 'GET', 'http.status_code': '200' },
        debug: true,
        shared: true,
      },
    ]);
    expect(resourceSpans).toEqual([
      {
        resource: { attributes: attrs({ 'service.name': 'frontend' }) },
        scopeSpans: [
          {
            scope: {},
            spans: [
              {
                traceId: TRACE,
                spanId: '352bff9a74ca9ad2',
                parentSpanId: '6b221d5bc9e6496c',
                name: 'get /api',
                kind: 'SPAN_KIND_CLIENT',
                startTimeUnixNano: '1700000000123456000',
                endTimeUnixNano: '1700000000124956000',
                attributes: attrs({
                  'http.method': 'GET',
                  'http.status_code': '200',
                  'net.host.ip': '192.168.99.1',
                  'net.host.port': 3306n,
                  'peer.service': 'backend',
                  'net.peer.ip': '2001:db8::1',
                  'net.peer.port': 8080n,
                }),
                events: [{ timeUnixNano: '1700000000124000000', name: 'ws' }],
              },
            ],
          },
        ],
      },
    ]);
  });

  it.each([
    [
      'a 64-bit trace ID, left-padded',
      { traceId: '5af7183fb1d4cf5f' },
      { traceId: `${'0'.repeat(16)}5af7183fb1d4cf5f` },
    ],
    ['a short span ID, left-padded', { id: 'a1' }, { spanId: '00000000000000a1' }],
    ['upper-case hex', { traceId: TRACE.toUpperCase() }, { traceId: TRACE }],
    [
      'a parent that is the span itself: no parent',
      { parentId: '352bff9a74ca9ad2' },
      { parentSpanId: undefined },
    ],
    ['an empty parent: no parent', { parentId: '' }, { parentSpanId: undefined }],
    ['SERVER', { kind: 'SERVER' }, { kind: 'SPAN_KIND_SERVER' }],
    ['PRODUCER', { kind: 'PRODUCER' }, { kind: 'SPAN_KIND_PRODUCER' }],
    ['CONSUMER', { kind: 'CONSUMER' }, { kind: 'SPAN_KIND_CONSUMER' }],
    ['no kind: unspecified', {}, { kind: undefined }],
    ['a lower-case kind counts as none', { kind: 'client' }, { kind: undefined }],
    [
      'no kind and span.kind=internal: internal, tag consumed',
      { tags: { 'span.kind': 'internal' } },
      { kind: 'SPAN_KIND_INTERNAL', attributes: undefined },
    ],
    [
      'no kind and span.kind=client: unspecified, tag consumed',
      { tags: { 'span.kind': 'client' } },
      { kind: undefined, attributes: undefined },
    ],
    [
      'a kind and a span.kind tag: the tag stays an attribute',
      { kind: 'SERVER', tags: { 'span.kind': 'internal' } },
      { kind: 'SPAN_KIND_SERVER', attributes: attrs({ 'span.kind': 'internal' }) },
    ],
    [
      'w3c.tracestate: the trace state',
      { tags: { 'w3c.tracestate': 'vendor=1', a: 'b' } },
      { traceState: 'vendor=1', attributes: attrs({ a: 'b' }) },
    ],
    [
      'no timestamp: starts at the epoch, marked',
      { timestamp: undefined, duration: 25 },
      {
        startTimeUnixNano: '0',
        endTimeUnixNano: '25000',
        attributes: attrs({ 'otel.zipkin.absentField.startTime': true }),
      },
    ],
    [
      'no duration: ends where it starts',
      { duration: undefined },
      { endTimeUnixNano: '1700000000123456000' },
    ],
    ['debug and shared are not carried', { debug: true, shared: true }, { attributes: undefined }],
  ])('%s', (_name, zipkin, expected) => {
    const span = onlySpan(base(zipkin as Json));
    for (const [field, value] of Object.entries(expected)) expect(span[field], field).toEqual(value);
  });
});

describe('status from tags', () => {
  it.each([
    [
      { 'otel.status_code': 'STATUS_CODE_ERROR', 'otel.status_description': 'boom' },
      { code: 'STATUS_CODE_ERROR', message: 'boom' },
      {},
    ],
    [{ 'otel.status_code': 'STATUS_CODE_OK' }, { code: 'STATUS_CODE_OK' }, {}],
    [{ 'otel.status_code': 'Error' }, { code: 'STATUS_CODE_ERROR' }, {}],
    [{ 'otel.status_code': 'Ok' }, { code: 'STATUS_CODE_OK' }, {}],
    // What the OpenTelemetry JS and Java exporters write: unknown to the Collector's table, so unset.
    [{ 'otel.status_code': 'OK' }, undefined, {}],
    [
      { 'otel.status_code': 'ERROR', error: 'card declined' },
      { code: 'STATUS_CODE_ERROR' },
      { error: 'card declined' },
    ],
    [{ error: 'true' }, { code: 'STATUS_CODE_ERROR' }, {}],
    [{ error: 'false' }, { code: 'STATUS_CODE_ERROR' }, { error: 'false' }],
    [{ 'otel.status_code': 'STATUS_CODE_OK', error: 'true' }, { code: 'STATUS_CODE_ERROR' }, {}],
    // A description without a code is an ordinary tag.
    [{ 'otel.status_description': 'why' }, undefined, { 'otel.status_description': 'why' }],
  ])('%j', (tags, status, attributes) => {
    const span = onlySpan(base({ tags }));
    expect(span.status).toEqual(status);
    expect(span.attributes ?? []).toEqual(attrs(attributes));
  });
});

describe('resources and scopes', () => {
  it('groups spans by service (sorted), then by library; the first span of a service gives its resource', () => {
    const resourceSpans = otlpOf([
      base({ id: '01', localEndpoint: { serviceName: 'payments' } }),
      base({
        id: '02',
        tags: { 'otel.library.name': 'http', 'otel.library.version': '1.2', 'telemetry.sdk.language': 'go' },
      }),
      base({ id: '03', tags: { 'otel.scope.name': 'db', 'host.name': 'web-2', keep: 'me' } }),
      base({ id: '04', tags: { 'otel.library.name': 'http', 'host.name': 'web-3' } }),
      base({ id: '05', localEndpoint: undefined, tags: { 'service.version': '9' } }),
    ]);
    const summary = resourceSpans.map((rs) => ({
      resource: (rs.resource as Json).attributes,
      scopes: (rs.scopeSpans as Json[]).map((ss) => ({
        scope: ss.scope,
        spans: (ss.spans as Json[]).map((s) => [s.spanId, s.attributes]),
      })),
    }));
    expect(summary).toEqual([
      // No local service name: a resource without attributes, sorted by the Collector's placeholder.
      { resource: undefined, scopes: [{ scope: {}, spans: [['0000000000000005', undefined]] }] },
      {
        resource: attrs({ 'service.name': 'checkout', 'host.name': 'web-2' }),
        scopes: [
          { scope: { name: 'db' }, spans: [['0000000000000003', attrs({ keep: 'me' })]] },
          {
            scope: { name: 'http', version: '1.2' },
            spans: [
              ['0000000000000002', undefined],
              ['0000000000000004', undefined],
            ],
          },
        ],
      },
      {
        resource: attrs({ 'service.name': 'payments' }),
        scopes: [{ scope: {}, spans: [['0000000000000001', undefined]] }],
      },
    ]);
  });

  it('otlp.service.name.source names the attribute the service name goes to', () => {
    const [rs] = otlpOf([base({ tags: { 'otlp.service.name.source': 'faas.name' } })]);
    expect(rs.resource).toEqual({ attributes: attrs({ 'faas.name': 'checkout' }) });
  });

  it('a service.name tag wins over the local endpoint, as the Collector writes it last', () => {
    const [rs] = otlpOf([base({ tags: { 'service.name': 'checkout-v2' } })]);
    expect(rs.resource).toEqual({ attributes: attrs({ 'service.name': 'checkout-v2' }) });
  });
});
