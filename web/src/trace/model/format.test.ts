// @vitest-environment node
import { formatCount, formatDuration, formatTimestamp } from './format';

describe('formatDuration', () => {
  it.each([
    [0, '0ns'],
    [999, '999ns'],
    [1_500, '1.5μs'],
    [1_500_000, '1.5ms'],
    [123_456_789, '123.5ms'],
    [2_000_000_000, '2s'],
    [125e9, '2m 5s'],
    [3 * 3600e9 + 60e9, '3h 1m'],
    [-2e6, '-2ms'],
  ])('%d ns → %s', (ns, text) => {
    expect(formatDuration(ns)).toBe(text);
  });
});

describe('formatTimestamp', () => {
  it('formats in UTC with milliseconds', () => {
    expect(formatTimestamp(Date.UTC(2024, 4, 14, 9, 30, 5, 42), true)).toBe('2024-05-14 09:30:05.042 UTC');
  });

  it('formats in local time without a suffix', () => {
    const ms = Date.UTC(2024, 4, 14, 9, 30, 5, 42);
    const d = new Date(ms);
    expect(formatTimestamp(ms, false)).toBe(
      `2024-05-${String(d.getDate()).padStart(2, '0')} ${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:05.042`,
    );
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect([0, 999, 1000, 123456, 1234567, -4200].map(formatCount)).toEqual([
      '0',
      '999',
      '1,000',
      '123,456',
      '1,234,567',
      '-4,200',
    ]);
  });
});
