import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { literalAlternation } from './literal-alternation';
import { compileUserRegex, UserRegexError } from './user-regex';

describe('compileUserRegex: RE2 semantics', () => {
  it.each([
    ['(?i)error', 'An ERROR here', true],
    ['(?P<code>5\\d\\d)', 'status=503', true],
    ['\\pL+', '日本', true],
    ['^[[:alpha:]]+$', 'abc', true],
    ['^[[:alpha:]]+$', 'ab1', false],
    ['a\\z', 'a\n', false],
    ['\\Qa.b\\E', 'axb', false],
    ['\\Qa.b\\E', 'a.b', true],
    ['a.b', 'a\nb', false],
  ])('%s on %j → %s', (pattern, input, expected) => {
    expect(compileUserRegex(pattern).test(input)).toBe(expected);
  });

  it.each(['(a)\\1', '(?=a)', '(?<=a)b', 'a(b', 'a**', 'x{1001}'])(
    'refuses what RE2 refuses: %s',
    (pattern) => {
      expect(() => compileUserRegex(pattern)).toThrow(UserRegexError);
    },
  );

  it("gives RE2's own message, with a 400 status", () => {
    try {
      compileUserRegex('a(b');
      expect.unreachable();
    } catch (err) {
      expect((err as UserRegexError).message).toBe('error parsing regexp: missing closing ): `a(b`');
      expect((err as UserRegexError).statusCode).toBe(400);
    }
  });

  it('full mode matches the whole value, and `.` crosses newlines there (Prometheus label matchers)', () => {
    expect(compileUserRegex('api-.*', 'full').test('api-gateway')).toBe(true);
    expect(compileUserRegex('api', 'full').test('api-gateway')).toBe(false);
    expect(compileUserRegex('a.b', 'full').test('a\nb')).toBe(true);
    expect(compileUserRegex('a|b', 'full').test('ab')).toBe(false);
  });

  it('refuses a pattern that only the full-mode wrapping would balance', () => {
    expect(() => compileUserRegex('a)|(b', 'full')).toThrow(UserRegexError);
  });

  it('returns named groups of the first match, "" for a group that did not take part', () => {
    const re = compileUserRegex('(?P<method>GET|POST) (?P<path>\\S+)(?: (?P<extra>x))?');
    expect(re.namedGroups('-> POST /orders 200')).toEqual({ method: 'POST', path: '/orders', extra: '' });
    expect(re.namedGroups('nothing here')).toBeUndefined();
  });

  it('compiles a pattern once per mode: parser, planner and every refresh share it', () => {
    const pattern = 'api-(?P<n>\\d+)';
    expect(compileUserRegex(pattern)).toBe(compileUserRegex(pattern));
    expect(compileUserRegex(pattern, 'full')).not.toBe(compileUserRegex(pattern));
    expect(compileUserRegex(pattern, 'full').test('api-12')).toBe(true);
    expect(() => compileUserRegex('a(b')).toThrow(UserRegexError);
    expect(() => compileUserRegex('a(b')).toThrow(UserRegexError);
  });

  it('matches a catastrophic pattern in linear time (JavaScript RegExp would take hours)', () => {
    const line = `${'a'.repeat(100_000)}!`;
    const started = performance.now();
    expect(compileUserRegex('(a+)+$').test(line)).toBe(false);
    expect(compileUserRegex('(a|aa)*b', 'full').test(line)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('literal alternation: the fast path is taken only where it is exact', () => {
  it.each([
    'error|timeout',
    '(?i)warn',
    'status=5\\d\\d',
    'upstream timeout',
    '.*checkout.*',
    'a\\.b|c\\|d',
    '[a-f0-9]x',
    '[^0-9]z',
    'k',
    '(?i)k|s',
    '',
  ])('takes %j', (pattern) => {
    expect(literalAlternation(pattern, 'search')).toBeDefined();
  });

  it.each([
    'a+',
    '(a)',
    'a{2}',
    '\\s',
    '\\w',
    '\\b',
    '\\pL',
    '[[:alpha:]]',
    '^a',
    'a$',
    'a]',
    '[a-]',
    '(?s).',
    '\\.*x',
  ])('leaves %j to the engine', (pattern) => {
    expect(literalAlternation(pattern, 'search')).toBeUndefined();
  });

  const patterns = [
    'error|timeout',
    '(?i)warn|fail',
    'status=5\\d\\d',
    '.*check.*',
    'a.c',
    '[a-c]\\D',
    '[^a-c]b',
    '(?i)k',
    '(?i)s',
    '(?i)[a-z]1',
    'é|日本',
    '😀.',
    '',
    'x|',
  ];
  const inputs = [
    '',
    'x',
    'An error occurred',
    'TIMEOUT',
    'WARN: Fail',
    'status=503 ok',
    'status=5x3',
    'checkout',
    'abc',
    'a\nc',
    'a\rc',
    'b1',
    'cX',
    'zb',
    '\u212A',
    '\u017F',
    'K1',
    'café',
    '日本語',
    '😀😀',
    '😀',
  ];
  for (const mode of ['search', 'full'] as const) {
    it(`agrees with the RE2 engine on every pattern × input (${mode})`, () => {
      for (const pattern of patterns) {
        const reference = RE2JS.compile(mode === 'full' ? `^(?s:${pattern})$` : pattern);
        const fast = literalAlternation(pattern, mode);
        expect(fast, pattern).toBeDefined();
        if (!fast) continue;
        for (const input of inputs) {
          expect([pattern, input, fast.test(input)]).toEqual([pattern, input, reference.test(input)]);
        }
      }
    });
  }
});
