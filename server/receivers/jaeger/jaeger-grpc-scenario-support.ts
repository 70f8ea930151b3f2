import { randomBytes } from 'node:crypto';
import type { FlatSpan } from '../../integration/support/tempo-json';

/**
 * The gRPC scenario of `server/integration/jaeger-receivers.test.ts`: a `PostSpansRequest` of
 * three spans (a server span with an instrumentation scope, a trace state and typed tags; a
 * CHILD_OF client span with an error status and a log; a producer span with its own process, an
 * `error` tag and a FOLLOWS_FROM link into another trace), and each span as Tempo's API must
 * answer it (the flattened form of `server/integration/support/tempo-json.ts`).
 */

const hex = (bytes: Buffer) => bytes.toString('hex');
const ns = (t: bigint) => ({ seconds: Number(t / 1_000_000_000n), nanos: Number(t % 1_000_000_000n) });
const str = (key: string, vStr: string) => ({ key, vStr });

export interface GrpcScenario {
  /** `PostSpansRequest` as a plain object, for protobufjs. */
  request: Record<string, unknown>;
  traceId: string;
  /** Sorted by span ID, as the flattened answer is. */
  expected: FlatSpan[];
  /** The trace state the server span must carry. */
  traceState: string;
}

/** Fresh IDs each call; times a minute ago, to the nanosecond. */
export function grpcScenario(): GrpcScenario {
  const traceId = randomBytes(16);
  const [a, b, c, other] = [randomBytes(8), randomBytes(8), randomBytes(8), randomBytes(8)];
  const otherTrace = randomBytes(16);
  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n + 123n;
  const request = {
    batch: {
      process: { serviceName: 'inventory', tags: [str('hostname', 'db-7'), str('pod', 'inv-0')] },
      spans: [
        {
          traceId,
          spanId: a,
          operationName: 'reserve',
          startTime: ns(t0),
          duration: { seconds: 0, nanos: 250_000_000 },
          tags: [
            str('span.kind', 'server'),
            str('otel.scope.name', 'inventory-http'),
            str('otel.scope.version', '2.1.0'),
            str('w3c.tracestate', 'vendor=abc'),
            { key: 'items', vType: 2, vInt64: 3 },
            { key: 'weight', vType: 3, vFloat64: 1.5 },
          ],
        },
        {
          traceId,
          spanId: b,
          operationName: 'SELECT stock',
          references: [{ traceId, spanId: a, refType: 0 }],
          startTime: ns(t0 + 10_000_000n),
          duration: { nanos: 20_000_000 },
          tags: [
            str('span.kind', 'client'),
            str('otel.status_code', 'ERROR'),
            str('otel.status_description', 'deadlock'),
          ],
          logs: [
            {
              timestamp: ns(t0 + 15_000_000n),
              fields: [str('event', 'retry'), { key: 'attempt', vType: 2, vInt64: 1 }],
            },
          ],
        },
        {
          traceId,
          spanId: c,
          operationName: 'publish',
          references: [
            { traceId, spanId: a, refType: 0 },
            { traceId: otherTrace, spanId: other, refType: 1 },
          ],
          startTime: ns(t0 + 40_000_000n),
          duration: { nanos: 5_000_000 },
          process: { serviceName: 'notifier', tags: [str('queue', 'orders')] },
          tags: [str('span.kind', 'producer'), { key: 'error', vType: 1, vBool: true }],
        },
      ],
    },
  };
  const inventory = {
    service: 'inventory',
    resource: {
      'service.name': { string: 'inventory' },
      'host.name': { string: 'db-7' },
      pod: { string: 'inv-0' },
    },
  };
  const base = {
    traceId: hex(traceId),
    events: [],
    links: [],
    attributes: {},
    status: { code: 'STATUS_CODE_UNSET', message: '' },
    scope: { name: '', version: '' },
  };
  const during = (start: bigint, end: bigint) => ({
    startTimeUnixNano: String(start),
    endTimeUnixNano: String(end),
  });
  const expected: FlatSpan[] = [
    {
      ...inventory,
      ...base,
      scope: { name: 'inventory-http', version: '2.1.0' },
      spanId: hex(a),
      parentSpanId: '',
      name: 'reserve',
      kind: 'SPAN_KIND_SERVER',
      ...during(t0, t0 + 250_000_000n),
      attributes: { items: { int: '3' }, weight: { double: 1.5 } },
    },
    {
      ...inventory,
      ...base,
      spanId: hex(b),
      parentSpanId: hex(a),
      name: 'SELECT stock',
      kind: 'SPAN_KIND_CLIENT',
      ...during(t0 + 10_000_000n, t0 + 30_000_000n),
      events: [
        { name: 'retry', timeUnixNano: String(t0 + 15_000_000n), attributes: { attempt: { int: '1' } } },
      ],
      status: { code: 'STATUS_CODE_ERROR', message: 'deadlock' },
    },
    {
      ...base,
      service: 'notifier',
      resource: { 'service.name': { string: 'notifier' }, queue: { string: 'orders' } },
      spanId: hex(c),
      parentSpanId: hex(a),
      name: 'publish',
      kind: 'SPAN_KIND_PRODUCER',
      ...during(t0 + 40_000_000n, t0 + 45_000_000n),
      links: [
        {
          traceId: hex(otherTrace),
          spanId: hex(other),
          attributes: { 'opentracing.ref_type': { string: 'follows_from' } },
        },
      ],
      status: { code: 'STATUS_CODE_ERROR', message: '' },
    },
  ];
  return {
    request,
    traceId: hex(traceId),
    expected: expected.sort((x, y) => x.spanId.localeCompare(y.spanId)),
    traceState: 'vendor=abc',
  };
}
