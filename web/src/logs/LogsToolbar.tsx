import { useId } from 'react';
import type { Direction } from './log-rows';

export const LIMITS = [100, 500, 1000] as const;

export interface LogsOptions {
  limit: number;
  direction: Direction;
  live: boolean;
}

/** Line limit, order and the "Live" refresh, with a count of what is shown. */
export function LogsToolbar({
  options,
  onChange,
  summary,
}: {
  options: LogsOptions;
  onChange(next: LogsOptions): void;
  summary: string;
}) {
  const limitId = useId();
  const directionId = useId();
  return (
    <div className="logs-toolbar">
      <label htmlFor={limitId} className="inline-label">
        Limit
      </label>
      <select
        id={limitId}
        className="input"
        value={options.limit}
        onChange={(e) => onChange({ ...options, limit: Number(e.target.value) })}
      >
        {LIMITS.map((limit) => (
          <option key={limit} value={limit}>
            {limit} lines
          </option>
        ))}
      </select>
      <label htmlFor={directionId} className="inline-label">
        Order
      </label>
      <select
        id={directionId}
        className="input"
        value={options.direction}
        onChange={(e) => onChange({ ...options, direction: e.target.value as Direction })}
      >
        <option value="backward">Newest first</option>
        <option value="forward">Oldest first</option>
      </select>
      <button
        type="button"
        className="button"
        aria-pressed={options.live}
        title="Ask again every 5 seconds"
        onClick={() => onChange({ ...options, live: !options.live })}
      >
        {options.live ? '● Live' : 'Live'}
      </button>
      <span className="logs-summary muted" aria-live="polite">
        {summary}
      </span>
    </div>
  );
}
