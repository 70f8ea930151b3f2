/**
 * Small LogQL helpers: quoting label values, the trace-to-logs queries Loupe's log store answers,
 * and where in a stream selector the cursor is (for label suggestions).
 */

/** A LogQL (and PromQL) double-quoted string: `\` and `"` escaped, newlines written as `\n`. */
export function quoteValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `{service_name="<svc>"}`; any service (`=~".+"`) when the span has none. */
export function serviceSelector(service: string): string {
  return service ? `{service_name=${quoteValue(service)}}` : '{service_name=~".+"}';
}

/** Logs of one span: `{service_name="<svc>"} | span_id="<spanId>"`. */
export function spanLogsQuery(service: string, spanId: string): string {
  return `${serviceSelector(service)} | span_id=${quoteValue(spanId.toLowerCase())}`;
}

/** Logs of one trace from a service: `{service_name="<svc>"} | trace_id="<traceId>"`. */
export function traceLogsQuery(service: string, traceId: string): string {
  return `${serviceSelector(service)} | trace_id=${quoteValue(traceId.toLowerCase())}`;
}

/** What the text before the cursor is in the middle of, inside a `{…}` stream selector. */
export type SuggestionContext =
  | { kind: 'name'; prefix: string; start: number }
  | { kind: 'value'; name: string; prefix: string; start: number };

/**
 * Finds whether the cursor is typing a label name (after `{` or `,`) or a quoted value (after
 * `name="`, `name!=`, `name=~"`…) inside the selector; null elsewhere. `start` is where the text
 * the suggestion replaces begins.
 * @example suggestionContext('{service_name="fr', 17) → { kind: 'value', name: 'service_name', prefix: 'fr', start: 15 }
 */
export function suggestionContext(text: string, cursor: number): SuggestionContext | null {
  const before = text.slice(0, cursor);
  const open = before.lastIndexOf('{');
  if (open < 0 || before.lastIndexOf('}') > open) return null;
  const inside = before.slice(open + 1);
  const value = /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)$/.exec(inside);
  if (value) return { kind: 'value', name: value[1], prefix: value[2], start: cursor - value[2].length };
  // Inside a closed quoted value, or right after an operator: nothing to suggest.
  const name = /(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)?$/.exec(inside);
  if (!name || countQuotes(inside) % 2 === 1) return null;
  const prefix = name[1] ?? '';
  return { kind: 'name', prefix, start: cursor - prefix.length };
}

function countQuotes(text: string): number {
  return (text.replace(/\\./g, '').match(/"/g) ?? []).length;
}

/**
 * The query with a suggestion put in place of what the cursor was typing, and the new cursor.
 * A name gets `="` after it, a value its closing quote, so typing can go on.
 */
export function applySuggestion(
  text: string,
  cursor: number,
  context: SuggestionContext,
  suggestion: string,
): { text: string; cursor: number } {
  let insert: string;
  let rest = text.slice(cursor);
  if (context.kind === 'name') {
    insert = `${suggestion}="`;
  } else {
    insert = `${quoteValue(suggestion).slice(1, -1)}"`;
    // Drop what is left of the old value up to its closing quote.
    const tail = /^(?:[^"\\]|\\.)*"/.exec(rest);
    if (tail) rest = rest.slice(tail[0].length);
  }
  const head = text.slice(0, context.start) + insert;
  return { text: head + rest, cursor: head.length };
}
