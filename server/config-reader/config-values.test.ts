import { ConfigError, parseGoDuration, readEndpoint } from './config-values';

describe('Go durations', () => {
  it.each([
    ['10s', 10_000],
    ['5m', 300_000],
    ['168h', 604_800_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['1.1s', 1100],
    ['300us', 0.3],
    ['2µs', 0.002],
    ['0', 0],
    ['+10s', 10_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '10', 's', '10x', '-5s', '1h 30m', '.s', '10S'])('%j is not a duration', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});

describe('receiver endpoints', () => {
  it.each([
    ['0.0.0.0:4317', '0.0.0.0', 4317],
    ['localhost:4318', 'localhost', 4318],
    [':4317', '0.0.0.0', 4317],
    ['[::]:4317', '::', 4317],
    ['[::1]:0', '::1', 0],
  ])('%s listens on %s port %d', (text, host, port) => {
    expect(readEndpoint(text, 'k')).toEqual({ host, port });
  });

  it.each(['localhost', 'localhost:abc', '0.0.0.0:70000', '::1:4317', 4317])('%j is refused', (value) => {
    expect(() => readEndpoint(value, 'distributor.x.endpoint')).toThrow(ConfigError);
  });
});
