import { encodeTraceRequest, newSpanId } from '../integration/support/otlp-request';
import { collectGarbage } from '../testing/collect-garbage';
import { compileSamplingPolicies } from './policies';
import {
  allMatched,
  estimateSummaryBytes,
  hasMatched,
  observeTimes,
  setMatched,
  TraceSummary,
} from './summary';
import { newTraceId, observe, observeBodies, oneResource, simpleSpan, spans } from './test-traces';

const tid = newTraceId();

const EVERY_KIND = [
  { name: 'slow', type: 'latency', latency: { threshold_ms: 1000 } },
  { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } },
  { name: 'route', type: 'string_attribute', string_attribute: { key: 'http.route', values: ['/x'] } },
  { name: 'code', type: 'numeric_attribute', numeric_attribute: { key: 'code', min_value: 500 } },
  { name: 'flag', type: 'boolean_attribute', boolean_attribute: { key: 'flag', value: true } },
  { name: 'ts', type: 'trace_state', trace_state: { key: 'k', values: ['v'] } },
  { name: 'count', type: 'span_count', span_count: { min_spans: 2 } },
];

describe('TraceSummary', () => {
  it('stays the same few bytes however many spans it has seen', () => {
    const policies = compileSamplingPolicies(EVERY_KIND);
    const summary = policies.newSummary();
    const empty = policies.summaryBytes(summary);
    const attributes = { 'http.route': '/y', code: 200, flag: false, extra: 'x'.repeat(1000) };
    for (let i = 0; i < 20; i++)
      observeBodies(policies, [encodeTraceRequest(oneResource(spans(tid, 500, { attributes })))], i, summary);
    expect(summary.spanCount).toBe(10_000);
    expect(policies.summaryBytes(summary)).toBe(empty);
    expect(empty).toBeLessThan(200);
    // Nothing of a span is held: every field is a number, or the (unused) overflow words.
    for (const [field, value] of Object.entries(summary)) {
      expect([field, typeof value === 'number' || value === undefined]).toEqual([field, true]);
    }
  });

  it('does not take more heap than its estimate', () => {
    const n = 50_000;
    const kept: TraceSummary[] = new Array(n);
    // Full collections on both sides: what the summaries keep, not what other work left unswept.
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < n; i++) {
      const s = new TraceSummary();
      s.spanCount = 1000 + i;
      s.firstSeenMs = s.rootSeenMs = 1.7e12 + i; // past a small integer: boxed
      observeTimes(s, 0x17a00000, 0xf0000000 + i, 0x17a00000, 0xf1000000 + i);
      setMatched(s, 3);
      kept[i] = s;
    }
    collectGarbage();
    const perSummary = (process.memoryUsage().heapUsed - before) / n;
    expect(perSummary).toBeLessThanOrEqual(estimateSummaryBytes(kept[0]) + 8); // + the array slot
  });

  it('keeps earliest start, latest end and duration to the nanosecond', () => {
    const policies = compileSamplingPolicies([]);
    const start = 1_700_000_000_123_456_789n;
    const summary = observe(
      policies,
      oneResource([
        { traceId: tid, spanId: newSpanId(), name: 'b', startNs: start + 5n, endNs: start + 2_999_999n },
        { traceId: tid, spanId: newSpanId(), name: 'a', startNs: start, endNs: start + 1_000_000n },
      ]),
    );
    expect(summary.startUnixMs()).toBeCloseTo(1_700_000_000_123.4568, 3);
    expect(summary.endUnixMs()).toBeCloseTo(1_700_000_000_126.4568, 3);
    expect(summary.durationMs()).toBe(2); // 2.999999 ms, truncated
    expect([summary.startHi, summary.startLo]).toEqual([Number(start >> 32n), Number(start & 0xffffffffn)]);
  });

  it('notes when the first span and the first root span arrived, and the statuses seen', () => {
    const policies = compileSamplingPolicies([]);
    const root = simpleSpan(tid, 'root', 0, { statusCode: 2 });
    const child = simpleSpan(tid, 'child', 1, { parentSpanId: root.spanId });
    const summary = policies.newSummary();
    observeBodies(policies, [encodeTraceRequest(oneResource([child]))], 100, summary);
    expect([summary.firstSeenMs, summary.rootSeenMs, summary.statusSeen]).toEqual([100, -1, 0b001]);
    observeBodies(policies, [encodeTraceRequest(oneResource([root]))], 250, summary);
    observeBodies(policies, [encodeTraceRequest(oneResource([root]))], 400, summary);
    expect([summary.firstSeenMs, summary.rootSeenMs, summary.statusSeen]).toEqual([100, 250, 0b101]);
  });

  it('carries more than 30 conditions in overflow words', () => {
    const flags = Array.from({ length: 70 }, (_, i) => ({
      name: `flag-${i}`,
      type: 'boolean_attribute',
      boolean_attribute: { key: `f${i}`, value: true },
    }));
    const policies = compileSamplingPolicies(flags);
    for (const i of [0, 29, 30, 59, 60, 69]) {
      const summary = observe(
        policies,
        oneResource([simpleSpan(tid, 'op', 0, { attributes: { [`f${i}`]: true } })]),
      );
      expect(policies.decide(summary, tid, 0).policy).toBe(`flag-${i}`);
      expect(policies.summaryBytes(summary)).toBeLessThan(300);
    }
    const all = Object.fromEntries(flags.map((_, i) => [`f${i}`, true]));
    const summary = observe(policies, oneResource([simpleSpan(tid, 'op', 0, { attributes: all })]));
    expect(summary.moreMatched).toEqual([2 ** 30 - 1, 2 ** 10 - 1]);
  });

  it('tells when the first n conditions have all matched, whatever the bits above them', () => {
    const s = new TraceSummary();
    for (const bit of [0, 1, 2, 31]) setMatched(s, bit);
    expect([allMatched(s, 2), allMatched(s, 3), allMatched(s, 4)]).toEqual([true, true, false]);
    for (let bit = 3; bit < 31; bit++) setMatched(s, bit);
    expect([allMatched(s, 30), allMatched(s, 32), allMatched(s, 33)]).toEqual([true, true, false]);
    expect([hasMatched(s, 31), hasMatched(s, 32), hasMatched(s, 95)]).toEqual([true, false, false]);
  });
});
