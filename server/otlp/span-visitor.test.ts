import { type AttributeCursor, type LabelValueReading, utf8Key } from './attribute-cursor';
import { AttributeLookup } from './attribute-lookup';
import { ProtoWriter } from './proto-writer';
import { otlpProtoTypes } from './protobuf-root';
import { forEachSpan, type SpanView } from './span-visitor';
import { ANY_VALUE, RESOURCE_SPANS, SCOPE_SPANS, TRACES_DATA } from './trace-fields';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const hex = (h: string) => Buffer.from(h, 'hex');
const START = 1_700_000_000_123_456_789n;

/*
 * request
 * ├─ resource: service.name=checkout, deployment.environment=prod, host.name=h1
 * │  └─ scope io.test.http 1.0 (scope.kind=http)
 * │     ├─ span 01…01 "GET /cart" SERVER, root, status ERROR "boom", 2 events,
 * │     │  deployment.environment=canary (the span's own wins over the resource's)
 * │     └─ span 02…02 "SELECT cart" CLIENT, parent 01…01, one attribute of each AnyValue type
 * └─ resource: service.name=payment-service-eu (past an 8-byte cap), no scope
 *    └─ span 03…03 "charge" INTERNAL, parent all zeros (a root too), no status, no end time
 */
function request(): Uint8Array {
  const { ExportTraceServiceRequest } = otlpProtoTypes();
  const str = (key: string, stringValue: string) => ({ key, value: { stringValue } });
  return ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          resource: {
            attributes: [
              str('service.name', 'checkout'),
              str('deployment.environment', 'prod'),
              str('host.name', 'h1'),
            ],
          },
          scopeSpans: [
            {
              scope: { name: 'io.test.http', version: '1.0', attributes: [str('scope.kind', 'http')] },
              spans: [
                {
                  traceId: hex(TRACE),
                  spanId: hex('0101010101010101'),
                  name: 'GET /cart',
                  kind: 2,
                  startTimeUnixNano: START.toString(),
                  endTimeUnixNano: (START + 2_500_000n).toString(),
                  attributes: [str('deployment.environment', 'canary'), str('http.route', '/cart')],
                  events: [
                    {
                      timeUnixNano: START.toString(),
                      name: 'exception',
                      attributes: [str('exception.type', 'E')],
                    },
                    { timeUnixNano: START.toString(), name: 'retry' },
                  ],
                  status: { code: 2, message: 'boom' },
                },
                {
                  traceId: hex(TRACE),
                  spanId: hex('0202020202020202'),
                  parentSpanId: hex('0101010101010101'),
                  name: 'SELECT cart',
                  kind: 3,
                  startTimeUnixNano: (START + 1_000n).toString(),
                  endTimeUnixNano: (START + 1_000_000n).toString(),
                  attributes: [
                    str('s', 'text'),
                    { key: 'b', value: { boolValue: true } },
                    { key: 'i', value: { intValue: '-9007199254740993' } },
                    { key: 'd', value: { doubleValue: 1.5 } },
                    {
                      key: 'a',
                      value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } },
                    },
                    { key: 'kv', value: { kvlistValue: { values: [str('inner', 'y')] } } },
                    { key: 'by', value: { bytesValue: Buffer.from([0xde, 0xad]) } },
                    { key: 'empty', value: {} },
                    { key: 'none' },
                  ],
                },
              ],
            },
          ],
        },
        {
          resource: { attributes: [str('service.name', 'payment-service-eu')] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: hex(TRACE),
                  spanId: hex('0303030303030303'),
                  parentSpanId: Buffer.alloc(8),
                  name: 'charge',
                  kind: 1,
                  startTimeUnixNano: START.toString(),
                },
              ],
            },
          ],
        },
      ],
    }),
  ).finish();
}

/** Everything a test looks at of one span, copied (the view is reused). */
function snapshot(span: SpanView) {
  return {
    service: span.service,
    name: span.name,
    kind: span.kind,
    statusCode: span.statusCode,
    statusMessage: span.statusMessage,
    traceId: span.idHex(span.traceIdAt, span.traceIdLength),
    spanId: span.idHex(span.spanIdAt, span.spanIdLength),
    parentId: span.idHex(span.parentAt, span.parentLength),
    root: span.isRoot(),
    start: span.startUnixNano(),
    end: span.endUnixNano(),
    durationNanos: span.durationNanos,
    resourceKey: span.resourceKey,
  };
}

const texts = (a: AttributeCursor, reading: LabelValueReading) => {
  const out: [string, string][] = [];
  while (a.next()) out.push([a.key(), a.valueText(reading)]);
  return out;
};

const allOfIt = (): LabelValueReading => ({ maxBytes: 0, statusMessage: true, truncated: 0 });

function visit(body: Uint8Array, reading: LabelValueReading = allOfIt()) {
  const spans: ReturnType<typeof snapshot>[] = [];
  forEachSpan(body, (span) => spans.push(snapshot(span)), reading);
  return spans;
}

describe('forEachSpan', () => {
  it('hands over every span with its intrinsics, across resources', () => {
    const spans = visit(request());
    expect(spans.map(({ resourceKey: _, ...rest }) => rest)).toEqual([
      {
        service: 'checkout',
        name: 'GET /cart',
        kind: 2,
        statusCode: 2,
        statusMessage: 'boom',
        traceId: TRACE,
        spanId: '0101010101010101',
        parentId: '',
        root: true,
        start: START,
        end: START + 2_500_000n,
        durationNanos: 2_500_000,
      },
      {
        service: 'checkout',
        name: 'SELECT cart',
        kind: 3,
        statusCode: 0,
        statusMessage: '',
        traceId: TRACE,
        spanId: '0202020202020202',
        parentId: '0101010101010101',
        root: false,
        start: START + 1_000n,
        end: START + 1_000_000n,
        durationNanos: 999_000,
      },
      {
        service: 'payment-service-eu',
        name: 'charge',
        kind: 1,
        statusCode: 0,
        statusMessage: '',
        traceId: TRACE,
        spanId: '0303030303030303',
        parentId: '0000000000000000',
        root: true,
        start: START,
        end: 0n,
        durationNanos: 0,
      },
    ]);
    const [a, b, c] = spans.map((s) => s.resourceKey);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    // Unique across walks too: a cache keyed on it never mixes two requests up.
    expect(visit(request())[0].resourceKey).toBeGreaterThan(c);
  });

  it('gives times in milliseconds as well', () => {
    const ms: number[] = [];
    forEachSpan(request(), (span) => ms.push(span.startUnixMs(), span.endUnixMs()));
    expect(ms.slice(0, 2)).toEqual([Number(START) / 1e6, Number(START + 2_500_000n) / 1e6]);
    expect(ms[5]).toBe(0);
  });

  it('walks the span, resource and scope attributes, and only them (not the events)', () => {
    const reading = allOfIt();
    const seen: Record<string, [string, string][]>[] = [];
    forEachSpan(request(), (span) => {
      seen.push({
        span: texts(span.spanAttributes(), reading),
        resource: texts(span.resourceAttributes(), reading),
        scope: texts(span.scopeAttributes(), reading),
      });
    });
    expect(seen[0]).toEqual({
      span: [
        ['deployment.environment', 'canary'],
        ['http.route', '/cart'],
      ],
      resource: [
        ['service.name', 'checkout'],
        ['deployment.environment', 'prod'],
        ['host.name', 'h1'],
      ],
      scope: [['scope.kind', 'http']],
    });
    expect(seen[1].span).toEqual([
      ['s', 'text'],
      ['b', 'true'],
      ['i', '-9007199254740993'],
      ['d', '1.5'],
      ['a', ''],
      ['kv', ''],
      ['by', ''],
      ['empty', ''],
      ['none', ''],
    ]);
    expect(seen[2]).toEqual({ span: [], resource: [['service.name', 'payment-service-eu']], scope: [] });
  });

  it('reads each AnyValue type as its own type', () => {
    const values: Record<string, unknown> = {};
    const F = ANY_VALUE.field;
    forEachSpan(request(), (span) => {
      if (span.name !== 'SELECT cart') return;
      for (const a = span.spanAttributes(); a.next(); ) {
        const type = a.valueType();
        const key = a.key();
        if (type === F.string_value) values[key] = a.stringValue();
        else if (type === F.bool_value) values[key] = a.boolValue();
        else if (type === F.int_value) values[key] = a.intValue();
        else if (type === F.double_value) values[key] = a.doubleValue();
        else if (type === F.bytes_value) values[key] = a.bytesValue()?.toString('hex');
        else values[key] = { type, bytes: a.valueEnd < 0 ? -1 : a.valueEnd - a.valueAt };
        // A getter of another type gives that type's zero value.
        if (type !== F.string_value) expect(a.stringValue()).toBe('');
        if (type !== F.int_value) expect(a.intValue()).toBe(0n);
        if (type !== F.bytes_value) expect(a.bytesValue()).toBeUndefined();
      }
    });
    expect(values).toEqual({
      s: 'text',
      b: true,
      i: -9007199254740993n,
      d: 1.5,
      a: { type: F.array_value, bytes: expect.any(Number) },
      kv: { type: F.kvlist_value, bytes: expect.any(Number) },
      by: 'dead',
      empty: { type: 0, bytes: 0 },
      none: { type: 0, bytes: -1 },
    });
  });

  it('matches keys by their bytes', () => {
    const keys = [utf8Key('http.route'), utf8Key('deployment.environment')];
    const found: number[] = [];
    forEachSpan(request(), (span) => {
      for (const a = span.spanAttributes(); a.next(); ) found.push(a.indexOfKey(keys));
    });
    expect(found.slice(0, 2)).toEqual([1, 0]);
    expect(found.slice(2).every((i) => i === -1)).toBe(true);
  });

  it('cuts texts to the cap, counting each cut once (the service once per resource)', () => {
    const reading: LabelValueReading = { maxBytes: 8, statusMessage: false, truncated: 0 };
    const spans = visit(request(), reading);
    expect(spans.map((s) => [s.service, s.name, s.statusMessage])).toEqual([
      ['checkout', 'GET /car', ''],
      ['checkout', 'SELECT c', ''],
      ['payment-', 'charge', ''],
    ]);
    // Two span names and one service name; the status message is not read at all.
    expect(reading.truncated).toBe(3);
  });

  it('finds a resource and a scope written after their spans, and skips unknown fields', () => {
    const w = new ProtoWriter();
    const attribute = (field: number, key: string, value: string) =>
      w
        .openMessage(field)
        .stringField(1, key)
        .openMessage(2)
        .stringField(1, value)
        .closeMessage()
        .closeMessage();
    w.openMessage(TRACES_DATA.field.resource_spans);
    w.openMessage(RESOURCE_SPANS.field.scope_spans)
      .openMessage(SCOPE_SPANS.field.spans)
      .bytesField(1, hex(TRACE))
      .bytesField(2, hex('0404040404040404'))
      .varintField(99, 7)
      .stringField(5, 'late')
      .closeMessage();
    w.openMessage(SCOPE_SPANS.field.scope).stringField(1, 'late.scope');
    attribute(3, 'scope.kind', 'late');
    w.closeMessage().closeMessage();
    w.openMessage(RESOURCE_SPANS.field.resource);
    attribute(1, 'service.name', 'latecomer');
    w.closeMessage().closeMessage();
    w.stringField(42, 'unknown top-level field');

    const seen: unknown[] = [];
    forEachSpan(w.finish(), (span) => {
      seen.push([span.service, span.name, texts(span.scopeAttributes(), allOfIt())]);
    });
    expect(seen).toEqual([['latecomer', 'late', [['scope.kind', 'late']]]]);
  });
});

describe('AttributeLookup', () => {
  it("gives the span's value, else its resource's, else ''", () => {
    const lookup = new AttributeLookup(['deployment.environment', 'host.name', 'http.route', 'missing']);
    const rows: string[][] = [];
    forEachSpan(request(), (span) => rows.push([...lookup.read(span, allOfIt())]));
    expect(rows).toEqual([
      ['canary', 'h1', '/cart', ''],
      ['prod', 'h1', '', ''],
      ['', '', '', ''],
    ]);
  });

  it('reads a resource once for its spans, and service.name once with the visitor', () => {
    const reading: LabelValueReading = { maxBytes: 3, statusMessage: false, truncated: 0 };
    const lookup = new AttributeLookup(['service.name', 'deployment.environment']);
    const rows: string[][] = [];
    forEachSpan(request(), (span) => rows.push([...lookup.read(span, reading)]), reading);
    expect(rows).toEqual([
      ['che', 'can'],
      ['che', 'pro'],
      ['pay', ''],
    ]);
    // Services: 2 (one per resource, not again as a dimension); span names: 3; 'canary': 1;
    // the resource's 'prod': 1, for both spans.
    expect(reading.truncated).toBe(7);
  });
});
