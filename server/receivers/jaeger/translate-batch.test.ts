import { describe, expect, it } from 'vitest';
import type { OtlpResourceSpans } from '../../otlp/otlp-traces-model';
import type { JaegerProcess, JaegerSpan, JaegerTag } from './jaeger-model';
import { protoBatchToOtlp, thriftBatchToOtlp } from './translate-batch';

/**
 * Whole batches: the process as the resource, and where the Collector's Thrift and protobuf
 * translators differ (resources per process, scope, trace state, the no-service placeholder).
 */

const str = (key: string, value: string): JaegerTag => ({
  key,
  value: { type: 'string', value },
  rawString: value,
});

function span(spanId: bigint, fields: Partial<JaegerSpan> = {}): JaegerSpan {
  return {
    traceIdHigh: 0n,
    traceIdLow: 0x1n,
    spanId,
    parentSpanId: 0n,
    operationName: `op-${spanId}`,
    references: [],
    startTimeUnixNano: 1000n,
    endTimeUnixNano: 2000n,
    tags: [],
    logs: [],
    blank: false,
    ...fields,
  };
}

const BLANK: JaegerSpan = {
  ...span(0n),
  operationName: '',
  startTimeUnixNano: 0n,
  endTimeUnixNano: 0n,
  blank: true,
};

/** Resource attributes and, per scope, the span IDs: what the batch-level rules decide. */
function shape(resourceSpans: OtlpResourceSpans[]) {
  return resourceSpans.map((rs) => ({
    resource: Object.fromEntries(rs.resource.map((kv) => [kv.key, Object.values(kv.value)[0]])),
    scopes: rs.scopeSpans.map((ss) => ({ ...ss.scope, spans: ss.spans.map((s) => s.spanId.slice(-1)) })),
  }));
}

const SDK_PROCESS: JaegerProcess = {
  serviceName: 'checkout',
  tags: [
    str('hostname', 'web-1'),
    str('jaeger.version', 'Node-3.19.0'),
    str('ip', '10.0.0.7'),
    str('client-uuid', 'abc'),
  ],
};

describe('the process becomes the resource', () => {
  it.each([
    ['thrift', thriftBatchToOtlp],
    ['protobuf', protoBatchToOtlp],
  ] as const)(
    '%s: service.name, tags, hostname → host.name, jaeger.version → opencensus.exporterversion',
    (_n, translate) => {
      const [rs] = translate({ process: SDK_PROCESS, spans: [span(1n)] });
      // Each rename appends the new key and moves the last attribute into the old one's place.
      expect(rs.resource).toEqual([
        { key: 'service.name', value: { string: 'checkout' } },
        { key: 'host.name', value: { string: 'web-1' } },
        { key: 'opencensus.exporterversion', value: { string: 'Jaeger-Node-3.19.0' } },
        { key: 'ip', value: { string: '10.0.0.7' } },
        { key: 'client-uuid', value: { string: 'abc' } },
      ]);
    },
  );

  it('hostname stays when host.name is set; an empty service name with no tags is an empty resource', () => {
    const withHost = thriftBatchToOtlp({
      process: { serviceName: 'a', tags: [str('hostname', 'h'), str('host.name', 'H')] },
      spans: [span(1n)],
    });
    expect(shape(withHost)[0].resource).toEqual({ 'service.name': 'a', hostname: 'h', 'host.name': 'H' });
    expect(
      thriftBatchToOtlp({ process: { serviceName: '', tags: undefined }, spans: [span(1n)] })[0].resource,
    ).toEqual([]);
    expect(
      shape(thriftBatchToOtlp({ process: { serviceName: '', tags: [str('k', 'v')] }, spans: [] })),
    ).toEqual([{ resource: { k: 'v' }, scopes: [] }]);
  });

  it('the OTLPResourceNoServiceName placeholder: kept by Thrift, an empty resource in protobuf', () => {
    const process = { serviceName: 'OTLPResourceNoServiceName', tags: [str('k', 'v')] };
    expect(shape(thriftBatchToOtlp({ process, spans: [span(1n)] }))[0].resource).toEqual({
      'service.name': 'OTLPResourceNoServiceName',
      k: 'v',
    });
    expect(shape(protoBatchToOtlp({ process, spans: [span(1n)] }))[0].resource).toEqual({});
  });
});

describe('batch-level differences between the Thrift and protobuf translators', () => {
  it('blank spans are dropped by both', () => {
    expect(shape(thriftBatchToOtlp({ process: SDK_PROCESS, spans: [BLANK, span(2n)] }))[0].scopes).toEqual([
      { name: '', version: '', spans: ['2'] },
    ]);
    expect(shape(protoBatchToOtlp({ process: SDK_PROCESS, spans: [BLANK, span(2n)] }))[0].scopes).toEqual([
      { name: '', version: '', spans: ['2'] },
    ]);
  });

  it('protobuf: a span with its own process gets its own resource; equal processes share one', () => {
    const other = { serviceName: 'payments', tags: [str('k', 'v')] };
    const sameAsOther = { serviceName: 'payments', tags: [str('k', 'v')] };
    const out = protoBatchToOtlp({
      process: { serviceName: 'checkout', tags: undefined },
      spans: [span(1n, { process: other }), span(2n), span(3n, { process: sameAsOther })],
    });
    expect(shape(out)).toEqual([
      { resource: { 'service.name': 'checkout' }, scopes: [{ name: '', version: '', spans: ['2'] }] },
      {
        resource: { 'service.name': 'payments', k: 'v' },
        scopes: [{ name: '', version: '', spans: ['1', '3'] }],
      },
    ]);
  });

  it('protobuf: otel.scope.name and otel.scope.version name the scope; Thrift keeps them as attributes', () => {
    const scoped = (id: bigint, name: string, version?: string) =>
      span(id, {
        tags: [
          str('otel.scope.name', name),
          ...(version ? [str('otel.scope.version', version)] : []),
          str('a', 'b'),
        ],
      });
    const spans = () => [scoped(1n, 'http', '1.2'), span(2n), scoped(3n, 'http', '1.2'), scoped(4n, 'db')];
    const proto = protoBatchToOtlp({ process: SDK_PROCESS, spans: spans() });
    expect(shape(proto)[0].scopes).toEqual([
      { name: 'http', version: '1.2', spans: ['1', '3'] },
      { name: '', version: '', spans: ['2'] },
      { name: 'db', version: '', spans: ['4'] },
    ]);
    expect(proto[0].scopeSpans[0].spans[0].attributes).toEqual([{ key: 'a', value: { string: 'b' } }]);
    const thrift = thriftBatchToOtlp({ process: SDK_PROCESS, spans: spans() });
    expect(thrift[0].scopeSpans).toHaveLength(1);
    expect(thrift[0].scopeSpans[0].spans[0].attributes.map((kv) => kv.key)).toEqual([
      'otel.scope.name',
      'otel.scope.version',
      'a',
    ]);
  });

  it('protobuf: otel.scope.version alone is only an attribute', () => {
    const out = protoBatchToOtlp({
      process: SDK_PROCESS,
      spans: [span(1n, { tags: [str('otel.scope.version', '9')] })],
    });
    expect(out[0].scopeSpans[0].scope).toEqual({ name: '', version: '' });
    expect(out[0].scopeSpans[0].spans[0].attributes).toEqual([
      { key: 'otel.scope.version', value: { string: '9' } },
    ]);
  });

  it('w3c.tracestate: the trace state in protobuf, an attribute in Thrift', () => {
    const spans = () => [span(1n, { tags: [str('w3c.tracestate', 'vendor=1')] })];
    const proto = protoBatchToOtlp({ process: SDK_PROCESS, spans: spans() })[0].scopeSpans[0].spans[0];
    expect([proto.traceState, proto.attributes]).toEqual(['vendor=1', []]);
    const thrift = thriftBatchToOtlp({ process: SDK_PROCESS, spans: spans() })[0].scopeSpans[0].spans[0];
    expect([thrift.traceState, thrift.attributes]).toEqual([
      '',
      [{ key: 'w3c.tracestate', value: { string: 'vendor=1' } }],
    ]);
  });

  it('an empty batch: Thrift keeps the resource, protobuf without a process has nothing', () => {
    expect(shape(thriftBatchToOtlp({ process: SDK_PROCESS, spans: [] }))).toHaveLength(1);
    expect(protoBatchToOtlp({ process: undefined, spans: [] })).toEqual([]);
  });
});
