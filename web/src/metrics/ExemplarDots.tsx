import { useId, useRef, useState } from 'react';
import type { ExemplarTraceIdDestination } from '../api/client';
import { type ChartScales, exemplarPosition } from './chart-layout';
import { type Exemplar, type ExemplarLink, exemplarLinks } from './exemplars';
import { seriesName } from './series';
import { useTooltipPlacement } from './use-tooltip-placement';
import { formatTime, formatWithUnit } from './value-format';

interface ExemplarDotsProps {
  exemplars: readonly Exemplar[];
  scales: ChartScales;
  unit: 's' | undefined;
  destinations: readonly ExemplarTraceIdDestination[];
  utc: boolean;
  onFollow(link: ExemplarLink, exemplar: Exemplar): void;
}

function exemplarLabel(exemplar: Exemplar, link: ExemplarLink | undefined, unit: 's' | undefined): string {
  const value = formatWithUnit(exemplar.value, unit);
  if (link?.kind === 'trace') return `Exemplar ${value}, trace ${link.traceId.slice(0, 8)}…`;
  if (link?.kind === 'url') return `Exemplar ${value}, ${link.label}`;
  return `Exemplar ${value}`;
}

/**
 * Exemplars as buttons over the chart, at their time and value: keyboard focusable, hover or
 * focus shows their labels, a click follows the first configured trace link they carry.
 */
export function ExemplarDots({ exemplars, scales, unit, destinations, utc, onFollow }: ExemplarDotsProps) {
  const [active, setActive] = useState<number | null>(null);
  const tooltipId = useId();
  const [start, end] = scales.x.domain();
  const rangeMs = end.getTime() - start.getTime();

  const dots = exemplars.flatMap((exemplar, index) => {
    const at = exemplarPosition(exemplar, scales);
    if (!at) return [];
    return [{ exemplar, index, at, link: exemplarLinks(exemplar.labels, destinations)[0] }];
  });
  const shown = dots.find((d) => d.index === active);
  const tooltip = useRef<HTMLDivElement>(null);
  // Beside the dot, on whichever side (and above or below) keeps all of it in view.
  const placement = useTooltipPlacement(tooltip, shown?.at, { gap: 10, lift: 10 }, shown?.index);

  return (
    <>
      {dots.map(({ exemplar, index, at, link }) => (
        <button
          key={`${exemplar.t}-${index}`}
          type="button"
          className="exemplar-dot"
          style={{ left: at.x, top: at.y }}
          aria-label={exemplarLabel(exemplar, link, unit)}
          aria-describedby={active === index ? tooltipId : undefined}
          data-linked={link !== undefined}
          onMouseEnter={() => setActive(index)}
          onMouseLeave={() => setActive((current) => (current === index ? null : current))}
          onFocus={() => setActive(index)}
          onBlur={() => setActive((current) => (current === index ? null : current))}
          onClick={() => link && onFollow(link, exemplar)}
        />
      ))}
      {shown && (
        <div ref={tooltip} id={tooltipId} role="tooltip" className="metrics-tooltip" style={placement}>
          <div className="metrics-tooltip__title">Exemplar {formatWithUnit(shown.exemplar.value, unit)}</div>
          <div className="muted small">{formatTime(shown.exemplar.t, Math.min(rangeMs, 600_000), utc)}</div>
          <dl className="metrics-tooltip__labels">
            {Object.entries(shown.exemplar.labels).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          {Object.keys(shown.exemplar.seriesLabels).length > 0 && (
            <div className="muted small">{seriesName(shown.exemplar.seriesLabels)}</div>
          )}
          <div className="small">
            {shown.link?.kind === 'trace' && 'Click to open the trace'}
            {shown.link?.kind === 'url' && `Click: ${shown.link.label}`}
            {!shown.link && 'No trace link in its labels'}
          </div>
        </div>
      )}
    </>
  );
}
