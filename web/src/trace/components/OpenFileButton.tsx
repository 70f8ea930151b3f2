import { useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, useRef, useState } from 'react';
import { storeFileTrace } from '../../api/queries';
import { openTraceFile } from '../../api/trace-files';
import { useNavigate, useSearchParams } from '../../router/router';
import { traceHref } from '../../state/url-state';

/** Opens a trace from a JSON file (OTLP, Tempo or Jaeger) entirely in the browser. */
export function OpenFileButton() {
  const inputRef = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const client = useQueryClient();
  const navigate = useNavigate();
  const [params] = useSearchParams();

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    let text: string;
    try {
      text = await file.text();
    } catch {
      setError(`${file.name} could not be read.`);
      return;
    }
    const result = await openTraceFile(text, file.name);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setError(null);
    storeFileTrace(client, result.trace);
    navigate(traceHref(result.trace.layout.traceId, params, { source: 'file' }));
  };

  return (
    <div className="open-file">
      <button type="button" className="button button--ghost" onClick={() => inputRef.current?.click()}>
        Open file…
      </button>
      <input
        ref={inputRef}
        type="file"
        accept=".json,application/json"
        className="visually-hidden"
        aria-label="Trace JSON file"
        tabIndex={-1}
        onChange={onFile}
      />
      {error && (
        <div role="alert" className="popover file-error">
          <p>{error}</p>
          <button type="button" className="button button--ghost" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
