import { describe, expect, it } from 'vitest';
import { otlpProtoTypes } from '../otlp/protobuf-root';
import type { SampleBatch } from '../series-model/sample-batch';
import { testConfig } from '../testing/test-config';
import { MetricsGenerator } from './metrics-generator';
import type { GeneratorConfig } from './metrics-generator-config';

interface SpanSpec {
  service: string;
  trace: number;
  span: number;
  parent?: number;
  kind: number;
  ms: number;
  error?: boolean;
  name?: string;
  attributes?: Record<string, string>;
  statusMessage?: string;
}

const id = (n: number, bytes: number) => Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex');

/** An ExportTraceServiceRequest with one resource per span, encoded by protobufjs. */
function request(spans: SpanSpec[]): Uint8Array {
  const { ExportTraceServiceRequest } = otlpProtoTypes();
  const start = 1_700_000_000_000_000_000n;
  return ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject({
      resourceSpans: spans.map((s) => ({
        resource: { attributes: [{ key: 'service.name', value: { stringValue: s.service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: id(s.trace, 16),
                spanId: id(s.span, 8),
                parentSpanId: s.parent ? id(s.parent, 8) : undefined,
                name: s.name ?? `${s.service}-op`,
                attributes: Object.entries(s.attributes ?? {}).map(([key, stringValue]) => ({
                  key,
                  value: { stringValue },
                })),
                kind: s.kind,
                startTimeUnixNano: start.toString(),
                endTimeUnixNano: (start + BigInt(s.ms) * 1_000_000n).toString(),
                status:
                  s.error || s.statusMessage
                    ? { code: s.error ? 2 : 0, message: s.statusMessage }
                    : undefined,
              },
            ],
          },
        ],
      })),
    }),
  ).finish();
}

function newGenerator(overrides: Partial<GeneratorConfig> = {}) {
  const dropped: number[] = [];
  const truncated: number[] = [];
  const config = testConfig().metrics.generator;
  const generator = new MetricsGenerator(
    { ...config, serviceGraphs: { ...config.serviceGraphs, waitMs: 1000 }, ...overrides },
    1000,
    {
      onSeriesDropped: (_t, n) => dropped.push(n),
      onEdgeDropped: () => {},
      onLabelValuesTruncated: (_t, n) => truncated.push(n),
    },
  );
  return { generator, dropped, truncated };
}

function latestValue(
  batch: SampleBatch | undefined,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const s = batch?.series.find(
    (x) => x.labels.__name__ === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
  return s?.values.at(-1);
}

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;

describe('metrics generator', () => {
  it('pairs producer and consumer spans as a messaging edge, whichever arrives first', () => {
    const { generator } = newGenerator();
    generator.observe(
      't',
      request([{ service: 'worker', trace: 1, span: 2, parent: 1, kind: CONSUMER, ms: 30 }]),
      0,
    );
    generator.observe('t', request([{ service: 'api', trace: 1, span: 1, kind: PRODUCER, ms: 2 }]), 10);
    const batch = generator.collect(20).get('t');
    expect(
      latestValue(batch, 'traces_service_graph_request_total', {
        client: 'api',
        server: 'worker',
        connection_type: 'messaging_system',
      }),
    ).toBe(1);
  });

  it('counts a lone root server span as called by the virtual user node once its wait is over', () => {
    const { generator } = newGenerator();
    generator.observe('t', request([{ service: 'frontend', trace: 7, span: 1, kind: SERVER, ms: 5 }]), 0);
    generator.expireEdges(500);
    expect(
      latestValue(generator.collect(600).get('t'), 'traces_service_graph_request_total'),
    ).toBeUndefined();
    generator.expireEdges(1001);
    const batch = generator.collect(1100).get('t');
    expect(
      latestValue(batch, 'traces_service_graph_request_total', {
        client: 'user',
        server: 'frontend',
        connection_type: 'virtual_node',
      }),
    ).toBe(1);
  });

  it('forgets an unpaired client span after the wait, without an edge', () => {
    const { generator } = newGenerator();
    generator.observe(
      't',
      request([{ service: 'api', trace: 3, span: 9, parent: 8, kind: CLIENT, ms: 5 }]),
      0,
    );
    generator.expireEdges(2000);
    const batch = generator.collect(2100).get('t');
    expect(batch?.series.some((s) => s.labels.__name__?.startsWith('traces_service_graph'))).toBe(false);
  });

  it('samples a new series with a 0 first, then its count; exemplars go out once per collection', () => {
    const { generator } = newGenerator();
    const spans = [1, 2, 3].map((n) => ({ service: 'api', trace: n, span: n, kind: SERVER, ms: 100 }));
    generator.observe('t', request(spans), 1000);
    const first = generator.collect(2000).get('t')!;
    const calls = first.series.find((s) => s.labels.__name__ === 'traces_spanmetrics_calls_total')!;
    expect([calls.timestamps, calls.values]).toEqual([
      [1999, 2000],
      [0, 3],
    ]);
    const bucket = first.series.find((s) => s.labels.le === '0.128')!;
    // The first span into the bucket is its exemplar for this collection.
    expect(bucket.exemplars?.map((e) => e.labels.traceID)).toEqual([id(1, 16).toString('hex')]);
    const second = generator.collect(3000).get('t')!;
    expect(second.series.find((s) => s.labels.le === '0.128')!.exemplars).toBeUndefined();
  });

  it('drops series idle past stale_duration and starts them again from 0', () => {
    const { generator } = newGenerator();
    const stale = testConfig().metrics.generator.staleDurationMs;
    generator.observe('t', request([{ service: 'api', trace: 1, span: 1, kind: SERVER, ms: 1 }]), 0);
    generator.collect(10);
    expect(generator.collect(stale + 10).get('t')).toBeUndefined();
    expect(generator.registry.activeSeries('t')).toBe(0);
    generator.observe('t', request([{ service: 'api', trace: 2, span: 2, kind: SERVER, ms: 1 }]), stale + 20);
    expect(latestValue(generator.collect(stale + 30).get('t'), 'traces_spanmetrics_calls_total')).toBe(1);
  });

  it('cuts label values and names to the registry limits, counting the values cut', () => {
    const config = testConfig().metrics.generator;
    const { generator, truncated } = newGenerator({
      maxLabelNameLength: 12,
      maxLabelValueLength: 16,
      spanMetrics: { ...config.spanMetrics, dimensions: ['deployment.environment.name'] },
    });
    const longService = `checkout-${'s'.repeat(10_000)}`;
    const spans = [1, 2].map((n) => ({
      service: longService,
      trace: n,
      span: n,
      kind: SERVER,
      ms: 1,
      // 'é' is 2 bytes: 8 of them fill the 16-byte limit exactly.
      name: 'é'.repeat(9),
      attributes: {
        'deployment.environment.name': 'production-eu-west-1',
        'not.a.label': 'x'.repeat(10_000),
      },
      // Not a label (status_message is off): neither kept nor counted.
      statusMessage: 'm'.repeat(10_000),
    }));
    generator.observe('t', request(spans), 0);
    const calls = generator
      .collect(10)
      .get('t')!
      .series.filter((s) => s.labels.__name__ === 'traces_spanmetrics_calls_total');
    expect(calls.map((s) => [s.labels, s.values.at(-1)])).toEqual([
      [
        {
          __name__: 'traces_spanmetrics_calls_total',
          service: longService.slice(0, 16),
          span_name: 'é'.repeat(8),
          span_kind: 'SPAN_KIND_SERVER',
          status_code: 'STATUS_CODE_UNSET',
          deployment_e: 'production-eu-we',
        },
        2,
      ],
    ]);
    // Per request: the service once (a resource per span here, so twice), names and dimensions per span.
    expect(truncated).toEqual([6]);
  });
});
