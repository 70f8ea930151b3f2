import {
  buildScales,
  exemplarPosition,
  linePath,
  nearestTime,
  sampleTimes,
  timeTicks,
  valuesAt,
  valueTicks,
} from './chart-layout';
import type { Exemplar } from './exemplars';
import type { ChartSeries } from './series';

const T0 = Date.UTC(2024, 4, 14, 9, 0, 0);
const STEP = 15_000;

function line(id: string, values: (number | null)[]): ChartSeries {
  const points = values.flatMap((v, i) => (v === null ? [] : [{ t: T0 + i * STEP, v }]));
  return { id, name: id, labels: {}, points, color: '#fff' };
}

const exemplar = (t: number, value: number): Exemplar => ({ t, value, labels: {}, seriesLabels: {} });

const scalesFor = (series: ChartSeries[], exemplars: Exemplar[] = []) =>
  buildScales(series, exemplars, { startMs: T0, endMs: T0 + 4 * STEP, width: 500, height: 200 });

describe('chart scales', () => {
  it('spans the time range across the plot and values from 0 to a nice maximum', () => {
    const scales = scalesFor([line('a', [1, 3, 7.3])]);
    expect(scales.x(T0)).toBe(scales.plot.left);
    expect(scales.x(T0 + 4 * STEP)).toBe(scales.plot.left + scales.plot.width);
    expect(scales.y.domain()).toEqual([0, 8]);
    expect(scales.y(0)).toBe(scales.plot.top + scales.plot.height);
  });

  it('stretches the value axis to show an exemplar above every line', () => {
    const scales = scalesFor([line('a', [1, 2])], [exemplar(T0 + STEP, 40)]);
    expect(scales.y.domain()[1]).toBeGreaterThanOrEqual(40);
    const dot = exemplarPosition(exemplar(T0 + STEP, 40), scales);
    expect(dot?.y).toBeGreaterThanOrEqual(scales.plot.top);
  });

  it('has a usable axis for a flat or empty chart', () => {
    expect(scalesFor([]).y.domain()).toEqual([0, 1]);
    expect(valueTicks(scalesFor([line('a', [0, 0])])).length).toBeGreaterThan(1);
  });

  it('labels ticks in order along both axes', () => {
    const scales = scalesFor([line('a', [1500, 2500])]);
    const ys = valueTicks(scales);
    expect(ys.map((t) => t.label)).toContain('1k');
    expect(ys[0].at).toBeGreaterThan(ys[ys.length - 1].at);
    const xs = timeTicks(scales, true);
    expect(xs[0].label).toMatch(/^09:00/);
    expect(xs.every((t, i) => i === 0 || t.at > xs[i - 1].at)).toBe(true);
  });
});

describe('line paths', () => {
  it('draws one connected line through consecutive samples', () => {
    const scales = scalesFor([line('a', [1, 2, 3])]);
    const path = linePath(line('a', [1, 2, 3]).points, scales, STEP);
    expect(path.match(/M/g)).toHaveLength(1);
    expect(path.match(/L/g)).toHaveLength(2);
  });

  it('breaks the line where samples are missing, and marks a lone sample', () => {
    const series = line('a', [1, 2, null, 4]);
    const path = linePath(series.points, scalesFor([series]), STEP);
    expect(path.match(/M/g)).toHaveLength(2);
    expect(path.endsWith('h0')).toBe(true);
  });
});

describe('hover', () => {
  it('snaps to the nearest sample time and lists each line value there, highest first', () => {
    const series = [line('low', [1, 2, 3]), line('high', [10, null, 30])];
    const times = sampleTimes(series);
    expect(times).toEqual([T0, T0 + STEP, T0 + 2 * STEP]);
    expect(nearestTime(times, T0 + STEP * 0.4)).toBe(T0);
    expect(nearestTime(times, T0 + STEP * 0.6)).toBe(T0 + STEP);
    expect(nearestTime(times, T0 + STEP * 9)).toBe(T0 + 2 * STEP);
    expect(nearestTime([], T0)).toBeUndefined();
    expect(valuesAt(series, T0 + 2 * STEP).map((v) => [v.series.id, v.value])).toEqual([
      ['high', 30],
      ['low', 3],
    ]);
    expect(valuesAt(series, T0 + STEP).map((v) => v.series.id)).toEqual(['low']);
  });

  it('places no dot for an exemplar outside the time range', () => {
    const scales = scalesFor([line('a', [1])]);
    expect(exemplarPosition(exemplar(T0 - 60_000, 1), scales)).toBeUndefined();
    expect(exemplarPosition(exemplar(T0 + STEP, 1), scales)).toEqual({
      x: expect.closeTo(scales.x(T0 + STEP), 0),
      y: expect.closeTo(scales.y(1), 0),
    });
  });
});
