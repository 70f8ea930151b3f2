import { useCallback } from 'react';
import { useNavigate, useSearchParams } from '../router/router';
import { traceHref } from '../state/url-state';
import { SearchView } from './SearchView';
import { readSearchParams, type SearchState, writeSearchParams } from './search-url';

/**
 * `/search`: find traces with TraceQL or the search form. The query and limit are in the URL with
 * the global time range, so a search is a link and a reload runs it again.
 */
export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const state = readSearchParams(params);
  // Each run is a history entry: Back returns to the previous search.
  const change = useCallback(
    (next: SearchState) => setParams((current) => writeSearchParams(current, next)),
    [setParams],
  );
  const hrefFor = useCallback((traceId: string) => traceHref(traceId, params), [params]);
  return (
    <section className="search-page" aria-labelledby="search-title">
      <h1 id="search-title" className="search-page-title">
        Search traces
      </h1>
      <SearchView
        state={state}
        onChange={change}
        traceHref={hrefFor}
        openTrace={(traceId) => navigate(hrefFor(traceId))}
      />
    </section>
  );
}
