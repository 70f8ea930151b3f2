import { useId, useMemo, useState } from 'react';
import { plural } from '../model/build-model';
import { EMPTY_FILTER, type SpanFilterInput } from '../model/filter';
import { formatCount } from '../model/format';
import type { TraceLayout } from '../model/layout';
import type { TraceViewState } from './use-trace-view';

/**
 * Filter spans within the trace. The inputs keep their own draft (typing stays instant) and write
 * through to the URL, from which the matches are computed.
 */
export function SpanFilterBar({ layout, view }: { layout: TraceLayout; view: TraceViewState }) {
  const [draft, setDraft] = useState<SpanFilterInput>(view.filterInput);
  const services = useMemo(() => [...layout.services].sort(byNameIgnoringCase), [layout]);
  const ids = { attr: useId(), minDur: useId() };
  const update = (patch: Partial<SpanFilterInput>) => {
    const next = { ...draft, ...patch };
    setDraft(next);
    view.setFilter(next);
  };
  const matchCount = view.matches?.indices.length ?? 0;
  const problems = view.filterProblems;

  return (
    <form className="filter-bar" aria-label="Filter spans" onSubmit={(e) => e.preventDefault()}>
      <label className="filter-field">
        <span className="inline-label">Service</span>
        <select className="input" value={draft.service} onChange={(e) => update({ service: e.target.value })}>
          <option value="">All services</option>
          {services.map((s) => (
            <option key={s} value={s}>
              {s || '(no service name)'}
            </option>
          ))}
        </select>
      </label>
      <label className="filter-field">
        <span className="inline-label">Operation</span>
        <input
          className="input"
          type="search"
          value={draft.text}
          placeholder="name contains…"
          onChange={(e) => update({ text: e.target.value })}
        />
      </label>
      <label className="filter-field filter-field--wide">
        <span className="inline-label">Attributes</span>
        <input
          className="input"
          value={draft.attributes}
          placeholder="http.response.status_code=500"
          spellCheck={false}
          aria-invalid={problems.attributes !== undefined}
          aria-describedby={problems.attributes ? ids.attr : undefined}
          onChange={(e) => update({ attributes: e.target.value })}
        />
      </label>
      <label className="filter-field filter-field--narrow">
        <span className="inline-label">Min duration</span>
        <input
          className="input"
          value={draft.minDuration}
          placeholder="100ms"
          aria-invalid={problems.minDuration !== undefined}
          aria-describedby={problems.minDuration ? ids.minDur : undefined}
          onChange={(e) => update({ minDuration: e.target.value })}
        />
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={draft.errorsOnly}
          onChange={(e) => update({ errorsOnly: e.target.checked })}
        />
        Errors only
      </label>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={view.onlyMatches}
          onChange={(e) => view.setOnlyMatches(e.target.checked)}
        />
        Show only matches
      </label>
      {view.filterActive && view.matches && (
        <div className="filter-result">
          <span role="status" className={matchCount > 0 ? '' : 'muted'}>
            {matchCount === 1
              ? '1 span matches'
              : `${formatCount(matchCount)} of ${plural(layout.count, 'span')} match`}
          </span>
          <button
            type="button"
            className="icon-button"
            aria-label="Previous match"
            disabled={matchCount === 0}
            onClick={() => view.jump(view.matches!.indices, -1)}
          >
            ↑
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Next match"
            disabled={matchCount === 0}
            onClick={() => view.jump(view.matches!.indices, 1)}
          >
            ↓
          </button>
          <button
            type="button"
            className="button button--ghost"
            onClick={() => {
              setDraft(EMPTY_FILTER);
              view.setFilter(EMPTY_FILTER);
            }}
          >
            Clear filter
          </button>
        </div>
      )}
      {problems.attributes && (
        <p id={ids.attr} className="field-error" role="alert">
          {problems.attributes}
        </p>
      )}
      {problems.minDuration && (
        <p id={ids.minDur} className="field-error" role="alert">
          {problems.minDuration}
        </p>
      )}
    </form>
  );
}

/**
 * Case-insensitive order by code unit. Not `localeCompare`: its first call loads the collation
 * data, tens of milliseconds on the path to a trace's first paint.
 */
function byNameIgnoringCase(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
