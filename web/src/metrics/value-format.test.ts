import { formatTime, formatValue, formatWithUnit, guessUnit } from './value-format';

describe('value formatting', () => {
  it('keeps three significant digits with SI suffixes', () => {
    expect([0, 0.031, 1.2345, 1500, 2_340_000, 0.00002].map(formatValue)).toEqual([
      '0',
      '0.031',
      '1.23',
      '1.5k',
      '2.34M',
      '2.0e-5',
    ]);
  });

  it('reads seconds as ms below a second', () => {
    expect(formatWithUnit(0.31, 's')).toBe('310 ms');
    expect(formatWithUnit(1.25, 's')).toBe('1.25 s');
    expect(formatWithUnit(3, undefined)).toBe('3');
  });

  it('knows latency quantiles are seconds but counts are not', () => {
    expect(
      guessUnit('histogram_quantile(0.9, sum by (le) (rate(traces_spanmetrics_latency_bucket[1m])))'),
    ).toBe('s');
    expect(guessUnit('rate(traces_spanmetrics_latency_count[1m])')).toBeUndefined();
    expect(guessUnit('rate(traces_spanmetrics_latency_bucket[1m])')).toBeUndefined();
    expect(guessUnit('rate(traces_spanmetrics_calls_total[1m])')).toBeUndefined();
  });

  it('labels times more coarsely for longer ranges', () => {
    const t = Date.UTC(2024, 4, 14, 9, 30, 5);
    expect(formatTime(t, 5 * 60_000, true)).toBe('09:30:05');
    expect(formatTime(t, 3_600_000, true)).toBe('09:30');
    expect(formatTime(t, 7 * 86_400_000, true)).toBe('05-14 09:30');
  });
});
