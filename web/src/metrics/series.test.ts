import { SERIES_COLORS, seriesName, toChartSeries } from './series';

describe('toChartSeries', () => {
  it('names series as Prometheus prints them, labels in name order', () => {
    expect(seriesName({ service: 'api', __name__: 'up', job: 'x' })).toBe('up{job="x", service="api"}');
    expect(seriesName({})).toBe('{}');
  });

  it('drops NaN and infinite samples so the line breaks there, and converts times to ms', () => {
    const [line] = toChartSeries([
      [
        {
          metric: { service: 'a' },
          values: [
            [100, '1'],
            [115, 'NaN'],
            [130, '+Inf'],
            [145, '2.5'],
          ],
        },
      ],
    ]);
    expect(line.points).toEqual([
      { t: 100_000, v: 1 },
      { t: 145_000, v: 2.5 },
    ]);
  });

  it('colours series by name order, whatever order the server sent them in', () => {
    const a = { metric: { service: 'a' }, values: [] as [number, string][] };
    const b = { metric: { service: 'b' }, values: [] as [number, string][] };
    const one = toChartSeries([[b, a]]);
    const two = toChartSeries([[a, b]]);
    expect(one.map((s) => [s.name, s.color])).toEqual(two.map((s) => [s.name, s.color]));
    expect(one[0].color).not.toBe(one[1].color);
    expect(one[0].color).toBe(SERIES_COLORS[0]);
  });

  it('uses a fixed name for label-less results of several queries', () => {
    const lines = toChartSeries([[{ metric: {}, values: [] }], [{ metric: {}, values: [] }]], ['p50', 'p99']);
    expect(lines.map((l) => l.name)).toEqual(['p50', 'p99']);
    expect(new Set(lines.map((l) => l.id)).size).toBe(2);
  });

  it('names a label-less series by its query, and labelled ones by their labels', () => {
    const lines = toChartSeries(
      [[{ metric: {}, values: [] }], [{ metric: { service: 'a' }, values: [] }]],
      [],
      ['sum(rate(x[1m]))', 'sum by (service) (rate(x[1m]))'],
    );
    expect(lines.map((l) => l.name)).toEqual(['sum(rate(x[1m]))', '{service="a"}']);
  });
});
