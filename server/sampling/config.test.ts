import { parse } from 'yaml';
import { SamplingConfigError } from './config-fields';
import { compileSamplingPolicies } from './policies';

/** The collector README's example policies (less ottl_condition, which Loupe does not support). */
const README_POLICIES = `
- {name: test-policy-1, type: always_sample}
- {name: test-policy-2, type: latency, latency: {threshold_ms: 5000, upper_threshold_ms: 10000}}
- {name: test-policy-3, type: numeric_attribute, numeric_attribute: {key: key1, min_value: 50, max_value: 100}}
- {name: test-policy-4, type: probabilistic, probabilistic: {sampling_percentage: 10}}
- {name: test-policy-5, type: status_code, status_code: {status_codes: [ERROR, UNSET]}}
- {name: test-policy-6, type: string_attribute, string_attribute: {key: key2, values: [value1, value2]}}
- name: test-policy-7
  type: string_attribute
  string_attribute: {key: key2, values: [value1, val*], enabled_regex_matching: true, cache_max_size: 10}
- {name: test-policy-8, type: rate_limiting, rate_limiting: {spans_per_second: 35}}
- {name: test-policy-9, type: span_count, span_count: {min_spans: 2, max_spans: 20}}
- {name: test-policy-10, type: trace_state, trace_state: {key: key3, values: [value1, value2]}}
- {name: test-policy-11, type: boolean_attribute, boolean_attribute: {key: key4, value: true}}
- name: and-policy-1
  type: and
  and:
    and_sub_policy:
      - {name: test-and-policy-1, type: numeric_attribute, numeric_attribute: {key: key1, min_value: 50, max_value: 100}}
      - {name: test-and-policy-2, type: string_attribute, string_attribute: {key: key2, values: [value1, value2]}}
- name: drop-policy-1
  type: drop
  drop:
    drop_sub_policy:
      - name: test-drop-policy-1
        type: string_attribute
        string_attribute: {key: url.path, values: [\\/health, \\/metrics], enabled_regex_matching: true}
- name: composite-policy-1
  type: composite
  composite:
    max_total_spans_per_second: 1000
    policy_order: [test-composite-policy-1, test-composite-policy-2, test-composite-policy-3]
    composite_sub_policy:
      - {name: test-composite-policy-1, type: numeric_attribute, numeric_attribute: {key: key1, min_value: 50}}
      - {name: test-composite-policy-2, type: string_attribute, string_attribute: {key: key2, values: [value1, value2]}}
      - {name: test-composite-policy-3, type: always_sample}
    rate_allocation:
      - {policy: test-composite-policy-1, percent: 50}
      - {policy: test-composite-policy-2, percent: 25}
`;

function configError(raw: unknown): SamplingConfigError {
  try {
    compileSamplingPolicies(raw);
  } catch (err) {
    if (err instanceof SamplingConfigError) return err;
    throw err;
  }
  throw new Error('expected a SamplingConfigError');
}

describe('compileSamplingPolicies', () => {
  it("accepts the collector README's policies as written there", () => {
    const policies = compileSamplingPolicies(parse(README_POLICIES));
    expect(policies.names).toEqual([
      ...Array.from({ length: 11 }, (_, i) => `test-policy-${i + 1}`),
      'and-policy-1',
      'drop-policy-1',
      'composite-policy-1',
    ]);
  });

  it('names an unsupported policy type and where it is', () => {
    const err = configError([
      { name: 'ok', type: 'always_sample' },
      { name: 'ottl', type: 'ottl_condition', ottl_condition: { span: ['true'] } },
    ]);
    expect(err.path).toBe('policies[1](ottl).type');
    expect(err.message).toContain('policy type "ottl_condition" is not supported by Loupe');
    expect(configError([{ name: 'x', type: 'sometimes' }]).message).toContain(
      'unknown policy type "sometimes"',
    );
  });

  it('names an unsupported key, at any depth', () => {
    const err = configError([
      { name: 'slow', type: 'latency', latency: { threshold_ms: 10, threshold_s: 1 } },
    ]);
    expect(err.path).toBe('policies[0](slow).latency.threshold_s');
    expect(err.message).toContain('unsupported key');
    const nested = configError([
      {
        name: 'a',
        type: 'and',
        and: {
          and_sub_policy: [
            { name: 'b', type: 'string_attribute', string_attribute: { key: 'k', value: 'v' } },
          ],
        },
      },
    ]);
    expect(nested.path).toBe('policies[0](a).and.and_sub_policy[0](b).string_attribute.value');
    expect(configError([{ name: 'x', type: 'always_sample', sample_on_first_match: true }]).path).toBe(
      'policies[0](x).sample_on_first_match',
    );
  });

  it('refuses a block for another type than the policy has (the README mistake in its rule 7)', () => {
    const err = configError([
      { name: 'do-not-sample', type: 'boolean_attribute', string_attribute: { key: 'app.do_not_sample' } },
    ]);
    expect(err.path).toBe('policies[0](do-not-sample).string_attribute');
  });

  it('allows composite, and and drop only where the collector does', () => {
    const inAnd = (type: string) => [
      { name: 'a', type: 'and', and: { and_sub_policy: [{ name: 'x', type }] } },
    ];
    expect(configError(inAnd('drop')).message).toContain('cannot be used here');
    expect(configError(inAnd('and')).message).toContain('cannot be used here');
    const inComposite = (type: string) => [
      { name: 'c', type: 'composite', composite: { composite_sub_policy: [{ name: 'x', type }] } },
    ];
    expect(configError(inComposite('composite')).message).toContain('cannot be used here');
    expect(() => compileSamplingPolicies(inComposite('and'))).not.toThrow();
    const inDrop = [
      { name: 'd', type: 'drop', drop: { drop_sub_policy: [{ name: 'x', type: 'composite' }] } },
    ];
    expect(configError(inDrop).path).toBe('policies[0](d).drop.drop_sub_policy[0](x).type');
  });

  it('checks values as the collector does', () => {
    expect(
      configError([{ name: 's', type: 'status_code', status_code: { status_codes: ['FAILED'] } }]).path,
    ).toBe('policies[0](s).status_code.status_codes[0]');
    expect(configError([{ name: 's', type: 'status_code', status_code: {} }]).message).toContain(
      'at least one status code',
    );
    expect(
      configError([{ name: 'n', type: 'numeric_attribute', numeric_attribute: { key: 'k' } }]).message,
    ).toContain('at least one of min_value or max_value');
    const reversed = { key: 'k', min_value: 5, max_value: 1 };
    expect(
      configError([{ name: 'n', type: 'numeric_attribute', numeric_attribute: reversed }]).message,
    ).toContain('min_value must be less than or equal to max_value');
    const negative = { spans_per_second: -5 };
    expect(configError([{ name: 'r', type: 'rate_limiting', rate_limiting: negative }]).message).toContain(
      'must not be negative',
    );
    expect(configError([{ name: 'a', type: 'always_sample', always_sample: { x: 1 } }]).message).toContain(
      'Loupe supports: none',
    );
    const badRegex = { key: 'k', values: ['ok', '(unclosed'], enabled_regex_matching: true };
    const err = configError([{ name: 'r', type: 'string_attribute', string_attribute: badRegex }]);
    expect(err.path).toBe('policies[0](r).string_attribute.values[1]');
    expect(err.message).toContain('invalid regular expression');
  });

  it('is strict about types', () => {
    expect(configError([{ name: 'l', type: 'latency', latency: { threshold_ms: '5s' } }]).message).toContain(
      'must be an integer',
    );
    expect(configError([{ name: 'l', type: 'latency', latency: { threshold_ms: 1.5 } }]).path).toBe(
      'policies[0](l).latency.threshold_ms',
    );
    const numbers = { key: 'http.status_code', values: [200, 404] };
    expect(configError([{ name: 's', type: 'string_attribute', string_attribute: numbers }]).path).toBe(
      'policies[0](s).string_attribute.values[0]',
    );
    const percent = { sampling_percentage: Number.NaN };
    expect(configError([{ name: 'p', type: 'probabilistic', probabilistic: percent }]).message).toContain(
      'finite',
    );
    expect(configError({ policies: [] }).path).toBe('policies');
    expect(configError(['always_sample']).path).toBe('policies[0]');
  });

  it('wants a unique, non-empty name for each top-level policy', () => {
    expect(configError([{ type: 'always_sample' }]).message).toContain('policy name cannot be empty');
    const twice = [
      { name: 'a', type: 'always_sample' },
      { name: 'a', type: 'always_sample' },
    ];
    expect(configError(twice).message).toContain('duplicate policy name "a"');
    expect(configError([{ name: 'a' }]).message).toContain('missing policy type');
  });

  it('takes a null block or value as absent, as mapstructure does', () => {
    expect(() =>
      compileSamplingPolicies(
        parse('- {name: a, type: latency, latency: }\n- {name: b, type: always_sample}'),
      ),
    ).not.toThrow();
  });
});
