import { plural } from '../model/build-model';
import type { TraceLayout } from '../model/layout';
import { allParents } from '../model/visible-rows';
import { useViewStore } from '../state/view-store';
import type { TraceViewState } from './use-trace-view';

/** Collapse/expand all and next/previous error. */
export function TraceToolbar({ layout, view }: { layout: TraceLayout; view: TraceViewState }) {
  const setCollapsed = useViewStore((s) => s.setCollapsed);
  const errors = layout.errorIndices;
  return (
    <div className="toolbar" role="toolbar" aria-label="Trace actions">
      <button type="button" className="button button--ghost" onClick={() => setCollapsed(allParents(layout))}>
        Collapse all
      </button>
      <button type="button" className="button button--ghost" onClick={() => setCollapsed(new Set())}>
        Expand all
      </button>
      <span className="toolbar-sep" aria-hidden="true" />
      <span className={errors.length > 0 ? 'error-count' : 'muted'}>{plural(errors.length, 'error')}</span>
      <button
        type="button"
        className="button button--ghost"
        disabled={errors.length === 0}
        onClick={() => view.jump(errors, -1)}
      >
        ↑ Previous error
      </button>
      <button
        type="button"
        className="button button--ghost"
        disabled={errors.length === 0}
        onClick={() => view.jump(errors, 1)}
      >
        ↓ Next error
      </button>
    </div>
  );
}
