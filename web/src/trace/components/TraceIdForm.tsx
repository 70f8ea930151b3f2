import { type FormEvent, useId, useState } from 'react';
import { useNavigate, useSearchParams } from '../../router/router';
import { traceHref } from '../../state/url-state';
import { parseTraceIdInput } from '../model/ids';

interface TraceIdFormProps {
  variant: 'compact' | 'large' | 'pane';
  /** Called with the parsed ID instead of going to `/trace/<id>` (a trace pane in Explore). */
  onOpen?(traceId: string): void;
  /** The form's accessible name. */
  label?: string;
}

/**
 * The trace-ID box: validates inline (no request for an ID the API would refuse) and opens
 * `/trace/<id>` on Enter. The global time range does not narrow a lookup by ID.
 */
export function TraceIdForm({ variant, onOpen, label = 'Open a trace' }: TraceIdFormProps) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const inputId = useId();
  const errorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseTraceIdInput(value);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setValue('');
    if (onOpen) onOpen(parsed.id);
    else navigate(traceHref(parsed.id, params));
  };

  return (
    <form className={`trace-id-form trace-id-form--${variant}`} aria-label={label} onSubmit={submit}>
      <label htmlFor={inputId} className={variant === 'compact' ? 'visually-hidden' : 'field-label'}>
        Trace ID
      </label>
      <div className="trace-id-row">
        <input
          id={inputId}
          className="input trace-id-input"
          value={value}
          placeholder="Paste a trace ID and press Enter"
          spellCheck={false}
          autoComplete="off"
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
          onChange={(e) => {
            setValue(e.target.value);
            if (error) setError(null);
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
