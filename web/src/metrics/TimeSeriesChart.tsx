import { type MouseEvent, useMemo, useState } from 'react';
import type { ExemplarTraceIdDestination } from '../api/client';
import { useShowUtc } from '../state/preferences';
import { ChartHover } from './ChartHover';
import { ChartLegend } from './ChartLegend';
import {
  buildScales,
  linePath,
  nearestTime,
  sampleTimes,
  timeTicks,
  valuesAt,
  valueTicks,
} from './chart-layout';
import type { ChartWindow } from './chart-window';
import { ExemplarDots } from './ExemplarDots';
import { type Exemplar, type ExemplarLink, thinExemplars } from './exemplars';
import type { ChartSeries } from './series';

/** More focusable dots than this help nobody; the slowest per time slice are kept. */
const MAX_EXEMPLAR_DOTS = 400;

export interface TimeSeriesChartProps {
  /** What the chart shows, for screen readers. */
  label: string;
  series: readonly ChartSeries[];
  exemplars: readonly Exemplar[];
  window: ChartWindow;
  width: number;
  height: number;
  unit: 's' | undefined;
  destinations: readonly ExemplarTraceIdDestination[];
  onFollowExemplar(link: ExemplarLink, exemplar: Exemplar): void;
}

/**
 * A time-series chart in SVG: time and value axes (d3-scale), one `<path>` per series, a legend
 * that isolates a series, a hover crosshair with values, and exemplar dots on the same scales.
 */
export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { series, window, width, height, unit } = props;
  const utc = useShowUtc();
  const [isolated, setIsolated] = useState<string | null>(null);
  const [hoverTime, setHoverTime] = useState<number | null>(null);

  const visible = useMemo(
    () =>
      isolated && series.some((s) => s.id === isolated) ? series.filter((s) => s.id === isolated) : series,
    [series, isolated],
  );
  const exemplars = useMemo(() => thinExemplars(props.exemplars, MAX_EXEMPLAR_DOTS), [props.exemplars]);
  const scales = useMemo(
    () => buildScales(visible, exemplars, { startMs: window.startMs, endMs: window.endMs, width, height }),
    [visible, exemplars, window.startMs, window.endMs, width, height],
  );
  const paths = useMemo(
    () => visible.map((line) => ({ line, d: linePath(line.points, scales, window.step * 1000) })),
    [visible, scales, window.step],
  );
  const times = useMemo(() => sampleTimes(visible), [visible]);
  const hoverValues = useMemo(
    () => (hoverTime === null ? [] : valuesAt(visible, hoverTime)),
    [visible, hoverTime],
  );

  const onMouseMove = (event: MouseEvent<HTMLDivElement>) => {
    const x = event.clientX - event.currentTarget.getBoundingClientRect().left;
    const { plot } = scales;
    if (x < plot.left || x > plot.left + plot.width) return setHoverTime(null);
    setHoverTime(nearestTime(times, scales.x.invert(x).getTime()) ?? null);
  };

  const { plot } = scales;
  return (
    <div className="metrics-chart">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the crosshair is a pointer aid; values are in the legend and dots are buttons */}
      <div
        className="metrics-chart__plot"
        style={{ width, height }}
        onMouseMove={onMouseMove}
        onMouseLeave={() => setHoverTime(null)}
      >
        <svg width={width} height={height} role="img" aria-label={props.label}>
          <g className="metrics-axis">
            {valueTicks(scales).map((tick) => (
              <g key={`y${tick.label}`}>
                <line x1={plot.left} x2={plot.left + plot.width} y1={tick.at} y2={tick.at} />
                <text x={plot.left - 6} y={tick.at} dy="0.32em" textAnchor="end">
                  {tick.label}
                </text>
              </g>
            ))}
            {timeTicks(scales, utc).map((tick) => (
              <text key={`x${tick.at}`} x={tick.at} y={plot.top + plot.height + 16} textAnchor="middle">
                {tick.label}
              </text>
            ))}
          </g>
          <g className="metrics-lines">
            {paths.map(({ line, d }) => (
              <path key={line.id} d={d} stroke={line.color} data-series={line.name} />
            ))}
          </g>
        </svg>
        {hoverTime !== null && (
          <ChartHover time={hoverTime} values={hoverValues} scales={scales} unit={unit} utc={utc} />
        )}
        <ExemplarDots
          exemplars={exemplars}
          scales={scales}
          unit={unit}
          destinations={props.destinations}
          utc={utc}
          onFollow={props.onFollowExemplar}
        />
      </div>
      <ChartLegend series={series} isolated={isolated} onIsolate={setIsolated} />
    </div>
  );
}
