import { useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo } from 'react';
import type { LoadedTrace } from '../../api/client';
import { useSpanMatches } from '../../api/queries';
import { useSearchParams } from '../../router/router';
import { readFilter, withParam, writeFilter } from '../../state/url-state';
import { compileFilter, type SpanFilterInput } from '../model/filter';
import { indexOfSpanId, spanIdAt } from '../model/layout';
import { createTimeScale, FULL_WINDOW } from '../model/time-scale';
import { expandAncestors, stepTo, visibleRows } from '../model/visible-rows';
import { EMPTY, useViewStore } from '../state/view-store';

/**
 * Everything the trace view derives from (layout, URL, view store): the selection, the filter and
 * its matches, the visible rows and the time scale. Pure functions do the work; this wires them.
 */
export function useTraceView(trace: LoadedTrace, traceKey: string) {
  const layout = trace.layout;
  const [params, setParams] = useSearchParams();
  const { resetFor, setCollapsed, setCursor, requestScroll } = useViewStore.getState();
  // Until the store is reset for this trace (before paint), read defaults rather than another trace's state.
  const collapsed = useViewStore((s) => (s.traceKey === traceKey ? s.collapsed : EMPTY));
  const viewWindow = useViewStore((s) => (s.traceKey === traceKey ? s.window : FULL_WINDOW));
  useLayoutEffect(() => resetFor(traceKey), [resetFor, traceKey]);

  const spanParam = (params.get('span') ?? '').toLowerCase();
  const selected = spanParam ? indexOfSpanId(layout, spanParam) : -1;
  const onlyMatches = params.get('only') === '1';
  const filterInput = readFilter(params);
  // Typing in the filter must stay responsive on 100k spans: match against a deferred copy.
  const deferredFilterKey = useDeferredValue(JSON.stringify(filterInput));
  const compiled = useMemo(
    () => compileFilter(JSON.parse(deferredFilterKey) as SpanFilterInput),
    [deferredFilterKey],
  );
  const matchQuery = useSpanMatches(trace, compiled.filter);
  const matches = compiled.filter ? (matchQuery.data ?? null) : null;
  const rows = useMemo(
    () => visibleRows(layout, collapsed, matches?.matches ?? null, onlyMatches),
    [layout, collapsed, matches, onlyMatches],
  );
  const scale = useMemo(() => createTimeScale(layout.stats.durationNs, viewWindow), [layout, viewWindow]);

  // A selected span (deep link, error jump, link click) is made visible and scrolled to.
  useEffect(() => {
    if (selected < 0) return;
    const state = useViewStore.getState();
    const expanded = expandAncestors(layout, state.collapsed, selected);
    if (expanded !== state.collapsed) setCollapsed(expanded);
    setCursor(selected);
    requestScroll(selected);
  }, [layout, selected, setCollapsed, setCursor, requestScroll]);

  const select = useCallback(
    (index: number) => {
      setParams((current) => withParam(current, 'span', index >= 0 ? spanIdAt(layout, index) : null), {
        replace: true,
      });
    },
    [layout, setParams],
  );
  const setFilter = useCallback(
    (next: SpanFilterInput) => setParams((current) => writeFilter(current, next), { replace: true }),
    [setParams],
  );
  const setOnlyMatches = useCallback(
    (only: boolean) =>
      setParams((current) => withParam(current, 'only', only ? '1' : null), { replace: true }),
    [setParams],
  );
  const jump = useCallback(
    (targets: Int32Array, direction: 1 | -1) => {
      const from = selected >= 0 ? selected : useViewStore.getState().cursor;
      const target = stepTo(targets, from, direction);
      if (target < 0) return;
      if (target === selected) requestScroll(target);
      else select(target);
    },
    [selected, select, requestScroll],
  );

  return {
    selected,
    unknownSpan: spanParam !== '' && selected < 0 ? spanParam : null,
    filterInput,
    filterProblems: compiled.problems,
    filterActive: compiled.filter !== null,
    matches,
    onlyMatches,
    rows,
    scale,
    viewWindow,
    select,
    setFilter,
    setOnlyMatches,
    jump,
  };
}

export type TraceViewState = ReturnType<typeof useTraceView>;
