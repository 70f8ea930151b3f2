import { describe, expect, it } from 'vitest';
import type { SkipReason } from '../self-metrics/exposition-text';
import { renderGeneratorMetrics } from './exposition';
import { GeneratorRegistry } from './generator-registry';
import { REQUEST_TOTAL, serviceGraphFamilies } from './service-graph';
import { CALLS_TOTAL, LATENCY, spanMetricsFamilies } from './span-metrics';

const BUCKETS = [0.1, 1];

/** Labels whose reading throws, as a label set too large for a string would. */
function unreadableLabels(): Record<string, string> {
  const labels: Record<string, string> = { service: 'broken' };
  Object.defineProperty(labels, 'span_name', {
    enumerable: true,
    get() {
      throw new RangeError('Invalid string length');
    },
  });
  return labels;
}

function render(registry: GeneratorRegistry, openMetrics = false) {
  const skipped: SkipReason[] = [];
  const text = [...renderGeneratorMetrics(registry, openMetrics, (reason) => skipped.push(reason))].join('');
  return { text, skipped: skipped.sort() };
}

describe('span metrics on /metrics', () => {
  it('renders every series on its own: one that is too large or fails is left out and reported', () => {
    const registry = new GeneratorRegistry(
      [...spanMetricsFamilies(BUCKETS), ...serviceGraphFamilies(BUCKETS)],
      1000,
      () => {},
    );
    const ok = registry.counter('t1', CALLS_TOTAL, 'ok', () => ({ service: 'checkout' }))!;
    ok.value = 3;
    registry.counter('t1', CALLS_TOTAL, 'huge', () => ({ service: 'x'.repeat(200_000) }))!.value = 1;
    registry.counter('t1', CALLS_TOTAL, 'broken', unreadableLabels)!.value = 1;
    const latency = registry.histogram('t1', LATENCY, 'ok', () => ({ service: 'checkout' }))!;
    GeneratorRegistry.observe(latency, BUCKETS, 0.05);
    // A family whose only series is left out gets no header at all.
    registry.counter('t2', REQUEST_TOTAL, 'huge', () => ({ client: 'y'.repeat(200_000), server: 'a' }));

    const { text, skipped } = render(registry);
    expect(skipped).toEqual(['error', 'too_large', 'too_large']);
    expect(text).toContain('# TYPE traces_spanmetrics_calls_total counter\n');
    expect(text).toContain('traces_spanmetrics_calls_total{tenant="t1",service="checkout"} 3\n');
    expect(text).toContain('traces_spanmetrics_latency_bucket{tenant="t1",service="checkout",le="0.1"} 1\n');
    expect(text).toContain('traces_spanmetrics_latency_count{tenant="t1",service="checkout"} 1\n');
    expect(text).not.toContain('xxxxxxxx');
    expect(text).not.toContain('traces_service_graph_request_total');
    expect(text.split('\n').filter((l) => l.startsWith('# TYPE'))).toHaveLength(2);
  });

  it('names counter families without _total in OpenMetrics, and keeps exemplars there', () => {
    const registry = new GeneratorRegistry(spanMetricsFamilies(BUCKETS), 1000, () => {});
    registry.counter('t1', CALLS_TOTAL, 'ok', () => ({ service: 'checkout' }))!.value = 1;
    const latency = registry.histogram('t1', LATENCY, 'ok', () => ({ service: 'checkout' }))!;
    const bucket = GeneratorRegistry.observe(latency, BUCKETS, 0.5);
    GeneratorRegistry.setExemplar(latency, bucket, {
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      value: 0.5,
      timestampMs: 1_700_000_000_000,
    });
    const { text } = render(registry, true);
    expect(text).toContain('# TYPE traces_spanmetrics_calls counter\n');
    expect(text).toContain(
      `traces_spanmetrics_latency_bucket{tenant="t1",service="checkout",le="1"} 1 # {traceID="${'ab'.repeat(16)}",spanID="${'cd'.repeat(8)}"} 0.5 1700000000.000\n`,
    );
  });
});
