import { create } from 'zustand';
import { FULL_WINDOW, type ViewWindow } from '../model/time-scale';

/**
 * Interaction state of the trace view that is not worth a URL: collapsed spans, the keyboard
 * cursor, the zoom window and column widths. Reset whenever another trace is shown.
 */
interface ViewState {
  /** The trace this state belongs to (source, tenant and ID). */
  traceKey: string;
  /** Span indices (tree order) whose children are hidden. */
  collapsed: ReadonlySet<number>;
  /** The row the keyboard cursor is on, -1 before any. */
  cursor: number;
  window: ViewWindow;
  /** Share of the width given to the span-name column. */
  nameColumn: number;
  /** Asks the waterfall to bring a span into view; `seq` makes repeated requests distinct. */
  scrollRequest: { index: number; seq: number } | null;
  resetFor(traceKey: string): void;
  toggleCollapsed(index: number): void;
  setCollapsed(collapsed: ReadonlySet<number>): void;
  setCursor(index: number): void;
  setWindow(window: ViewWindow): void;
  setNameColumn(share: number): void;
  requestScroll(index: number): void;
}

export const EMPTY: ReadonlySet<number> = new Set();
export const MIN_NAME_COLUMN = 0.15;
export const MAX_NAME_COLUMN = 0.6;

export const useViewStore = create<ViewState>()((set, get) => ({
  traceKey: '',
  collapsed: EMPTY,
  cursor: -1,
  window: FULL_WINDOW,
  nameColumn: 0.3,
  scrollRequest: null,
  resetFor: (traceKey) => {
    if (get().traceKey !== traceKey) {
      set({ traceKey, collapsed: EMPTY, cursor: -1, window: FULL_WINDOW, scrollRequest: null });
    }
  },
  toggleCollapsed: (index) =>
    set((state) => {
      const next = new Set(state.collapsed);
      if (!next.delete(index)) next.add(index);
      return { collapsed: next };
    }),
  setCollapsed: (collapsed) => set({ collapsed }),
  setCursor: (cursor) => set({ cursor }),
  setWindow: (window) => set({ window }),
  setNameColumn: (share) => set({ nameColumn: Math.min(MAX_NAME_COLUMN, Math.max(MIN_NAME_COLUMN, share)) }),
  requestScroll: (index) =>
    set((state) => ({ scrollRequest: { index, seq: (state.scrollRequest?.seq ?? 0) + 1 } })),
}));
