import { type FormEvent, useId, useState } from 'react';
import { parseTraceIdInput } from '../trace-model/ids';

/** A trace pane opened without an ID asks for one. */
export function TraceIdPrompt({ onOpen }: { onOpen(traceId: string): void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const errorId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseTraceIdInput(value);
    if (!parsed.ok) setError(parsed.error);
    else onOpen(parsed.id);
  };
  return (
    <form className="trace-id-prompt" aria-label="Open a trace in this pane" onSubmit={submit}>
      <label htmlFor={inputId} className="field-label">
        Trace ID
      </label>
      <div className="trace-id-row">
        <input
          id={inputId}
          className="input trace-id-input"
          value={value}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            setValue(e.target.value);
            setError(null);
          }}
        />
        <button type="submit" className="button button--primary">
          Open
        </button>
      </div>
      {error && (
        <p id={errorId} role="alert" className="field-error">
          {error}
        </p>
      )}
    </form>
  );
}
