import { describe, expect, it } from 'vitest';
import { lineColumn } from './errors';
import { compareStrings, durationNanos, formatGoDuration, normalizeHexId } from './literals';
import { fieldName } from './names';

describe('durations', () => {
  it.each([
    ['1ns', 1],
    ['1us', 1e3],
    ['1µs', 1e3],
    ['1μs', 1e3],
    ['1.1ms', 1.1e6],
    ['1.5s', 1.5e9],
    ['2m', 120e9],
    ['1h30m', 5400e9],
    ['1d', 86400e9],
    ['1w', 7 * 86400e9],
    ['.5s', 0.5e9],
  ])('%s is %d ns', (text, nanos) => {
    expect(durationNanos(text)).toBe(nanos);
  });

  it.each([
    [0, '0s'],
    [1, '1ns'],
    [999, '999ns'],
    [1500, '1.5µs'],
    [1e6, '1ms'],
    [20e6, '20ms'],
    [1_234_567, '1.234567ms'],
    [1.5e9, '1.5s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [3661.5e9, '1h1m1.5s'],
    [-2e6, '-2ms'],
  ])('%d ns prints as Go prints it: %s', (nanos, text) => {
    expect(formatGoDuration(nanos)).toBe(text);
  });
});

describe('compareStrings', () => {
  it('orders as UTF-8 bytes, as Go does', () => {
    expect(compareStrings('a', 'b')).toBeLessThan(0);
    expect(compareStrings('b', 'a')).toBeGreaterThan(0);
    expect(compareStrings('ab', 'a')).toBeGreaterThan(0);
    expect(compareStrings('same', 'same')).toBe(0);
    // U+1F600 is after U+FFFD in UTF-8, before it in UTF-16.
    expect('\u{1F600}' < '\uFFFD').toBe(true);
    expect(compareStrings('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect(compareStrings('\uFFFD', '\u{1F600}')).toBeLessThan(0);
  });
});

describe('normalizeHexId', () => {
  it('lowercases and pads to full width, as stored IDs are written', () => {
    expect(normalizeHexId('ABC', 16)).toBe('0000000000000abc');
    expect(normalizeHexId('000abc', 16)).toBe('0000000000000abc');
    expect(normalizeHexId('1', 32)).toBe(`${'0'.repeat(31)}1`);
    expect(normalizeHexId('', 16)).toBe('');
    expect(normalizeHexId('xyz', 16)).toBe('xyz');
    expect(normalizeHexId('1'.repeat(17), 16)).toBe('1'.repeat(17));
  });
});

describe('fieldName', () => {
  it('prints fields as Tempo does', () => {
    expect(fieldName({ scope: 'resource', name: 'service.name' })).toBe('resource.service.name');
    expect(fieldName({ scope: 'unscoped', name: 'foo' })).toBe('.foo');
    expect(fieldName({ scope: 'span', name: 'a b' })).toBe('span."a b"');
    expect(fieldName({ scope: 'span', name: 'say "hi"' })).toBe('span."say \\"hi\\""');
    expect(fieldName({ scope: 'intrinsic', name: 'duration' })).toBe('duration');
    expect(fieldName({ scope: 'trace', name: 'rootServiceName' })).toBe('rootServiceName');
  });
});

describe('lineColumn', () => {
  it('counts lines and code points from 1', () => {
    expect(lineColumn('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('abc', 3)).toEqual({ line: 1, column: 4 });
    expect(lineColumn('a\nbc\nd', 4)).toEqual({ line: 2, column: 3 });
    expect(lineColumn('a\nbc\nd', 5)).toEqual({ line: 3, column: 1 });
    expect(lineColumn('😀x', 3)).toEqual({ line: 1, column: 3 });
  });
});
