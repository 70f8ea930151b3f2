import {
  type KeyboardEvent,
  type Ref,
  useId,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import type { TimeRange } from '../state/time-range';
import { applyCompletion, completionContext } from './traceql-complete';
import { type CompletionOption, useCompletionOptions } from './use-completions';

export interface TraceQLEditorHandle {
  focus(): void;
}

interface TraceQLEditorProps {
  /** The text in the box (the caller keeps it, so the search form can write into it). */
  value: string;
  onChange(value: string): void;
  /** Runs what is in the box. */
  onRun(): void;
  range: TimeRange;
  tenant: string;
  /** Id of the element showing the query's error, for `aria-describedby`. */
  errorId?: string;
  ref?: Ref<TraceQLEditorHandle>;
}

/**
 * The TraceQL box: a textarea with completion from the tags API — scopes, attribute names per
 * scope, intrinsics, operators, values (strings quoted), `&&` / `||` / `}` after a condition.
 * ↑ / ↓ move through the list, Enter or Tab accept, Escape closes it. Ctrl/⌘+Enter always runs;
 * Enter runs when no list is open; Shift+Enter starts a new line.
 */
export function TraceQLEditor({ value, onChange, onRun, range, tenant, errorId, ref }: TraceQLEditorProps) {
  const [cursor, setCursor] = useState(value.length);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(true);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const pendingCursor = useRef<number | null>(null);
  const listId = useId();
  const inputId = useId();
  const hintId = useId();

  useImperativeHandle(ref, () => ({ focus: () => inputRef.current?.focus() }), []);
  useLayoutEffect(() => {
    if (pendingCursor.current === null || !inputRef.current) return;
    inputRef.current.setSelectionRange(pendingCursor.current, pendingCursor.current);
    pendingCursor.current = null;
  });

  const context = useMemo(
    () => (dismissed ? null : completionContext(value, Math.min(cursor, value.length))),
    [dismissed, value, cursor],
  );
  const options = useCompletionOptions(context, range, tenant);
  const open = options.length > 0;
  const current = open ? Math.min(active, options.length - 1) : -1;

  const edit = (text: string, at: number) => {
    onChange(text);
    setCursor(at);
    setActive(0);
    setDismissed(false);
  };
  const accept = (option: CompletionOption) => {
    if (!context) return;
    const next = applyCompletion(value, cursor, context, option.insert);
    pendingCursor.current = next.cursor;
    edit(next.text, next.cursor);
  };
  const run = () => {
    setDismissed(true);
    onRun();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    const modified = event.ctrlKey || event.metaKey;
    if (event.key === 'Enter' && modified) {
      event.preventDefault();
      run();
    } else if (open && event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((current + 1) % options.length);
    } else if (open && event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(current <= 0 ? options.length - 1 : current - 1);
    } else if (open && (event.key === 'Tab' || event.key === 'Enter') && !event.shiftKey) {
      event.preventDefault();
      accept(options[current]);
    } else if (open && event.key === 'Escape') {
      event.preventDefault();
      setDismissed(true);
    } else if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      run();
    }
  };

  return (
    <div className="traceql-editor">
      <label htmlFor={inputId} className="visually-hidden">
        TraceQL query
      </label>
      <div className="log-query-row">
        <div className="log-query-box">
          <textarea
            id={inputId}
            ref={inputRef}
            className="input log-query-input traceql-input"
            role="combobox"
            value={value}
            rows={1}
            spellCheck={false}
            autoComplete="off"
            placeholder='{ resource.service.name = "frontend" && status = error }'
            aria-autocomplete="list"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            aria-activedescendant={open ? `${listId}-${current}` : undefined}
            aria-describedby={[hintId, errorId].filter(Boolean).join(' ')}
            aria-invalid={errorId ? true : undefined}
            onChange={(e) => edit(e.target.value, e.target.selectionStart)}
            onSelect={(e) => setCursor(e.currentTarget.selectionStart)}
            onKeyDown={onKeyDown}
            onBlur={() => setDismissed(true)}
            onFocus={() => setDismissed(false)}
          />
          {open && (
            <div id={listId} role="listbox" className="popover log-suggestions" aria-label="Completions">
              {options.map((option, i) => (
                <div
                  key={`${option.detail}:${option.label}`}
                  tabIndex={-1}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === current}
                  className="menu-item traceql-option"
                  aria-current={i === current}
                  // mousedown, not click: the box must keep focus
                  onMouseDown={(e) => {
                    e.preventDefault();
                    accept(option);
                  }}
                >
                  <span>{option.label}</span>
                  <span className="traceql-option-detail">{option.detail}</span>
                </div>
              ))}
            </div>
          )}
        </div>
        <button type="button" className="button button--primary" onClick={run}>
          Run query
        </button>
      </div>
      <p id={hintId} className="visually-hidden">
        Suggestions appear as you type; Enter or Tab accepts one. Ctrl+Enter runs the query.
      </p>
    </div>
  );
}
