import { describe, expect, it } from 'vitest';
import {
  decodeUtf8Capped,
  exceedsUtf8Bytes,
  findLabelOverLimit,
  quotable,
  truncateUtf8,
} from './label-limits';

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

describe('label length limits (UTF-8 bytes, as Tempo and Mimir count them)', () => {
  it('counts bytes, not characters', () => {
    expect(exceedsUtf8Bytes('abc', 3)).toBe(false);
    expect(exceedsUtf8Bytes('abcd', 3)).toBe(true);
    // 'é' is 2 bytes, '€' 3, '😀' 4 (a surrogate pair: 2 UTF-16 units).
    expect(exceedsUtf8Bytes('éé', 3)).toBe(true);
    expect(exceedsUtf8Bytes('€', 3)).toBe(false);
    expect(exceedsUtf8Bytes('😀', 3)).toBe(true);
    expect(exceedsUtf8Bytes('x'.repeat(10_000), 0)).toBe(false);
  });

  it('returns a value that fits as it is', () => {
    const value = 'checkout';
    expect(truncateUtf8(value, 2048)).toBe(value);
    expect(truncateUtf8(value, 0)).toBe(value);
  });

  it('cuts at the last whole character that fits, never inside a surrogate pair', () => {
    expect(truncateUtf8('abcdef', 4)).toBe('abcd');
    expect(truncateUtf8('aé€😀b', 6)).toBe('aé€'); // 1 + 2 + 3; the 4-byte emoji does not fit
    expect(truncateUtf8('aé€😀b', 10)).toBe('aé€😀');
    const cut = truncateUtf8(`${'a'.repeat(2047)}😀`, 2048);
    expect(cut).toBe('a'.repeat(2047));
    expect(cut.charCodeAt(cut.length - 1)).toBe(0x61);
  });

  it('counts a lone surrogate as the 3 bytes of U+FFFD it is written as', () => {
    const cut = truncateUtf8('ab\ud800cd', 5);
    expect(cut).toBe('ab\ufffd');
    expect(bytes(cut)).toBe(5);
  });

  it('cuts a 10 MiB value to the limit', () => {
    const huge = `svc-${'é'.repeat(5 * 1024 * 1024)}`;
    const cut = truncateUtf8(huge, 2048);
    expect(bytes(cut)).toBe(2048); // 'svc-' is 4 bytes, then 1022 two-byte characters
    expect(huge.startsWith(cut)).toBe(true);
  });

  it('decodes only the first bytes of a long field, backing off to a character boundary', () => {
    const buf = Buffer.from(`ab😀${'c'.repeat(100)}`, 'utf8');
    expect(decodeUtf8Capped(buf, 0, buf.length, 4)).toEqual({ text: 'ab', truncated: true });
    expect(decodeUtf8Capped(buf, 0, buf.length, 6)).toEqual({ text: 'ab😀', truncated: true });
    expect(decodeUtf8Capped(buf, 0, 6, 6)).toEqual({ text: 'ab😀', truncated: false });
    expect(decodeUtf8Capped(buf, 0, buf.length, 0).text).toBe(buf.toString('utf8'));
    // Invalid bytes decode to U+FFFD (3 bytes each): the result still fits.
    const invalid = Buffer.from([0xff, 0xff, 0xff]);
    const decoded = decodeUtf8Capped(invalid, 0, 3, 4);
    expect(decoded.truncated).toBe(true);
    expect(bytes(decoded.text)).toBeLessThanOrEqual(4);
  });

  it('finds the first label name or value over the limits', () => {
    const limits = { maxNameBytes: 8, maxValueBytes: 4 };
    expect(findLabelOverLimit({ job: 'api', env: 'prod' }, limits)).toBeUndefined();
    expect(findLabelOverLimit({ job: 'api', route: '/cart' }, limits)).toEqual({
      kind: 'value',
      name: 'route',
      value: '/cart',
      bytes: 5,
      limit: 4,
    });
    expect(findLabelOverLimit({ very_long_name: 'x' }, limits)).toMatchObject({ kind: 'name', bytes: 14 });
    expect(
      findLabelOverLimit({ very_long_name: 'x' }, { maxNameBytes: 0, maxValueBytes: 0 }),
    ).toBeUndefined();
  });

  it('quotes a value short, marking the cut', () => {
    expect(quotable('route')).toBe('"route"');
    expect(quotable('x'.repeat(10_000), 8)).toBe('"xxxxxxxx…"');
  });
});
