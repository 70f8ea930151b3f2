import { useMemo } from 'react';
import { useSearchParams } from '../router/router';
import { besidePanes, PANE_TYPES, type PaneState, readPanes, withPanes } from './explore-url';
import { type PaneActions, PaneContent } from './PaneContent';
import { emptyPane, PANE_TITLES } from './pane-titles';
import { SplitMenu } from './SplitMenu';

/**
 * `/explore`: one or two panes side by side (Grafana Explore's split view). Everything about them
 * is in the URL (see `explore-url.ts`), so a split view survives a reload and can be shared.
 */
export function ExplorePage() {
  const [params, setParams] = useSearchParams();
  const panes = useMemo(() => readPanes(params), [params]);

  // Split, close, a query run or a link opening a pane are history entries: Back undoes them.
  const actions = useMemo(
    () =>
      panes.map(
        (pane, index): PaneActions => ({
          change: (next) =>
            setParams((p) =>
              withPanes(
                p,
                panes.map((q, i) => (i === index ? next : q)),
              ),
            ),
          openBeside: (target) => setParams((p) => withPanes(p, besidePanes(panes, pane, target))),
          hrefBeside: (target) => `/explore?${withPanes(params, besidePanes(panes, pane, target))}`,
        }),
      ),
    [panes, params, setParams],
  );

  const split = (type: PaneState['type']) =>
    setParams((p) => withPanes(p, [...readPanes(p), emptyPane(type)]));
  const close = (index: number) =>
    setParams((p) =>
      withPanes(
        p,
        readPanes(p).filter((_, i) => i !== index),
      ),
    );
  const closable = panes.length > 1;
  const splitTypes = PANE_TYPES.filter((type) => !panes.some((p) => p.type === type));

  return (
    <div className="explore-panes">
      {panes.map((pane, index) => (
        <section key={pane.type} className="explore-pane" aria-label={`${PANE_TITLES[pane.type]} pane`}>
          <header className="explore-pane-header">
            <h2>{PANE_TITLES[pane.type]}</h2>
            {!closable && <SplitMenu types={splitTypes} onSplit={split} />}
            {closable && (
              <button
                type="button"
                className="icon-button"
                aria-label={`Close ${PANE_TITLES[pane.type]} pane`}
                title="Close this pane"
                onClick={() => close(index)}
              >
                ✕
              </button>
            )}
          </header>
          <div className="explore-pane-body">
            <PaneContent pane={pane} actions={actions[index]} />
          </div>
        </section>
      ))}
    </div>
  );
}
