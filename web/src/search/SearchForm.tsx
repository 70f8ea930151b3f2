import { type FormEvent, useId } from 'react';
import type { TimeRange } from '../state/time-range';
import { buildTraceQL, type DurationTarget, type SearchFormInput, type StatusChoice } from './traceql-build';
import { useTagValues } from './use-search';

interface SearchFormProps {
  input: SearchFormInput;
  onChange(next: SearchFormInput): void;
  /** Runs the TraceQL the form wrote. */
  onRun(query: string): void;
  /** Puts the TraceQL the form wrote into the editor, to refine it there. */
  onCopyToEditor(query: string): void;
  range: TimeRange;
  tenant: string;
}

/**
 * Search without writing TraceQL (Jaeger's and Grafana's search form): service, span name, tags,
 * durations and status. It shows the TraceQL it writes, which is what it runs.
 */
export function SearchForm({ input, onChange, onRun, onCopyToEditor, range, tenant }: SearchFormProps) {
  const services = useTagValues('resource.service.name', range, tenant);
  const spanNames = useTagValues('name', range, tenant);
  const built = buildTraceQL(input);
  const namesId = useId();
  const set = <K extends keyof SearchFormInput>(key: K, value: SearchFormInput[K]) =>
    onChange({ ...input, [key]: value });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onRun(built.query);
  };
  // The chosen service stays selectable while the list loads, or if it is no longer in the range.
  const serviceNames = [...new Set([...(services.data ?? []).map((v) => v.value), input.service])]
    .filter(Boolean)
    .sort();

  return (
    <form className="search-form" aria-label="Search form" onSubmit={submit}>
      <div className="search-form-grid">
        <label className="field-label">
          Service
          <select className="input" value={input.service} onChange={(e) => set('service', e.target.value)}>
            <option value="">Any service</option>
            {serviceNames.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label className="field-label">
          Span name
          <input
            className="input"
            list={namesId}
            value={input.spanName}
            placeholder="Any span name"
            autoComplete="off"
            onChange={(e) => set('spanName', e.target.value)}
          />
          <datalist id={namesId}>
            {(spanNames.data ?? []).map((v) => (
              <option key={v.value} value={v.value} />
            ))}
          </datalist>
        </label>
        <label className="field-label search-form-tags">
          Tags
          <input
            className="input"
            value={input.tags}
            placeholder='http.status_code=500 customer_id="42"'
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => set('tags', e.target.value)}
          />
        </label>
        <label className="field-label">
          Min duration
          <input
            className="input"
            value={input.minDuration}
            placeholder="e.g. 100ms"
            onChange={(e) => set('minDuration', e.target.value)}
          />
        </label>
        <label className="field-label">
          Max duration
          <input
            className="input"
            value={input.maxDuration}
            placeholder="e.g. 2s"
            onChange={(e) => set('maxDuration', e.target.value)}
          />
        </label>
        <label className="field-label">
          Duration of
          <select
            className="input"
            value={input.durationOf}
            onChange={(e) => set('durationOf', e.target.value as DurationTarget)}
          >
            <option value="span">a span</option>
            <option value="trace">the trace</option>
          </select>
        </label>
        <label className="field-label">
          Status
          <select
            className="input"
            value={input.status}
            onChange={(e) => set('status', e.target.value as StatusChoice)}
          >
            <option value="">Any status</option>
            <option value="error">Error</option>
            <option value="ok">OK</option>
            <option value="unset">Unset</option>
          </select>
        </label>
      </div>
      <div className="search-form-query">
        <span className="inline-label">TraceQL</span>
        <output className="search-form-traceql" aria-label="TraceQL written by the form" aria-live="polite">
          {built.query}
        </output>
      </div>
      {built.problems.length > 0 && (
        <ul className="field-error search-form-problems">
          {built.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <div className="search-form-actions">
        <button type="submit" className="button button--primary">
          Run query
        </button>
        <button type="button" className="button" onClick={() => onCopyToEditor(built.query)}>
          Copy to editor
        </button>
      </div>
    </form>
  );
}
