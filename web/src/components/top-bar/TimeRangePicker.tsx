import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useSearchParams } from '../../router/router';
import { useShowUtc } from '../../state/preferences';
import {
  describeTimeRange,
  fromDateTimeInput,
  RELATIVE_RANGES,
  resolveTimeExpr,
  type TimeRange,
  toDateTimeInput,
  validateTimeRange,
} from '../../state/time-range';
import { readTimeRange, withParam } from '../../state/url-state';

/** The global time range shared by every pane, kept in the URL as `from`/`to` (Grafana's syntax). */
export function TimeRangePicker() {
  const [params, setParams] = useSearchParams();
  const range = readTimeRange(params);
  const utc = useShowUtc();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);
  const dialogId = useId();
  const label = describeTimeRange(range, utc, Date.now());

  const apply = (next: TimeRange) => {
    setParams(withParam(withParam(params, 'from', next.from), 'to', next.to));
    close();
  };
  const close = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    dialogRef.current?.querySelector<HTMLElement>('button, input')?.focus();
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!dialogRef.current?.contains(target) && !buttonRef.current?.contains(target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  return (
    <div className="time-range-picker">
      <button
        ref={buttonRef}
        type="button"
        className="button button--ghost"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? dialogId : undefined}
        aria-label={`Time range: ${label}`}
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">◷ </span>
        {label}
      </button>
      {open && (
        <div
          ref={dialogRef}
          id={dialogId}
          role="dialog"
          aria-label="Time range"
          className="popover time-range-popover"
          onKeyDown={(e) => e.key === 'Escape' && close()}
        >
          <AbsoluteRangeForm range={range} utc={utc} onApply={apply} />
          <ul className="relative-ranges" aria-label="Relative time ranges">
            {RELATIVE_RANGES.map((r) => (
              <li key={r.from}>
                <button
                  type="button"
                  className="menu-item"
                  aria-current={range.from === r.from && range.to === 'now' ? 'true' : undefined}
                  onClick={() => apply({ from: r.from, to: 'now' })}
                >
                  {r.label}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function AbsoluteRangeForm(props: { range: TimeRange; utc: boolean; onApply(range: TimeRange): void }) {
  const now = Date.now();
  const initial = (expr: string, fallback: number) =>
    toDateTimeInput(resolveTimeExpr(expr, now) ?? fallback, props.utc);
  const [from, setFrom] = useState(() => initial(props.range.from, now - 3600e3));
  const [to, setTo] = useState(() => initial(props.range.to, now));
  const [error, setError] = useState<string | undefined>();
  const errorId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const fromMs = fromDateTimeInput(from, props.utc);
    const toMs = fromDateTimeInput(to, props.utc);
    const next = { from: String(fromMs ?? ''), to: String(toMs ?? '') };
    const problem = validateTimeRange(next, Date.now());
    setError(problem);
    if (!problem) props.onApply(next);
  };

  return (
    <form className="absolute-range" onSubmit={submit} aria-label="Absolute time range">
      <label className="field-label">
        From{props.utc ? ' (UTC)' : ''}
        <input
          className="input"
          type="datetime-local"
          step="1"
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
      </label>
      <label className="field-label">
        To{props.utc ? ' (UTC)' : ''}
        <input
          className="input"
          type="datetime-local"
          step="1"
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </label>
      {error && (
        <p id={errorId} role="alert" className="field-error">
          {error}
        </p>
      )}
      <button type="submit" className="button button--primary">
        Apply time range
      </button>
    </form>
  );
}
