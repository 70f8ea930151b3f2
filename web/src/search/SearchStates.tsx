import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';
import { classifySearchError } from './search-api';

/**
 * The search's states, each with its own look and words: a query error under the editor, a
 * timeout in place of the results, a partial answer as a warning above them.
 */

/** Under the editor: the server's own message for a refused query, or why the search failed. */
export function SearchErrorMessage({ error, id, onRetry }: { error: ApiError; id: string; onRetry(): void }) {
  const failure = classifySearchError(error);
  if (failure === 'timed-out') return null; // shown in place of the results
  const title =
    failure === 'bad-query'
      ? 'The query is not valid TraceQL'
      : failure === 'too-many'
        ? 'Too many searches are running; try again in a moment'
        : 'The search failed';
  return (
    <div id={id} role="alert" className={`search-error search-error--${failure}`}>
      <p className="search-error-title">{title}</p>
      {failure !== 'too-many' && <pre className="search-error-message">{error.message}</pre>}
      {failure !== 'bad-query' && error.retryable && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function SearchTimedOut({ error, onRetry }: { error: ApiError; onRetry(): void }) {
  return (
    <div className="search-state search-state--timeout" role="alert">
      <span className="search-state-icon" aria-hidden="true">
        ⏱
      </span>
      <h3>The search timed out</h3>
      <p className="muted">{error.message}</p>
      <p>Try a shorter time range, or a more selective query (a service, a span name, a status).</p>
      <button type="button" className="button" onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

export function SearchLoading() {
  return (
    <div className="loading-state search-state--loading" role="status">
      <span className="spinner" aria-hidden="true" />
      Searching traces…
    </div>
  );
}

export function SearchEmpty({ rangeLabel }: { rangeLabel: string }) {
  return (
    <div className="search-state search-state--empty" role="status">
      <h3>No traces match in {rangeLabel}</h3>
      <p className="muted">Widen the time range in the top bar, or loosen the query.</p>
    </div>
  );
}

/** Some blocks could not be searched (Tempo's `partial`): the rows may miss traces. */
export function SearchPartialNotice({ reason }: { reason?: string }) {
  return (
    <p className="notice search-partial" role="status">
      <strong>Partial results:</strong> some data could not be searched, so traces may be missing.
      {reason ? ` ${reason}` : ''}
    </p>
  );
}

export function SearchHint({ children }: { children?: ReactNode }) {
  return (
    <div className="search-state search-state--hint">
      <p className="muted">
        Write a TraceQL query, e.g. <code>{'{ resource.service.name = "frontend" && status = error }'}</code>,
        and press Enter — or use the search form.
      </p>
      {children}
    </div>
  );
}
