// @vitest-environment node
import {
  describeTimeRange,
  fromDateTimeInput,
  resolveTimeExpr,
  toDateTimeInput,
  validateTimeRange,
} from './time-range';

const NOW = Date.UTC(2024, 4, 14, 12, 0, 0);

describe('time range', () => {
  it('resolves Grafana-style expressions', () => {
    expect(resolveTimeExpr('now', NOW)).toBe(NOW);
    expect(resolveTimeExpr('now-15m', NOW)).toBe(NOW - 15 * 60_000);
    expect(resolveTimeExpr('now-7d', NOW)).toBe(NOW - 7 * 86_400_000);
    expect(resolveTimeExpr(String(NOW), NOW)).toBe(NOW);
    expect(resolveTimeExpr('yesterday', NOW)).toBeUndefined();
  });

  it('describes presets by name and absolute ranges by their ends', () => {
    expect(describeTimeRange({ from: 'now-1h', to: 'now' }, true, NOW)).toBe('Last 1 hour');
    expect(describeTimeRange({ from: String(NOW - 60_000), to: String(NOW) }, true, NOW)).toBe(
      '2024-05-14 11:59:00.000 UTC to 2024-05-14 12:00:00.000 UTC',
    );
  });

  it('validates absolute ranges', () => {
    expect(validateTimeRange({ from: String(NOW), to: String(NOW - 1) }, NOW)).toMatch(/after the start/);
    expect(validateTimeRange({ from: 'x', to: 'now' }, NOW)).toMatch(/start/);
    expect(validateTimeRange({ from: 'now-5m', to: 'now' }, NOW)).toBeUndefined();
  });

  it('round-trips datetime-local values in UTC', () => {
    expect(toDateTimeInput(NOW, true)).toBe('2024-05-14T12:00:00');
    expect(fromDateTimeInput('2024-05-14T12:00:00', true)).toBe(NOW);
    expect(fromDateTimeInput('garbage', true)).toBeUndefined();
  });
});
