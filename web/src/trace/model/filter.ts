import { anyValueToString } from './attributes';
import { FLAG_ERROR, type TraceModel } from './build-model';
import type { KeyValue } from './types';

/** The span filter as the user typed it (and as it sits in the URL). */
export interface SpanFilterInput {
  service: string;
  /** Substring of the operation name, case-insensitive. */
  text: string;
  /** Space-separated `key=value` (or bare `key`: has the attribute); quote values with spaces. */
  attributes: string;
  /** e.g. "250ms", "1.5s"; a bare number means milliseconds. */
  minDuration: string;
  errorsOnly: boolean;
}

export const EMPTY_FILTER: SpanFilterInput = {
  service: '',
  text: '',
  attributes: '',
  minDuration: '',
  errorsOnly: false,
};

export interface AttributeCondition {
  key: string;
  /** undefined: the attribute only has to exist. */
  value?: string;
}

export interface CompiledFilter {
  service: string;
  text: string;
  attributes: AttributeCondition[];
  minDurationNs: number;
  errorsOnly: boolean;
}

export interface FilterResult {
  /** null when no criterion is set (everything matches, nothing is highlighted). */
  filter: CompiledFilter | null;
  problems: { attributes?: string; minDuration?: string };
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a duration such as "250ms", "1.5s", "2m"; a bare number is milliseconds.
 * @returns nanoseconds, or undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|μs|ms|s|m|h)?\s*$/i.exec(text);
  if (!match) return undefined;
  const unit = (match[2] ?? 'ms').toLowerCase();
  return Number(match[1]) * (UNIT_NS[unit] ?? UNIT_NS[match[2]]);
}

/**
 * Parses `key=value key2="a value" key3` into conditions.
 * @returns the conditions, or an error message for text it cannot read.
 */
export function parseAttributeConditions(text: string): AttributeCondition[] | string {
  const conditions: AttributeCondition[] = [];
  const token = /\s*([^\s=]+)(?:=(?:"([^"]*)"|'([^']*)'|(\S*)))?/y;
  let rest = text.trim();
  while (rest !== '') {
    token.lastIndex = 0;
    const m = token.exec(rest);
    if (!m || m[0].trim() === '') return `Cannot read "${rest}": use key=value.`;
    const value = m[2] ?? m[3] ?? m[4];
    conditions.push(value === undefined ? { key: m[1] } : { key: m[1], value });
    rest = rest.slice(token.lastIndex).trim();
  }
  return conditions;
}

/** Turns the typed filter into criteria, reporting fields it cannot read (those are ignored). */
export function compileFilter(input: SpanFilterInput): FilterResult {
  const problems: FilterResult['problems'] = {};
  let attributes: AttributeCondition[] = [];
  if (input.attributes.trim() !== '') {
    const parsed = parseAttributeConditions(input.attributes);
    if (typeof parsed === 'string') problems.attributes = parsed;
    else attributes = parsed;
  }
  let minDurationNs = 0;
  if (input.minDuration.trim() !== '') {
    const parsed = parseDuration(input.minDuration);
    if (parsed === undefined) problems.minDuration = 'Use a duration such as 250ms, 1.5s or 2m.';
    else minDurationNs = parsed;
  }
  const filter: CompiledFilter = {
    service: input.service,
    text: input.text.trim().toLowerCase(),
    attributes,
    minDurationNs,
    errorsOnly: input.errorsOnly,
  };
  const active =
    filter.service !== '' ||
    filter.text !== '' ||
    attributes.length > 0 ||
    minDurationNs > 0 ||
    filter.errorsOnly;
  return { filter: active ? filter : null, problems };
}

function hasAttribute(list: readonly KeyValue[], condition: AttributeCondition): boolean {
  for (const kv of list) {
    if (kv.key !== condition.key) continue;
    if (condition.value === undefined) return true;
    if (anyValueToString(kv.value).toLowerCase() === condition.value.toLowerCase()) return true;
  }
  return false;
}

export interface Matches {
  /** 1 where span i matches. */
  matches: Uint8Array;
  /** The matching indices, ascending. */
  indices: Int32Array;
}

/**
 * Applies every criterion (all must hold). Attribute conditions look at the span's attributes and
 * then its resource's. Linear in spans times attributes.
 */
export function matchSpans(model: TraceModel, filter: CompiledFilter): Matches {
  const n = model.spans.length;
  const matches = new Uint8Array(n);
  const service = filter.service === '' ? -1 : model.services.indexOf(filter.service);
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (filter.service !== '' && model.serviceIndex[i] !== service) continue;
    if (filter.errorsOnly && !(model.flags[i] & FLAG_ERROR)) continue;
    if (model.durationNs[i] < filter.minDurationNs) continue;
    const span = model.spans[i];
    if (filter.text !== '' && !span.name.toLowerCase().includes(filter.text)) continue;
    let ok = true;
    for (const condition of filter.attributes) {
      if (!hasAttribute(span.attributes, condition) && !hasAttribute(span.resource.attributes, condition)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    matches[i] = 1;
    count++;
  }
  const indices = new Int32Array(count);
  for (let i = 0, m = 0; i < n; i++) if (matches[i]) indices[m++] = i;
  return { matches, indices };
}
