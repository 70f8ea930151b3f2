/**
 * The search form's TraceQL: each filled-in field becomes one condition of a single spanset
 * filter, `{ cond && cond … }`, so the query the form runs is the query the editor would run.
 */

export type StatusChoice = '' | 'error' | 'ok' | 'unset';
/** What min/max duration applies to: each span (`duration`) or the whole trace (`traceDuration`). */
export type DurationTarget = 'span' | 'trace';

export interface SearchFormInput {
  service: string;
  spanName: string;
  /** `key=value` pairs separated by spaces; values with spaces in double quotes. */
  tags: string;
  minDuration: string;
  maxDuration: string;
  durationOf: DurationTarget;
  status: StatusChoice;
}

export const EMPTY_FORM: SearchFormInput = {
  service: '',
  spanName: '',
  tags: '',
  minDuration: '',
  maxDuration: '',
  durationOf: 'span',
  status: '',
};

/** A TraceQL string literal. */
export function quoteTraceQL(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?$/;

/**
 * A TraceQL duration from what a user types: `100ms`, `1.5s`, `2m`; a bare number is milliseconds
 * (as in the trace view's filter).
 * @returns undefined when it is not a duration
 */
export function toTraceQLDuration(text: string): string | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2] === 'µs' ? 'us' : (match[2] ?? 'ms');
  return `${Number(match[1])}${unit}`;
}

/** Intrinsics are written bare; everything else is an attribute. */
const INTRINSIC_NAMES = new Set([
  'duration',
  'name',
  'status',
  'statusMessage',
  'kind',
  'rootName',
  'rootServiceName',
  'traceDuration',
]);
const SCOPED = /^(span|resource|event|link)?\.|^(event|span|trace|link):/;
const TAG = /^([^\s=!<>~]+)(!=|>=|<=|=~|!~|=|>|<)(.*)$/;
const BARE_VALUE = /^(-?\d+(?:\.\d+)?|true|false|\d+(?:\.\d+)?(?:ns|us|ms|s|m|h))$/;

/** Splits `a=1 b="x y"` into `a=1` and `b="x y"` (quotes keep spaces; `\"` stays inside). */
function splitTags(text: string): string[] {
  const normalised = text.replace(/\s*(!=|>=|<=|=~|!~|=|>|<)\s*/g, '$1');
  return normalised.match(/(?:[^\s"]+|"(?:[^"\\]|\\.)*"?)+/g) ?? [];
}

/** A quoted value's text: `"a \"b\""` → `a "b"`. */
function unquote(value: string): string {
  return value.slice(1, value.endsWith('"') && value.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1');
}

/**
 * One `key=value` of the tags field as a TraceQL condition. Unscoped keys match span or resource
 * attributes (`.key`); numbers and booleans stay bare so they compare as such (quote them to
 * compare as strings); regex operators always take a string.
 */
function tagCondition(token: string): string | { problem: string } {
  const match = TAG.exec(token);
  if (!match || match[3] === '') return { problem: `Tag “${token}” needs a value: write key=value.` };
  const [, key, op, raw] = match;
  const attribute = SCOPED.test(key) || INTRINSIC_NAMES.has(key) ? key : `.${key}`;
  const quoted = raw.startsWith('"');
  const value =
    !quoted && BARE_VALUE.test(raw) && op !== '=~' && op !== '!~'
      ? raw
      : quoteTraceQL(quoted ? unquote(raw) : raw);
  return `${attribute} ${op} ${value}`;
}

export interface BuiltQuery {
  query: string;
  /** Fields that could not be turned into TraceQL, one message each (they are left out). */
  problems: string[];
}

export function buildTraceQL(input: SearchFormInput): BuiltQuery {
  const conditions: string[] = [];
  const problems: string[] = [];
  if (input.service.trim()) conditions.push(`resource.service.name = ${quoteTraceQL(input.service.trim())}`);
  if (input.spanName.trim()) conditions.push(`name = ${quoteTraceQL(input.spanName.trim())}`);
  for (const token of splitTags(input.tags)) {
    const condition = tagCondition(token);
    if (typeof condition === 'string') conditions.push(condition);
    else problems.push(condition.problem);
  }
  const intrinsic = input.durationOf === 'trace' ? 'traceDuration' : 'duration';
  for (const [text, op, label] of [
    [input.minDuration, '>=', 'Min duration'],
    [input.maxDuration, '<=', 'Max duration'],
  ] as const) {
    if (!text.trim()) continue;
    const duration = toTraceQLDuration(text);
    if (duration) conditions.push(`${intrinsic} ${op} ${duration}`);
    else problems.push(`${label} “${text.trim()}” is not a duration: write 100ms, 1.5s or 2m.`);
  }
  if (input.status) conditions.push(`status = ${input.status}`);
  return { query: conditions.length ? `{ ${conditions.join(' && ')} }` : '{}', problems };
}
