import { scaleLinear, scaleTime } from 'd3-scale';
import { type MouseEvent, useMemo, useRef, useState } from 'react';
import { useElementWidth } from '../metrics/use-element-width';
import { useTooltipPlacement } from '../metrics/use-tooltip-placement';
import { formatTime } from '../metrics/value-format';
import { useShowUtc } from '../state/preferences';
import { formatDuration, formatTimestamp } from '../trace/model/format';
import { rootLabel, type TraceRow } from './search-results';

const HEIGHT = 150;
const MARGIN = { top: 8, right: 16, bottom: 22, left: 60 };
/** How close (px) the pointer must be to a dot to pick it. */
const PICK_RADIUS = 12;

interface DurationScatterProps {
  rows: readonly TraceRow[];
  openTrace(traceId: string): void;
}

/**
 * Jaeger's scatter above the results: each trace a dot at its start time and duration, error
 * traces red, the size growing with the span count. Hover shows the trace, a click opens it.
 * All dots are two `<path>`s (healthy, failed) and the pointer has one handler that finds the
 * nearest dot by distance: a thousand `<circle>`s took 50–100 ms to create, style and paint on
 * this machine, two paths a few. The table below is the keyboard path to the same traces.
 */
interface Dot {
  row: TraceRow;
  cx: number;
  cy: number;
  r: number;
}

/** One path of circles (`M` to the centre, then two arcs): the failed traces' or the others'. */
function dotsPath(dots: readonly Dot[], failed: boolean): string {
  let d = '';
  for (const { row, cx, cy, r } of dots) {
    if (row.errorCount > 0 !== failed) continue;
    const x = cx.toFixed(1);
    const y = cy.toFixed(1);
    d += `M${x},${y}m${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
  }
  return d;
}

export function DurationScatter({ rows, openTrace }: DurationScatterProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const width = useElementWidth(boxRef, 800);
  const utc = useShowUtc();
  const [hovered, setHovered] = useState<number | null>(null);

  const chart = useMemo(() => {
    const starts = rows.map((r) => r.startMs);
    let [minX, maxX] = [Math.min(...starts), Math.max(...starts)];
    // One trace, or all at once: give the axis a minute around them.
    if (maxX - minX < 1000) [minX, maxX] = [minX - 30_000, maxX + 30_000];
    const pad = (maxX - minX) * 0.03;
    const maxY = Math.max(1, ...rows.map((r) => r.durationMs));
    const x = scaleTime()
      .domain([minX - pad, maxX + pad])
      .range([MARGIN.left, Math.max(MARGIN.left + 10, width - MARGIN.right)]);
    const y = scaleLinear()
      .domain([0, maxY * 1.1])
      .range([HEIGHT - MARGIN.bottom, MARGIN.top])
      .nice();
    const dots: Dot[] = rows.map((row) => ({
      row,
      cx: x(row.startMs),
      cy: y(row.durationMs),
      // Half-pixel steps keep the path short; bigger traces get bigger dots (as in Jaeger).
      r: Math.round(2 * (3 + Math.min(5, Math.log2(Math.max(1, row.spanCount ?? 1)) / 2))) / 2,
    }));
    return { x, y, dots, rangeMs: maxX - minX, ok: dotsPath(dots, false), failed: dotsPath(dots, true) };
  }, [rows, width]);

  const pick = (event: MouseEvent<SVGSVGElement>): number | null => {
    const box = event.currentTarget.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    let best: number | null = null;
    let bestDistance = PICK_RADIUS ** 2;
    chart.dots.forEach((dot, i) => {
      const distance = (dot.cx - px) ** 2 + (dot.cy - py) ** 2;
      if (distance <= bestDistance) [best, bestDistance] = [i, distance];
    });
    return best;
  };

  const shown = hovered === null ? undefined : chart.dots[hovered];
  const tooltip = useRef<HTMLDivElement>(null);
  // Beside the dot, on whichever side (and above or below) keeps all of it in view.
  const placement = useTooltipPlacement(
    tooltip,
    shown && { x: shown.cx, y: shown.cy },
    { gap: 12, lift: 12 },
    hovered,
  );
  const errors = rows.filter((r) => r.errorCount > 0).length;

  return (
    <div ref={boxRef} className="search-scatter">
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: a pointer shortcut; the table below is the keyboard path */}
      <svg
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`Duration over time of ${rows.length} traces, ${errors} with errors`}
        data-hovered={shown ? shown.row.traceId : undefined}
        onMouseMove={(e) => setHovered(pick(e))}
        onMouseLeave={() => setHovered(null)}
        onClick={(e) => {
          const i = pick(e);
          if (i !== null) openTrace(chart.dots[i].row.traceId);
        }}
        style={{ cursor: shown ? 'pointer' : 'default' }}
      >
        <g className="metrics-axis">
          {chart.y.ticks(4).map((tick) => (
            <g key={tick} transform={`translate(0,${chart.y(tick)})`}>
              <line x1={MARGIN.left} x2={width - MARGIN.right} />
              <text x={MARGIN.left - 6} dy="0.32em" textAnchor="end">
                {formatDuration(tick * 1e6)}
              </text>
            </g>
          ))}
          {chart.x.ticks(Math.max(2, Math.floor(width / 140))).map((tick) => (
            <text key={tick.getTime()} x={chart.x(tick)} y={HEIGHT - 4} textAnchor="middle">
              {formatTime(tick.getTime(), chart.rangeMs, utc)}
            </text>
          ))}
        </g>
        <path className="scatter-dot" d={chart.ok} />
        <path className="scatter-dot scatter-dot--error" d={chart.failed} />
        {shown && <circle className="scatter-dot-hovered" cx={shown.cx} cy={shown.cy} r={shown.r + 2} />}
      </svg>
      {shown && (
        <div
          ref={tooltip}
          role="tooltip"
          className="metrics-tooltip search-scatter-tooltip"
          style={placement}
        >
          <div className="metrics-tooltip__title">{rootLabel(shown.row)}</div>
          <div>
            {formatDuration(shown.row.durationMs * 1e6)}
            {shown.row.spanCount !== undefined && `, ${shown.row.spanCount} spans`}
            {shown.row.errorCount > 0 && `, ${shown.row.errorCount} errors`}
          </div>
          <div className="muted">{formatTimestamp(shown.row.startMs, utc)}</div>
          <div className="muted mono">{shown.row.traceId}</div>
        </div>
      )}
    </div>
  );
}
