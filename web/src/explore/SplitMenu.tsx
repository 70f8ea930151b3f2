import { useEffect, useId, useRef, useState } from 'react';
import type { PaneType } from './explore-url';
import { PANE_TITLES } from './pane-titles';

/** "Split": opens a second pane of a type that is not open yet. */
export function SplitMenu({ types, onSplit }: { types: readonly PaneType[]; onSplit(type: PaneType): void }) {
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  return (
    <div ref={rootRef} className="split-menu-root">
      <button
        type="button"
        className="button button--ghost"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      >
        Split
      </button>
      {open && (
        <div id={menuId} role="menu" aria-label="Open beside" className="popover split-menu">
          {types.map((type) => (
            <button
              key={type}
              type="button"
              role="menuitem"
              className="menu-item"
              onClick={() => {
                setOpen(false);
                onSplit(type);
              }}
              onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
            >
              {PANE_TITLES[type]}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
