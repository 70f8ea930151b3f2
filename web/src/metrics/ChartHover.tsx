import { useRef } from 'react';
import type { ChartScales, HoverValue } from './chart-layout';
import { useTooltipPlacement } from './use-tooltip-placement';
import { formatTime, formatWithUnit } from './value-format';

/** The tooltip lists this many series at most, highest values first. */
const MAX_TOOLTIP_ROWS = 10;

interface ChartHoverProps {
  time: number;
  values: readonly HoverValue[];
  scales: ChartScales;
  unit: 's' | undefined;
  utc: boolean;
}

/** The crosshair at the hovered sample time and a tooltip of each series' value there. */
export function ChartHover({ time, values, scales, unit, utc }: ChartHoverProps) {
  const x = scales.x(time);
  const { plot } = scales;
  const [start, end] = scales.x.domain();
  const rows = values.slice(0, MAX_TOOLTIP_ROWS);
  const tooltip = useRef<HTMLDivElement>(null);
  // Left of the crosshair on the right half of the chart, so it mostly stays over the chart; on
  // the other side, or moved up, wherever that would leave part of it out of view.
  const placement = useTooltipPlacement(
    tooltip,
    { x, y: plot.top },
    { gap: 12, lift: 0, prefer: x > plot.left + plot.width / 2 ? 'left' : 'right' },
    time,
  );
  return (
    <>
      <svg className="metrics-crosshair" width="100%" height="100%" aria-hidden="true">
        <line x1={x} x2={x} y1={plot.top} y2={plot.top + plot.height} />
        {rows.map(({ series, value }) => (
          <circle key={series.id} cx={x} cy={scales.y(value)} r={3} fill={series.color} />
        ))}
      </svg>
      <div ref={tooltip} className="metrics-tooltip metrics-tooltip--values" role="status" style={placement}>
        <div className="metrics-tooltip__title">
          {formatTime(time, Math.min(end.getTime() - start.getTime(), 600_000), utc)}
        </div>
        {rows.length === 0 && <div className="muted small">No value at this time</div>}
        <table>
          <tbody>
            {rows.map(({ series, value }) => (
              <tr key={series.id}>
                <td>
                  <span
                    className="metrics-legend__swatch"
                    style={{ background: series.color }}
                    aria-hidden="true"
                  />
                  {series.name}
                </td>
                <td className="metrics-tooltip__value">{formatWithUnit(value, unit)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {values.length > rows.length && (
          <div className="muted small">and {values.length - rows.length} more</div>
        )}
      </div>
    </>
  );
}
