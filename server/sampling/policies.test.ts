import { encodeTraceRequest, type SpanSpec } from '../integration/support/otlp-request';
import { forEachSpan } from '../otlp/span-visitor';
import { compileSamplingPolicies } from './policies';
import {
  bodyWithTraceStates,
  decideTrace,
  newTraceId,
  observeBodies,
  oneResource,
  simpleSpan,
  spans,
} from './test-traces';

/** Each policy type alone, on real OTLP bodies; the decision's shape is checked once here. */

const T0 = 1_700_000_000_000;
const tid = newTraceId();

function keeps(policy: Record<string, unknown>, spanSpecs: SpanSpec[], resourceAttributes = {}): boolean {
  return decideTrace([{ name: 'p', ...policy }], oneResource(spanSpecs, resourceAttributes), tid).keep;
}

const span = (extra: Partial<SpanSpec> & { durationMs?: number } = {}) => simpleSpan(tid, 'op', T0, extra);
const withAttributes = (attributes: SpanSpec['attributes']) => span({ attributes });

describe('always_sample', () => {
  it('keeps every trace and names itself', () => {
    expect(decideTrace([{ name: 'all', type: 'always_sample' }], oneResource([span()]), tid)).toEqual({
      keep: true,
      policy: 'all',
      subPolicy: undefined,
      reason: 'sampled',
    });
  });
});

describe('latency', () => {
  const latency = (cfg: Record<string, number>) => ({ type: 'latency', latency: cfg });
  const ns = (ms: number) => BigInt(T0) * 1_000_000n + BigInt(Math.round(ms * 1e6));
  const lasting = (ms: number) => [span({ durationMs: 100 }), span({ startNs: ns(50), endNs: ns(ms) })];

  it('measures latest end minus earliest start, in whole milliseconds truncated', () => {
    expect(keeps(latency({ threshold_ms: 5000 }), lasting(4999.999999))).toBe(false);
    expect(keeps(latency({ threshold_ms: 5000 }), lasting(5000))).toBe(true);
    expect(keeps(latency({ threshold_ms: 5000 }), lasting(7000))).toBe(true);
  });

  it('with an upper bound: threshold < duration <= upper', () => {
    const bounded = latency({ threshold_ms: 1000, upper_threshold_ms: 2000 });
    expect(keeps(bounded, lasting(1000))).toBe(false);
    expect(keeps(bounded, lasting(1500))).toBe(true);
    expect(keeps(bounded, lasting(2000))).toBe(true);
    expect(keeps(bounded, lasting(2001))).toBe(false);
  });

  it("checks the running duration after each span, as the collector's loop does", () => {
    // The first span alone lasts 1500 ms, in range; the second stretches the trace to 5 s. The
    // collector stops at the first span whose running duration matches, so this is sampled.
    const bounded = latency({ threshold_ms: 1000, upper_threshold_ms: 2000 });
    expect(keeps(bounded, [span({ durationMs: 1500 }), span({ durationMs: 5000 })])).toBe(true);
    expect(keeps(bounded, [span({ durationMs: 5000 }), span({ durationMs: 1500 })])).toBe(false);
  });
});

describe('status_code', () => {
  const trace = [span({ statusCode: 1 }), span({ statusCode: 2 }), span({ statusCode: 1 })];
  const codes = (status_codes: string[]) => ({ type: 'status_code', status_code: { status_codes } });

  it('keeps a trace with any span of a listed status', () => {
    expect(keeps(codes(['ERROR']), trace)).toBe(true);
    expect(keeps(codes(['OK']), trace)).toBe(true);
    expect(keeps(codes(['UNSET']), trace)).toBe(false);
    expect(keeps(codes(['UNSET', 'ERROR']), [span()])).toBe(true);
  });
});

describe('string_attribute', () => {
  const strings = (cfg: Record<string, unknown>) => ({ type: 'string_attribute', string_attribute: cfg });

  it('matches exact values on span and resource attributes', () => {
    const policy = strings({ key: 'http.route', values: ['/checkout', '/cart'] });
    expect(keeps(policy, [span(), withAttributes({ 'http.route': '/cart' })])).toBe(true);
    expect(keeps(policy, [withAttributes({ 'http.route': '/cart/1' })])).toBe(false);
    expect(keeps(policy, [span()], { 'http.route': '/checkout' })).toBe(true);
    expect(keeps(strings({ key: 'service.name', values: ['svc'] }), [span()])).toBe(true);
  });

  it("counts a resource's attributes only for the traces that have spans under it", () => {
    const policies = compileSamplingPolicies([
      { name: 'p', type: 'string_attribute', string_attribute: { key: 'team', values: ['a'] } },
    ]);
    const other = newTraceId();
    const body = encodeTraceRequest([
      { service: 'one', attributes: { team: 'a' }, spans: [simpleSpan(tid, 'x', T0)] },
      { service: 'two', spans: [simpleSpan(other, 'y', T0), simpleSpan(tid, 'z', T0)] },
    ]);
    const summaries = new Map([tid, other].map((id) => [id.toString('hex'), policies.newSummary()]));
    forEachSpan(body, (s) => policies.observe(summaries.get(s.idHex(s.traceIdAt, s.traceIdLength))!, s, 0));
    expect(policies.decide(summaries.get(tid.toString('hex'))!, tid, 0).keep).toBe(true);
    expect(policies.decide(summaries.get(other.toString('hex'))!, other, 0).keep).toBe(false);
  });

  it('never matches an empty span value, nor a value of another type', () => {
    expect(keeps(strings({ key: 'k', values: [''] }), [withAttributes({ k: '' })])).toBe(false);
    expect(
      keeps(strings({ key: 'k', values: ['.*'], enabled_regex_matching: true }), [withAttributes({ k: '' })]),
    ).toBe(false);
    // A resource's value goes to the matcher even when empty (string_tag_filter.go).
    expect(
      keeps(strings({ key: 'k', values: ['^$'], enabled_regex_matching: true }), [span()], { k: '' }),
    ).toBe(true);
    expect(keeps(strings({ key: 'k', values: ['5'] }), [withAttributes({ k: 5 })])).toBe(false);
  });

  it('matches regexes anywhere in the value (Go MatchString), with RE2 syntax', () => {
    const route = strings({ key: 'http.route', values: ['/v1/name/.+'], enabled_regex_matching: true });
    expect(keeps(route, [withAttributes({ 'http.route': '/api/v1/name/42' })])).toBe(true);
    expect(keeps(route, [withAttributes({ 'http.route': '/v1/name/' })])).toBe(false);
    const anchored = strings({
      key: 'url.path',
      values: ['^/health$', '(?i)^/METRICS'],
      enabled_regex_matching: true,
    });
    expect(keeps(anchored, [withAttributes({ 'url.path': '/health' })])).toBe(true);
    expect(keeps(anchored, [withAttributes({ 'url.path': '/healthz' })])).toBe(false);
    expect(keeps(anchored, [withAttributes({ 'url.path': '/metrics/x' })])).toBe(true);
  });

  it('remembers regex results up to cache_max_size without changing them', () => {
    const policies = compileSamplingPolicies([
      {
        name: 'p',
        type: 'string_attribute',
        string_attribute: { key: 'k', values: ['^a'], enabled_regex_matching: true, cache_max_size: 2 },
      },
    ]);
    const verdicts = ['a1', 'b1', 'a2', 'a1', 'b1', 'a1'].map((v) => {
      const summary = observeBodies(policies, [encode([withAttributes({ k: v })])]);
      return policies.decide(summary, tid, 0).keep;
    });
    expect(verdicts).toEqual([true, false, true, true, false, true]);
  });
});

describe('numeric_attribute', () => {
  const numeric = (cfg: Record<string, unknown>) => ({ type: 'numeric_attribute', numeric_attribute: cfg });

  it('keeps an int value within [min, max] on a span or the resource', () => {
    const policy = numeric({ key: 'http.status_code', min_value: 500, max_value: 599 });
    expect(keeps(policy, [withAttributes({ 'http.status_code': 500 })])).toBe(true);
    expect(keeps(policy, [withAttributes({ 'http.status_code': 599 })])).toBe(true);
    expect(keeps(policy, [withAttributes({ 'http.status_code': 404 })])).toBe(false);
    expect(keeps(policy, [span()], { 'http.status_code': 503 })).toBe(true);
    expect(keeps(policy, [span()])).toBe(false);
  });

  it('leaves an absent bound open, exact to int64', () => {
    expect(keeps(numeric({ key: 'n', min_value: 2 ** 62 }), [withAttributes({ n: 2 ** 62 })])).toBe(true);
    expect(keeps(numeric({ key: 'n', min_value: 2 ** 62 }), [withAttributes({ n: 2 ** 62 - 1024 })])).toBe(
      false,
    );
    expect(keeps(numeric({ key: 'n', max_value: -5 }), [withAttributes({ n: -7 })])).toBe(true);
  });

  it('reads a value of another type as 0, as pdata Int() does', () => {
    expect(keeps(numeric({ key: 'n', min_value: -1, max_value: 1 }), [withAttributes({ n: 2.5 })])).toBe(
      true,
    );
    expect(keeps(numeric({ key: 'n', min_value: 1 }), [withAttributes({ n: '7' })])).toBe(false);
  });
});

describe('boolean_attribute', () => {
  const bool = (cfg: Record<string, unknown>) => ({ type: 'boolean_attribute', boolean_attribute: cfg });

  it('keeps a trace whose span or resource has the value', () => {
    expect(
      keeps(bool({ key: 'app.force_sample', value: true }), [withAttributes({ 'app.force_sample': true })]),
    ).toBe(true);
    expect(
      keeps(bool({ key: 'app.force_sample', value: true }), [withAttributes({ 'app.force_sample': false })]),
    ).toBe(false);
    expect(keeps(bool({ key: 'canary', value: false }), [span()], { canary: false })).toBe(true);
  });
});

describe('span_count', () => {
  const count = (min_spans: number, max_spans?: number) => ({
    type: 'span_count',
    span_count: { min_spans, max_spans },
  });

  it('keeps traces with min_spans to max_spans spans, inclusive; max 0 is unbounded', () => {
    expect([1, 2, 3, 4].map((n) => keeps(count(2, 3), spans(tid, n)))).toEqual([false, true, true, false]);
    expect(keeps(count(2), spans(tid, 500))).toBe(true);
    expect(keeps(count(2), spans(tid, 1))).toBe(false);
  });
});

describe('trace_state', () => {
  const policies = compileSamplingPolicies([
    { name: 'ts', type: 'trace_state', trace_state: { key: 'congo', values: ['t61rcWkgMzE', 'other'] } },
  ]);
  const decide = (...states: string[]) =>
    policies.decide(observeBodies(policies, [bodyWithTraceStates(tid, states)]), tid, 0).keep;

  it("keeps a trace where any span's tracestate has a listed value under the key", () => {
    expect(decide('', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toBe(true);
    expect(decide(' congo=other ')).toBe(true);
    expect(decide('rojo=00f067aa0ba902b7', 'congo=nope')).toBe(false);
  });

  it('ignores a tracestate Go OpenTelemetry would refuse to parse', () => {
    expect(decide('congo=t61rcWkgMzE,Bad-Key=1')).toBe(false);
    expect(decide('congo=t61rcWkgMzE,congo=other')).toBe(false);
    expect(
      decide(
        Array.from({ length: 33 }, (_, i) => `k${i}=v`)
          .join(',')
          .replace('k0=v', 'congo=other'),
      ),
    ).toBe(false);
  });
});

function encode(spanSpecs: SpanSpec[]): Buffer {
  return encodeTraceRequest(oneResource(spanSpecs));
}
