/**
 * Where the cursor is in a TraceQL query, for the editor's completion: typing an attribute, an
 * operator, a value, or between two conditions. Only inside a spanset filter `{ … }`: pipelines
 * and aggregates after it are rare in searches and are left to the user.
 */

/** Intrinsics Tempo lists (`/api/v2/search/tags?scope=intrinsic`), in the order users reach for them. */
export const INTRINSICS = [
  'name',
  'status',
  'duration',
  'kind',
  'rootServiceName',
  'rootName',
  'traceDuration',
  'statusMessage',
  'event:name',
  'span:id',
  'trace:id',
] as const;

export const SCOPES = ['span.', 'resource.', '.', 'event.', 'link.'] as const;
export const OPERATORS = ['=', '!=', '>', '>=', '<', '<=', '=~', '!~'] as const;
export const STATUS_VALUES = ['error', 'ok', 'unset'] as const;
export const KIND_VALUES = ['server', 'client', 'producer', 'consumer', 'internal', 'unspecified'] as const;
/** Suggested for durations: the server has no list of them. */
export const DURATION_EXAMPLES = ['100ms', '500ms', '1s', '5s'] as const;

export type CompletionContext =
  /** An attribute or intrinsic; `prefix` is what is typed of it (`span.http.me`). */
  | { kind: 'attribute'; prefix: string; start: number }
  | { kind: 'operator'; attribute: string; prefix: string; start: number }
  /** `quoted`: the user opened a quote, which `start` includes and `prefix` does not. */
  | { kind: 'value'; attribute: string; prefix: string; start: number; quoted: boolean }
  /** After a whole condition: `&&`, `||`, or the closing brace. */
  | { kind: 'combinator'; prefix: string; start: number };

const ATTR = String.raw`[A-Za-z0-9_.:\-/]`;
const OP = '!=|>=|<=|=~|!~|=|>|<';
const VALUE_TYPED = new RegExp(String.raw`^(${ATTR}+)\s*(${OP})\s*("(?:[^"\\]|\\.)*|[^\s"&|)}]*)$`);
const OPERATOR_TYPED = new RegExp(String.raw`^(${ATTR}+)\s+([!=<>~]*)$`);
const ATTRIBUTE_TYPED = new RegExp(`^(${ATTR}*)$`);
const CONDITION_DONE = new RegExp(
  String.raw`^${ATTR}+\s*(?:${OP})\s*(?:"(?:[^"\\]|\\.)*"|[^\s"&|)}]+)\s+([&|}]*)$`,
);

/**
 * The text of the condition the cursor is in (from the last `{`, `&&`, `||` or `(` before it,
 * outside string literals) and where it starts; null outside any `{ … }`.
 */
function currentCondition(before: string): { text: string; start: number } | null {
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < before.length; i++) {
    const c = before[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      depth++;
      start = i + 1;
    } else if (c === '}') {
      depth = Math.max(0, depth - 1);
      start = -1;
    } else if (c === '(') start = i + 1;
    else if ((c === '&' || c === '|') && before[i + 1] === c) {
      start = i + 2;
      i++;
    }
  }
  if (depth === 0 || start < 0) return null;
  const text = before.slice(start);
  const lead = text.length - text.trimStart().length;
  return { text: text.trimStart(), start: start + lead };
}

/**
 * What the cursor is typing, or null when there is nothing to complete there.
 * @example completionContext('{ span.http.me', 14) → { kind: 'attribute', prefix: 'span.http.me', start: 2 }
 * @example completionContext('{ status = er', 13) → { kind: 'value', attribute: 'status', prefix: 'er', start: 11, quoted: false }
 */
export function completionContext(text: string, cursor: number): CompletionContext | null {
  const condition = currentCondition(text.slice(0, cursor));
  if (!condition) return null;
  const { text: typed, start } = condition;
  const value = VALUE_TYPED.exec(typed);
  if (value) {
    const quoted = value[3].startsWith('"');
    const prefix = (quoted ? value[3].slice(1) : value[3]).replace(/\\(.)/g, '$1');
    return { kind: 'value', attribute: value[1], prefix, start: cursor - value[3].length, quoted };
  }
  const operator = OPERATOR_TYPED.exec(typed);
  if (operator) {
    return {
      kind: 'operator',
      attribute: operator[1],
      prefix: operator[2],
      start: cursor - operator[2].length,
    };
  }
  const done = CONDITION_DONE.exec(typed);
  if (done) return { kind: 'combinator', prefix: done[1], start: cursor - done[1].length };
  const attribute = ATTRIBUTE_TYPED.exec(typed);
  if (attribute) return { kind: 'attribute', prefix: attribute[1], start };
  return null;
}

/** The attribute scope a prefix is in: `span.`, `resource.` … or '' before one is chosen. */
export function scopeOf(prefix: string): '' | 'span' | 'resource' | 'event' | 'link' | 'unscoped' {
  const scoped = /^(span|resource|event|link)\./.exec(prefix);
  if (scoped) return scoped[1] as 'span' | 'resource' | 'event' | 'link';
  return prefix.startsWith('.') ? 'unscoped' : '';
}

/**
 * The query with `insert` in place of what the context covers, and the cursor after it. What is
 * left of the word (or quoted value) under the cursor goes too, so accepting mid-word replaces it.
 */
export function applyCompletion(
  text: string,
  cursor: number,
  context: CompletionContext,
  insert: string,
): { text: string; cursor: number } {
  let rest = text.slice(cursor);
  if (context.kind === 'value' && context.quoted) {
    const tail = /^(?:[^"\\]|\\.)*"/.exec(rest);
    if (tail) rest = rest.slice(tail[0].length);
  } else {
    rest = rest.replace(/^[^\s"&|)}]*/, '');
  }
  // A completion that ends in a space (the next part follows) must not leave two.
  if (insert.endsWith(' ') && rest.startsWith(' ')) rest = rest.slice(1);
  const head = text.slice(0, context.start) + insert;
  return { text: head + rest, cursor: head.length };
}
