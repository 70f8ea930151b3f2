import type { ChartSeries } from './series';

/** Past this many series the legend says how many more there are instead of listing them. */
const MAX_LEGEND_ITEMS = 100;

interface ChartLegendProps {
  series: readonly ChartSeries[];
  /** The series shown alone, if one is. */
  isolated: string | null;
  onIsolate(id: string | null): void;
}

/** One entry per series; clicking one shows it alone, clicking it again shows them all. */
export function ChartLegend({ series, isolated, onIsolate }: ChartLegendProps) {
  if (series.length === 0) return null;
  const shown = series.slice(0, MAX_LEGEND_ITEMS);
  return (
    <ul className="metrics-legend" aria-label="Series">
      {shown.map((line) => (
        <li key={line.id}>
          <button
            type="button"
            className="metrics-legend__item"
            aria-pressed={isolated === line.id}
            data-dimmed={isolated !== null && isolated !== line.id}
            title={isolated === line.id ? 'Show all series' : 'Show only this series'}
            onClick={() => onIsolate(isolated === line.id ? null : line.id)}
          >
            <span className="metrics-legend__swatch" style={{ background: line.color }} aria-hidden="true" />
            {line.name}
          </button>
        </li>
      ))}
      {series.length > shown.length && (
        <li className="muted small">and {series.length - shown.length} more series</li>
      )}
    </ul>
  );
}
