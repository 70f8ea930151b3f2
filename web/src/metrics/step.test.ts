import { chooseStep, formatStep } from './step';

describe('chooseStep', () => {
  it('never asks for finer data than the scrape interval', () => {
    expect(chooseStep(60 * 60_000, 1200)).toBe(15);
    expect(chooseStep(5 * 60_000, 1200, 1)).toBe(1);
  });

  it('gives about one point per pixel, rounded up to a nice step', () => {
    // 6 h over 1000 px = 21.6 s per pixel
    expect(chooseStep(6 * 3_600_000, 1000)).toBe(30);
    // 7 d over 1000 px = 604.8 s per pixel
    expect(chooseStep(7 * 86_400_000, 1000)).toBe(900);
  });

  it('stays under the 11,000 points Prometheus allows per series', () => {
    const rangeMs = 30 * 86_400_000;
    const step = chooseStep(rangeMs, 1_000_000, 1);
    expect(rangeMs / 1000 / step).toBeLessThanOrEqual(11_000);
  });

  it('writes steps as PromQL durations', () => {
    expect([15, 120, 3600, 86400].map(formatStep)).toEqual(['15s', '2m', '1h', '1d']);
  });
});
