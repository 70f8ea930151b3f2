import { chartWindow } from './chart-window';

const NOW = Date.UTC(2024, 4, 14, 10, 0, 7);

describe('chartWindow', () => {
  it('resolves a relative range and aligns both ends to the step', () => {
    const w = chartWindow({ from: 'now-1h', to: 'now' }, NOW, 1200);
    expect(w?.step).toBe(15);
    expect(w?.end).toBe(Math.ceil(NOW / 1000 / 15) * 15);
    expect(w && w.end * 1000).toBeGreaterThanOrEqual(NOW);
    expect(w && w.end - w.start).toBe(3615);
    expect(w?.startMs).toBe((w?.start ?? 0) * 1000);
  });

  it('refuses a range it cannot read or that ends before it starts', () => {
    expect(chartWindow({ from: 'yesterday', to: 'now' }, NOW, 1000)).toBeUndefined();
    expect(chartWindow({ from: 'now', to: 'now-1h' }, NOW, 1000)).toBeUndefined();
  });
});
