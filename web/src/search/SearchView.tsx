import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useSearchParams } from '../router/router';
import { useShowUtc } from '../state/preferences';
import { describeTimeRange } from '../state/time-range';
import { readTenant, readTimeRange } from '../state/url-state';
import { formatCount } from '../trace/model/format';
import { DurationScatter } from './DurationScatter';
import { SearchForm } from './SearchForm';
import { SearchResultsTable } from './SearchResultsTable';
import {
  SearchEmpty,
  SearchErrorMessage,
  SearchHint,
  SearchLoading,
  SearchPartialNotice,
  SearchTimedOut,
} from './SearchStates';
import { classifySearchError, type TempoSearchResponse } from './search-api';
import { toTraceRow } from './search-results';
import { SEARCH_LIMITS, type SearchState } from './search-url';
import { TraceQLEditor, type TraceQLEditorHandle } from './TraceQLEditor';
import { EMPTY_FORM, type SearchFormInput } from './traceql-build';
import { useTraceSearch } from './use-search';

export interface SearchViewProps {
  /** The search the URL holds. */
  state: SearchState;
  /** Replaces it (the caller writes the URL, which runs it). */
  onChange(next: SearchState): void;
  /** Where a trace's link leads, and what a click on a row or dot does. */
  traceHref(traceId: string): string;
  openTrace(traceId: string): void;
}

type Mode = 'traceql' | 'form';

/**
 * Trace search, as the Search page and Explore's search pane show it: the TraceQL editor or the
 * search form, a limit, then the answer's state — the scatter and the table, or why there are none.
 */
export function SearchView({ state, onChange, traceHref, openTrace }: SearchViewProps) {
  const [params] = useSearchParams();
  const range = readTimeRange(params);
  const tenant = readTenant(params);
  const utc = useShowUtc();
  const search = useTraceSearch({ query: state.query, limit: state.limit, range, tenant });
  const [draft, setDraft] = useState(state.query);
  const [mode, setMode] = useState<Mode>('traceql');
  const [form, setForm] = useState<SearchFormInput>(EMPTY_FORM);
  const editorRef = useRef<TraceQLEditorHandle>(null);
  const focusEditor = useRef(false);
  const errorId = useId();
  const limitId = useId();

  // A query set from outside (a link, back/forward, the form) replaces the draft.
  useEffect(() => setDraft(state.query), [state.query]);
  useEffect(() => {
    if (mode === 'traceql' && focusEditor.current) editorRef.current?.focus();
    focusEditor.current = false;
  }, [mode]);

  const run = (query: string) => {
    const trimmed = query.trim();
    if (trimmed === '') return;
    if (trimmed === state.query) void search.refetch();
    else onChange({ ...state, query: trimmed });
  };
  const copyToEditor = (query: string) => {
    setDraft(query);
    focusEditor.current = true;
    setMode('traceql');
  };

  const error = search.isError && !search.isFetching ? search.error : null;
  const queryError = error && classifySearchError(error) !== 'timed-out' ? error : null;

  return (
    <div className="search-view">
      <div className="search-controls">
        <fieldset className="search-mode">
          <legend className="visually-hidden">Query type</legend>
          <button
            type="button"
            className="button"
            aria-pressed={mode === 'traceql'}
            onClick={() => setMode('traceql')}
          >
            TraceQL
          </button>
          <button
            type="button"
            className="button"
            aria-pressed={mode === 'form'}
            onClick={() => setMode('form')}
          >
            Search form
          </button>
        </fieldset>
        {mode === 'traceql' ? (
          <TraceQLEditor
            ref={editorRef}
            value={draft}
            onChange={setDraft}
            onRun={() => run(draft)}
            range={range}
            tenant={tenant}
            errorId={queryError ? errorId : undefined}
          />
        ) : (
          <SearchForm
            input={form}
            onChange={setForm}
            onRun={run}
            onCopyToEditor={copyToEditor}
            range={range}
            tenant={tenant}
          />
        )}
        {queryError && (
          <SearchErrorMessage error={queryError} id={errorId} onRetry={() => search.refetch()} />
        )}
        <div className="search-toolbar">
          <label htmlFor={limitId} className="inline-label">
            Limit
          </label>
          <select
            id={limitId}
            className="input"
            value={state.limit}
            onChange={(e) => onChange({ ...state, limit: Number(e.target.value) })}
          >
            {limitChoices(state.limit).map((limit) => (
              <option key={limit} value={limit}>
                {limit} traces
              </option>
            ))}
          </select>
          <span className="search-summary muted" aria-live="polite">
            {search.isFetching ? 'Searching…' : search.data ? summarize(search.data, state.limit) : ''}
          </span>
        </div>
      </div>
      <div className="search-results" aria-busy={search.isFetching}>
        {state.query === '' ? (
          <SearchHint />
        ) : search.isFetching ? (
          <SearchLoading />
        ) : error ? (
          classifySearchError(error) === 'timed-out' && (
            <SearchTimedOut error={error} onRetry={() => search.refetch()} />
          )
        ) : search.data ? (
          <SearchAnswer
            answer={search.data}
            rangeLabel={rangePhrase(describeTimeRange(range, utc, Date.now()))}
            traceHref={traceHref}
            openTrace={openTrace}
          />
        ) : null}
      </div>
    </div>
  );
}

function SearchAnswer(props: {
  answer: TempoSearchResponse;
  rangeLabel: string;
  traceHref(traceId: string): string;
  openTrace(traceId: string): void;
}) {
  const rows = useMemo(() => props.answer.traces.map(toTraceRow), [props.answer]);
  return (
    <>
      {props.answer.partial && <SearchPartialNotice reason={props.answer.partialReason} />}
      {rows.length === 0 ? (
        <SearchEmpty rangeLabel={props.rangeLabel} />
      ) : (
        <>
          <DurationScatter rows={rows} openTrace={props.openTrace} />
          <SearchResultsTable rows={rows} traceHref={props.traceHref} openTrace={props.openTrace} />
        </>
      )}
    </>
  );
}

/** The selector's choices, plus a limit a link asked for that is not one of them. */
function limitChoices(current: number): number[] {
  return [...new Set([...SEARCH_LIMITS, current])].sort((a, b) => a - b);
}

/** "Last 1 hour" reads "the last 1 hour" in a sentence; an absolute range stays as it is. */
function rangePhrase(label: string): string {
  return label.startsWith('Last ') ? `the l${label.slice(1)}` : label;
}

function summarize(answer: TempoSearchResponse, limit: number): string {
  const n = answer.traces.length;
  const parts = [`${formatCount(n)} trace${n === 1 ? '' : 's'}${n >= limit ? ' (limit reached)' : ''}`];
  const m = answer.metrics;
  if (m?.inspectedTraces !== undefined) parts.push(`${formatCount(m.inspectedTraces)} inspected`);
  if (m?.totalBlocks)
    parts.push(`${formatCount(m.inspectedBlocks ?? 0)} of ${formatCount(m.totalBlocks)} blocks`);
  return parts.join(' · ');
}
