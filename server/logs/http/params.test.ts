import { describe, expect, it } from 'vitest';
import { LogsRequestError } from '../errors';
import { parseRange, parseTime } from './params';

describe('Loki time parameters', () => {
  it('reads nanoseconds, seconds (whole or fractional) and RFC3339 like Loki', () => {
    expect(parseTime('1700000000123456789', 'start')).toEqual({ ms: 1700000000123, ns: 456789 });
    expect(parseTime('1700000000', 'start')).toEqual({ ms: 1700000000000, ns: 0 });
    expect(parseTime('1700000000.5', 'start')).toEqual({ ms: 1700000000500, ns: 0 });
    expect(parseTime('2023-11-14T22:13:20.000000123Z', 'start')).toEqual({ ms: 1700000000000, ns: 123 });
    expect(parseTime('2023-11-14T23:13:20+01:00', 'start')).toEqual({ ms: 1700000000000, ns: 0 });
    expect(() => parseTime('soon', 'start')).toThrow(LogsRequestError);
  });

  it('defaults to the last hour and takes since relative to end', () => {
    expect(parseRange({}, 10_000_000)).toEqual({
      startMs: 10_000_000 - 3600_000,
      startNs: 0,
      endMs: 10_000_000,
      endNs: 0,
    });
    expect(parseRange({ end: '100', since: '30s' })).toEqual({
      startMs: 70_000,
      startNs: 0,
      endMs: 100_000,
      endNs: 0,
    });
  });
});
