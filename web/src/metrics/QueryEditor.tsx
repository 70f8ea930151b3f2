import { useId } from 'react';

interface QueryEditorProps {
  index: number;
  value: string;
  suggestionsId: string;
  canRemove: boolean;
  onChange(value: string): void;
  onRun(): void;
  onRemove(): void;
}

/** One PromQL box: Enter runs every query, metric names are suggested as you type. */
export function QueryEditor({
  index,
  value,
  suggestionsId,
  canRemove,
  onChange,
  onRun,
  onRemove,
}: QueryEditorProps) {
  const inputId = useId();
  return (
    <div className="metrics-query">
      <label htmlFor={inputId} className="visually-hidden">
        PromQL query {index + 1}
      </label>
      <input
        id={inputId}
        className="input metrics-query__input"
        value={value}
        list={suggestionsId}
        spellCheck={false}
        autoComplete="off"
        placeholder="e.g. histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket[1m])))"
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter') {
            event.preventDefault();
            onRun();
          }
        }}
      />
      {canRemove && (
        <button
          type="button"
          className="button button--ghost"
          aria-label={`Remove query ${index + 1}`}
          onClick={onRemove}
        >
          ✕
        </button>
      )}
    </div>
  );
}
