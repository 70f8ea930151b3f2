import { describe, expect, it } from 'vitest';
import { encodeTraceRequest, newTraceId, simpleSpan } from '../integration/support/otlp-request';
import { OtlpDecodeError } from '../otlp/errors';
import type { TraceFragment } from '../otlp/split-traces';
import { SelfMetrics } from '../self-metrics/self-metrics';
import { Distributor, NoValidSpansError, type TraceSink } from './distributor';

/** A sink that takes everything, or refuses `refuse` spans of each push (a trace past its limit). */
class FakeSink implements TraceSink {
  readonly pushed: { tenantId: string; fragments: TraceFragment[] }[] = [];
  constructor(private readonly refuse = 0) {}
  async push(tenantId: string, fragments: TraceFragment[]) {
    this.pushed.push({ tenantId, fragments });
    const spans = fragments.reduce((n, f) => n + f.spanCount, 0);
    return { acceptedSpans: spans - this.refuse, refusedSpans: this.refuse };
  }
}

const value = async (metrics: SelfMetrics, name: keyof SelfMetrics, labels: Record<string, string>) => {
  const metric = metrics[name] as { get(): Promise<{ values: { labels: object; value: number }[] }> };
  const found = (await metric.get()).values.find((v) =>
    Object.entries(labels).every(([k, x]) => (v.labels as Record<string, string>)[k] === x),
  );
  return found?.value ?? 0;
};

describe('Distributor', () => {
  const traceA = newTraceId();
  const traceB = newTraceId();
  const now = Date.now();

  it('groups valid spans by trace, hands them to the sink, then tells observers', async () => {
    const sink = new FakeSink();
    const metrics = new SelfMetrics();
    const distributor = new Distributor(sink, metrics);
    const observed: string[] = [];
    distributor.addSpanObserver((tenantId) => observed.push(tenantId));
    const body = encodeTraceRequest([
      {
        service: 'a',
        spans: [simpleSpan(traceA, 'a1', now), simpleSpan(traceB, 'b1', now), simpleSpan(traceA, 'a2', now)],
      },
    ]);
    const outcome = await distributor.pushTraces('acme', body);
    expect(outcome).toEqual({ acceptedSpans: 3, rejectedSpans: 0, message: undefined });
    expect(sink.pushed[0].fragments.map((f) => [f.spanCount, f.key]).sort()).toEqual(
      [
        [2, Buffer.from(traceA).toString('hex')],
        [1, Buffer.from(traceB).toString('hex')],
      ].sort(),
    );
    expect(observed).toEqual(['acme']);
    expect(await value(metrics, 'spansReceived', { tenant: 'acme' })).toBe(3);
  });

  it('reports spans with bad IDs and spans the sink refused in partial success, and counts them', async () => {
    const sink = new FakeSink(1);
    const metrics = new SelfMetrics();
    const distributor = new Distributor(sink, metrics);
    const body = encodeTraceRequest([
      {
        service: 'a',
        spans: [
          simpleSpan(traceA, 'ok', now),
          simpleSpan(traceA, 'ok too', now),
          { ...simpleSpan(traceA, 'bad', now), spanId: new Uint8Array(8) },
        ],
      },
    ]);
    const outcome = await distributor.pushTraces('acme', body);
    expect(outcome.acceptedSpans).toBe(1);
    expect(outcome.rejectedSpans).toBe(2);
    expect(outcome.message).toMatch(/span_id|span ID/i);
    expect(outcome.message).toContain('1 spans refused: trace exceeds max_bytes_per_trace');
    expect(await value(metrics, 'spansRefused', { tenant: 'acme', reason: 'invalid_id' })).toBe(1);
    expect(await value(metrics, 'spansRefused', { tenant: 'acme', reason: 'trace_too_large' })).toBe(1);
  });

  it('refuses a request with no valid span (400) and a body that is not OTLP, storing nothing', async () => {
    const sink = new FakeSink();
    const metrics = new SelfMetrics();
    const distributor = new Distributor(sink, metrics);
    const observed: string[] = [];
    distributor.addSpanObserver((t) => observed.push(t));
    const allBad = encodeTraceRequest([
      { service: 'a', spans: [{ ...simpleSpan(traceA, 'bad', now), spanId: new Uint8Array(8) }] },
    ]);
    await expect(distributor.pushTraces('acme', allBad)).rejects.toBeInstanceOf(NoValidSpansError);
    await expect(distributor.pushTraces('acme', Buffer.from('not protobuf at all'))).rejects.toBeInstanceOf(
      OtlpDecodeError,
    );
    expect(sink.pushed).toEqual([]);
    expect(observed).toEqual([]);
    expect(await value(metrics, 'requestsRefused', { reason: 'no_valid_spans' })).toBe(1);
    expect(await value(metrics, 'requestsRefused', { reason: 'decode_error' })).toBe(1);
  });
});
