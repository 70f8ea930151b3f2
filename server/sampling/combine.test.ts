import type { SpanSpec } from '../integration/support/otlp-request';
import { compileSamplingPolicies } from './policies';
import { decideTrace, newTraceId, observe, oneResource, simpleSpan, spans } from './test-traces';

/** How decisions combine: invert_match, drop, and, and the processor's final rule. */

const tid = newTraceId();
const span = (attributes: SpanSpec['attributes'] = {}, statusCode = 0) =>
  simpleSpan(tid, 'op', 1_700_000_000_000, { attributes, statusCode });

const always = { name: 'all', type: 'always_sample' };
const errors = { name: 'errors', type: 'status_code', status_code: { status_codes: ['ERROR'] } };
const notTeamA = {
  name: 'not-team-a',
  type: 'string_attribute',
  string_attribute: { key: 'team', values: ['team_a'], invert_match: true },
};

describe('invert_match', () => {
  it('keeps a trace without the value: inverted-sampled, named', () => {
    expect(decideTrace([notTeamA], oneResource([span({ team: 'team_b' })]), tid)).toEqual({
      keep: true,
      policy: 'not-team-a',
      subPolicy: undefined,
      reason: 'inverted-sampled',
    });
    expect(decideTrace([notTeamA], oneResource([span()]), tid).keep).toBe(true);
  });

  it('drops a trace with the value even when another policy samples it (InvertNotSampled wins)', () => {
    const decision = decideTrace([always, notTeamA], oneResource([span(), span({ team: 'team_a' })]), tid);
    expect(decision).toEqual({
      keep: false,
      policy: 'not-team-a',
      subPolicy: undefined,
      reason: 'inverted-not-sampled',
    });
    // On the resource too.
    expect(decideTrace([always, notTeamA], oneResource([span()], { team: 'team_a' }), tid).keep).toBe(false);
  });

  it('keeps by InvertSampled only when no policy said NotSampled', () => {
    expect(decideTrace([notTeamA, errors], oneResource([span()]), tid)).toMatchObject({
      keep: false,
      reason: 'not-sampled',
    });
    expect(decideTrace([notTeamA, errors], oneResource([span({}, 2)]), tid)).toMatchObject({
      keep: true,
      policy: 'errors',
      reason: 'sampled',
    });
  });

  it('works the same for numeric and boolean policies', () => {
    const numeric = {
      name: 'n',
      type: 'numeric_attribute',
      numeric_attribute: { key: 'code', min_value: 200, max_value: 299, invert_match: true },
    };
    expect(decideTrace([numeric], oneResource([span({ code: 500 })]), tid).keep).toBe(true);
    expect(decideTrace([numeric], oneResource([span({ code: 200 })]), tid).keep).toBe(false);
    const bool = {
      name: 'b',
      type: 'boolean_attribute',
      boolean_attribute: { key: 'synthetic', value: true, invert_match: true },
    };
    expect(decideTrace([bool], oneResource([span({ synthetic: false })]), tid).keep).toBe(true);
    expect(decideTrace([bool], oneResource([span(), span({ synthetic: true })]), tid).keep).toBe(false);
  });
});

describe('drop', () => {
  const dropHealth = {
    name: 'no-health',
    type: 'drop',
    drop: {
      drop_sub_policy: [
        {
          name: 'health',
          type: 'string_attribute',
          string_attribute: { key: 'url.path', values: ['^/health'], enabled_regex_matching: true },
        },
        { name: 'ok', type: 'status_code', status_code: { status_codes: ['OK', 'UNSET'] } },
      ],
    },
  };

  it('drops a trace every sub-policy matches, whatever the other policies say', () => {
    const decision = decideTrace(
      [always, errors, dropHealth],
      oneResource([span({ 'url.path': '/healthz' })]),
      tid,
    );
    expect(decision).toEqual({ keep: false, policy: 'no-health', subPolicy: undefined, reason: 'dropped' });
  });

  it('does nothing unless all its sub-policies match', () => {
    expect(decideTrace([always, dropHealth], oneResource([span({ 'url.path': '/api' })]), tid).policy).toBe(
      'all',
    );
    // A drop policy that does not match counts as NotSampled, like any other.
    expect(decideTrace([dropHealth], oneResource([span({ 'url.path': '/api' }, 2)]), tid).reason).toBe(
      'not-sampled',
    );
  });

  it('says NotSampled when it does not match, which blocks an InvertSampled keep', () => {
    const trace = oneResource([span({ team: 'team_b', 'url.path': '/api' })]);
    expect(decideTrace([notTeamA], trace, tid).keep).toBe(true);
    expect(decideTrace([notTeamA, dropHealth], trace, tid).reason).toBe('not-sampled');
  });

  it('stops evaluating at the drop: a later rate limiter is not charged', () => {
    const limiter = {
      name: 'limit',
      type: 'rate_limiting',
      rate_limiting: { spans_per_second: 1, burst_capacity: 2 },
    };
    const policies = compileSamplingPolicies([dropHealth, limiter]);
    const health = observe(policies, oneResource(spans(tid, 2, { attributes: { 'url.path': '/health' } })));
    expect(policies.decide(health, tid, 0).reason).toBe('dropped');
    expect(policies.decide(observe(policies, oneResource(spans(tid, 2))), tid, 0).keep).toBe(true);
  });
});

describe('and', () => {
  const andPolicy = (subs: unknown[]) => [{ name: 'both', type: 'and', and: { and_sub_policy: subs } }];
  const checkout = {
    name: 'svc',
    type: 'string_attribute',
    string_attribute: { key: 'service.name', values: ['svc'] },
  };

  it('samples when every sub-policy samples', () => {
    expect(decideTrace(andPolicy([checkout, errors]), oneResource([span({}, 2)]), tid)).toMatchObject({
      keep: true,
      policy: 'both',
      reason: 'sampled',
    });
    expect(decideTrace(andPolicy([checkout, errors]), oneResource([span()]), tid).keep).toBe(false);
  });

  it('counts an InvertSampled sub-decision as a match and InvertNotSampled as a miss (the README rule 4)', () => {
    const otherRoutes = {
      name: 'route',
      type: 'string_attribute',
      string_attribute: {
        key: 'http.route',
        values: ['/v1/name/.+'],
        enabled_regex_matching: true,
        invert_match: true,
      },
    };
    const full = { name: 'all', type: 'probabilistic', probabilistic: { sampling_percentage: 100 } };
    const policies = andPolicy([checkout, otherRoutes, full]);
    expect(decideTrace(policies, oneResource([span({ 'http.route': '/v1/cart' })]), tid).keep).toBe(true);
    expect(decideTrace(policies, oneResource([span({ 'http.route': '/v1/name/7' })]), tid)).toMatchObject({
      keep: false,
      reason: 'not-sampled',
    });
  });
});

describe('the processor rule', () => {
  it('names the first policy that returned the deciding decision', () => {
    expect(decideTrace([errors, always], oneResource([span({}, 2)]), tid).policy).toBe('errors');
    expect(decideTrace([always, errors], oneResource([span({}, 2)]), tid).policy).toBe('all');
  });

  it('keeps nothing without policies', () => {
    expect(decideTrace([], oneResource([span()]), tid)).toEqual({
      keep: false,
      policy: undefined,
      subPolicy: undefined,
      reason: 'not-sampled',
    });
  });
});
