import type { ParsedTrace, Resource, Span } from '../src/trace/model/types';

/**
 * Test helper: a ParsedTrace from compact rows `[spanId, parentId, service, startMs, durationMs]`,
 * so unit tests can describe trees in a line each.
 */
export function traceOf(
  rows: [
    id: string,
    parent: string,
    service: string,
    startMs: number,
    durationMs: number,
    extra?: Partial<Span>,
  ][],
): ParsedTrace {
  const resources = new Map<string, Resource>();
  const spans = rows.map(([spanId, parentSpanId, service, startMs, durationMs, extra]): Span => {
    let resource = resources.get(service);
    if (!resource) {
      resource = {
        serviceName: service,
        attributes: [{ key: 'service.name', value: { stringValue: service } }],
      };
      resources.set(service, resource);
    }
    return {
      traceId: 'ab'.repeat(16),
      spanId,
      parentSpanId,
      name: `op-${spanId}`,
      kind: 'INTERNAL',
      statusCode: 'UNSET',
      statusMessage: '',
      startNs: startMs * 1e6,
      durationNs: durationMs * 1e6,
      attributes: [],
      events: [],
      links: [],
      resource,
      scope: { name: '', version: '' },
      ...extra,
    };
  });
  return { traceId: 'ab'.repeat(16), baseSec: 1_700_000_000, spans, format: 'otlp' };
}

/**
 * A trace of `count` spans for scale tests, built directly (no JSON): span i's parent is
 * (i - 1) / fanOut; fanOut 1 makes a single chain `count` levels deep.
 */
export function syntheticTrace(count: number, fanOut: number): ParsedTrace {
  const resources: Resource[] = Array.from({ length: 10 }, (_, s) => ({
    serviceName: `svc-${s}`,
    attributes: [],
  }));
  const spans: Span[] = new Array(count);
  for (let i = 0; i < count; i++) {
    spans[i] = {
      traceId: 'cd'.repeat(16),
      spanId: (i + 1).toString(16).padStart(16, '0'),
      parentSpanId: i === 0 ? '' : (Math.floor((i - 1) / fanOut) + 1).toString(16).padStart(16, '0'),
      name: `op-${i % 50}`,
      kind: 'INTERNAL',
      statusCode: i > 0 && i % 1000 === 0 ? 'ERROR' : 'UNSET',
      statusMessage: '',
      startNs: i * 1000,
      durationNs: 1000,
      attributes: [{ key: 'shard', value: { stringValue: `s${i % 16}` } }],
      events: [],
      links: [],
      resource: resources[i % resources.length],
      scope: { name: '', version: '' },
    };
  }
  return { traceId: 'cd'.repeat(16), baseSec: 1_700_000_000, spans, format: 'otlp' };
}
