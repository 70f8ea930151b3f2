import {
  encodeTraceRequest,
  newSpanId,
  newTraceId,
  type ResourceSpec,
  type SpanSpec,
  simpleSpan,
} from '../integration/support/otlp-request';
import { otlpProtoTypes } from '../otlp/protobuf-root';
import { forEachSpan } from '../otlp/span-visitor';
import { compileSamplingPolicies, type SamplingDecision, type SamplingPolicies } from './policies';
import type { TraceSummary } from './summary';

/**
 * Test inputs as the ingester will see them: real OTLP protobuf request bodies, walked by the
 * real `forEachSpan`, every span observed into one summary.
 */

export { newTraceId, simpleSpan };

/** Observes every span of the request bodies, in order, into `summary` (a new one by default). */
export function observeBodies(
  policies: SamplingPolicies,
  bodies: Uint8Array[],
  nowMs = 0,
  summary: TraceSummary = policies.newSummary(),
): TraceSummary {
  for (const body of bodies) forEachSpan(body, (span) => policies.observe(summary, span, nowMs));
  return summary;
}

export function observe(policies: SamplingPolicies, resources: ResourceSpec[], nowMs = 0): TraceSummary {
  return observeBodies(policies, [encodeTraceRequest(resources)], nowMs);
}

/** Compiles `rawPolicies`, observes one trace of these resources and decides it. */
export function decideTrace(
  rawPolicies: unknown,
  resources: ResourceSpec[],
  traceId: Uint8Array = newTraceId(),
): SamplingDecision {
  const policies = compileSamplingPolicies(rawPolicies);
  return policies.decide(observe(policies, resources), traceId, 0);
}

/** One resource (service `svc`) holding the spans. */
export function oneResource(spans: SpanSpec[], attributes: ResourceSpec['attributes'] = {}): ResourceSpec[] {
  return [{ service: 'svc', attributes, spans }];
}

/** `n` spans of trace `traceId`, starting 1 ms apart, 5 ms long unless `extra` says otherwise. */
export function spans(traceId: Uint8Array, n: number, extra: Partial<SpanSpec> = {}): SpanSpec[] {
  return Array.from({ length: n }, (_, i) => simpleSpan(traceId, `op-${i}`, 1_700_000_000_000 + i, extra));
}

/**
 * A request whose spans carry a W3C `trace_state` (the test encoder has no such field), encoded
 * by protobufjs from the OTLP .proto files.
 */
export function bodyWithTraceStates(traceId: Uint8Array, traceStates: string[]): Uint8Array {
  const { ExportTraceServiceRequest } = otlpProtoTypes();
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        scopeSpans: [
          {
            spans: traceStates.map((traceState, i) => ({
              traceId,
              spanId: newSpanId(),
              traceState,
              name: `op-${i}`,
              startTimeUnixNano: 1_700_000_000_000_000_000n.toString(),
              endTimeUnixNano: 1_700_000_000_005_000_000n.toString(),
            })),
          },
        ],
      },
    ],
  });
  return ExportTraceServiceRequest.encode(message).finish();
}
