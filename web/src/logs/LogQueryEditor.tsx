import { type KeyboardEvent, useEffect, useId, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { TimeRange } from '../state/time-range';
import { applySuggestion, type SuggestionContext, suggestionContext } from './logql';
import { useLabelNames, useLabelValues } from './use-logs';

const MAX_SUGGESTIONS = 20;

interface LogQueryEditorProps {
  /** The query the pane runs (from the URL). */
  value: string;
  range: TimeRange;
  tenant: string;
  /** Runs `query` (the caller decides whether that is a new query or a refresh). */
  onRun(query: string): void;
  /** Id of the element that shows the query's error, for `aria-describedby`. */
  errorId?: string;
}

/** Names or values matching what is typed: those starting with it first, then those containing it. */
function filterSuggestions(all: readonly string[], prefix: string): string[] {
  const needle = prefix.toLowerCase();
  const starts = all.filter((s) => s.toLowerCase().startsWith(needle));
  const contains = needle
    ? all.filter((s) => !s.toLowerCase().startsWith(needle) && s.toLowerCase().includes(needle))
    : [];
  return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
}

/**
 * The LogQL box. Enter (with or without Shift, Ctrl or ⌘) runs the query. Inside `{…}` it
 * suggests label names and values; suggestions load in the background and never hold up a run:
 * Enter only picks a suggestion the user moved to with the arrows.
 */
export function LogQueryEditor({ value, range, tenant, onRun, errorId }: LogQueryEditorProps) {
  const [draft, setDraft] = useState(value);
  const [cursor, setCursor] = useState(value.length);
  const [active, setActive] = useState(-1);
  const [dismissed, setDismissed] = useState(true);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const pendingCursor = useRef<number | null>(null);
  const listId = useId();
  const inputId = useId();

  // A query set from outside (a link, back/forward) replaces the draft.
  useEffect(() => setDraft(value), [value]);
  useLayoutEffect(() => {
    if (pendingCursor.current === null || !inputRef.current) return;
    inputRef.current.setSelectionRange(pendingCursor.current, pendingCursor.current);
    pendingCursor.current = null;
  });

  const context: SuggestionContext | null = dismissed ? null : suggestionContext(draft, cursor);
  const names = useLabelNames(range, tenant, true);
  const values = useLabelValues(context?.kind === 'value' ? context.name : undefined, range, tenant);
  const options = useMemo(() => {
    if (!context) return [];
    const all = context.kind === 'name' ? (names.data ?? []) : (values.data ?? []);
    return filterSuggestions(all, context.prefix);
  }, [context, names.data, values.data]);
  const open = options.length > 0;

  const edit = (text: string, at: number) => {
    setDraft(text);
    setCursor(at);
    setActive(-1);
    setDismissed(false);
  };
  const accept = (option: string) => {
    if (!context) return;
    const next = applySuggestion(draft, cursor, context, option);
    pendingCursor.current = next.cursor;
    edit(next.text, next.cursor);
  };
  const run = () => {
    setDismissed(true);
    onRun(draft.trim());
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open && event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((i) => (i + 1) % options.length);
    } else if (open && event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
    } else if (open && event.key === 'Tab' && !event.shiftKey) {
      event.preventDefault();
      accept(options[Math.max(active, 0)]);
    } else if (open && event.key === 'Escape') {
      event.preventDefault();
      setDismissed(true);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const plain = !event.shiftKey && !event.ctrlKey && !event.metaKey;
      if (open && active >= 0 && plain) accept(options[active]);
      else run();
    }
  };

  return (
    <div className="log-query">
      <label htmlFor={inputId} className="visually-hidden">
        Log query
      </label>
      <div className="log-query-row">
        <div className="log-query-box">
          <textarea
            id={inputId}
            ref={inputRef}
            className="input log-query-input"
            role="combobox"
            value={draft}
            rows={1}
            spellCheck={false}
            autoComplete="off"
            placeholder='{service_name="checkout"} |= "error"'
            aria-autocomplete="list"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            aria-activedescendant={open && active >= 0 ? `${listId}-${active}` : undefined}
            aria-describedby={errorId}
            onChange={(e) => edit(e.target.value, e.target.selectionStart)}
            onSelect={(e) => setCursor(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onBlur={() => setDismissed(true)}
            onFocus={() => setDismissed(false)}
          />
          {open && (
            <div id={listId} role="listbox" className="popover log-suggestions" aria-label="Suggestions">
              {options.map((option, i) => (
                <div
                  key={option}
                  tabIndex={-1}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === active}
                  className="menu-item"
                  aria-current={i === active}
                  // mousedown, not click: the box must keep focus
                  onMouseDown={(e) => {
                    e.preventDefault();
                    accept(option);
                  }}
                >
                  {option}
                </div>
              ))}
            </div>
          )}
        </div>
        <button type="button" className="button button--primary" onClick={run}>
          Run query
        </button>
      </div>
    </div>
  );
}
