import type { FieldRef, Prefilter } from '../../search-model/prefilter';
import type { AttributeValue } from '../../search-model/search-trace';
import { SEARCH_SUMMARY_FORMAT } from './search-layout';
import {
  continueHash,
  continueHashPrefixed,
  finishHash,
  type HashState,
  startHash,
  TokenBloom,
  tokenHash,
} from './token-bloom';

export { SEARCH_SUMMARY_FORMAT };

/**
 * The in-memory summary of a block's search sidecar (object `search-summary.json`): enough to
 * dismiss a row group (or the whole block) that cannot hold a match without reading it, and to
 * answer tag-name and most tag-value questions without reading the Parquet file at all.
 * Layout and invariants: docs/block-format.md, "Search sidecar".
 */
export interface SearchSummary {
  format: string;
  rows: number;
  traces: number;
  /** Attribute keys by scope, with their value type and (for low-cardinality keys) every value. */
  attributes: Record<AttributeScope, Record<string, KeySummary>>;
  /** Span names and services, capped like attribute values. */
  names: ValueSet;
  services: ValueSet;
  /** Event names (absent in summaries written before it was added). */
  eventNames?: ValueSet;
  rowGroups: RowGroupSummary[];
}

export type AttributeScope = 'span' | 'resource' | 'event' | 'link';

export interface ValueSet {
  /** Every distinct value, or null once there were more than `MAX_SUMMARY_VALUES` (read the column). */
  values: AttributeValue[] | null;
}

export interface KeySummary extends ValueSet {
  /** 'string' | 'int' | 'float' | 'bool', as TraceQL's tag-values API types them; 'mixed' when several. */
  type: string;
  /** Rows (spans) that carry the key; an upper bound after a compaction that copied part of an input. */
  count: number;
  /** The Parquet column holding the key, or absent when it lives in the scope's `*_other` JSON column. */
  column?: string;
  /** Some values are in the JSON column though the key has a column (another type, seen later). */
  alsoInJson?: boolean;
}

/**
 * Row groups hold whole traces, newest trace start first within the group; a compacted block's
 * groups may overlap in time (copied ones first), so searches order them by `maxTraceStartMs`. Times are unix ms (trace starts) and nanoseconds (durations).
 */
export interface RowGroupSummary {
  rowStart: number;
  rows: number;
  traces: number;
  minTraceStartMs: number;
  maxTraceStartMs: number;
  maxTraceDurationNanos: number;
  minSpanDurationNanos: number;
  maxSpanDurationNanos: number;
  /** Spans per OTLP status code (unset, ok, error). */
  statusCounts: [number, number, number];
  /** Bit k set: some span has OTLP kind k. */
  kindMask: number;
  bloom: string;
  bloomHashes: number;
}

/** Past this many distinct values, a key's values are read from its column when asked for. */
export const MAX_SUMMARY_VALUES = 500;

/** Tokens recorded in each row group's bloom filter, as hashes (`tokenHash`). */
export const token = {
  name: (name: string) => tokenHash('n', name),
  service: (service: string) => tokenHash('v', service),
  rootName: (name: string) => tokenHash('rn', name),
  rootService: (service: string) => tokenHash('rs', service),
  eventName: (name: string) => tokenHash('en', name),
  statusMessage: (message: string) => tokenHash('m', message),
  attribute: (scope: AttributeScope, key: string, value: AttributeValue) =>
    attributeToken(continueHash(continueHash(startHash(), scope), key), value),
  hasKey: (scope: AttributeScope, key: string) =>
    finishHash(continueHash(continueHash(startHash(), scope), key)),
};

const QUOTE = 0x22;
const HASH = 0x23;
const QUESTION = 0x3f;

/**
 * An attribute's token from the hash state after its scope and key (`keyState`, which builders
 * keep per key). Values are typed, so the string "200" and the number 200 differ (TraceQL does
 * not compare them equal), while ints and doubles of the same number agree.
 */
export function attributeToken(keyState: HashState, value: AttributeValue): number {
  if (typeof value === 'string') return finishHash(continueHashPrefixed(keyState, QUOTE, value));
  if (typeof value === 'number') return finishHash(continueHashPrefixed(keyState, HASH, String(value)));
  return finishHash(continueHashPrefixed(keyState, QUESTION, value ? 'true' : 'false'));
}

/** A row group summary with its bloom filter decoded, as searches use it. */
export interface LoadedRowGroup extends RowGroupSummary {
  filter: TokenBloom;
}

export function loadRowGroups(summary: SearchSummary): LoadedRowGroup[] {
  return summary.rowGroups.map((group) => ({
    ...group,
    filter: TokenBloom.fromBase64(group.bloom, group.bloomHashes),
  }));
}

/**
 * False only when no trace of the row group can satisfy the prefilter. Anything the summary does
 * not record (regexes, `!=`, ranges on attributes) may match.
 */
export function rowGroupMayMatch(group: LoadedRowGroup, prefilter: Prefilter): boolean {
  switch (prefilter.kind) {
    case 'true':
      return true;
    case 'and':
      return prefilter.items.every((item) => rowGroupMayMatch(group, item));
    case 'or':
      return prefilter.items.some((item) => rowGroupMayMatch(group, item));
    case 'span':
      return conditionMayMatch(group, prefilter.field, prefilter.op, prefilter.value);
  }
}

function conditionMayMatch(
  group: LoadedRowGroup,
  field: FieldRef,
  op: string,
  value: AttributeValue | null,
): boolean {
  const has = (t: number) => group.filter.mayContainHash(t);
  if (field.scope === 'intrinsic' || field.scope === 'trace') {
    return intrinsicMayMatch(group, field.name, op, value, has);
  }
  if (value === null) {
    // `!= nil` asks for the key to exist; `= nil` for it to be absent, which any group may have.
    if (op !== '!=') return true;
    if (field.scope === 'unscoped')
      return has(token.hasKey('span', field.name)) || has(token.hasKey('resource', field.name));
    return has(token.hasKey(field.scope, field.name));
  }
  if (op === '=') {
    if (field.scope === 'unscoped') {
      return (
        has(token.attribute('span', field.name, value)) || has(token.attribute('resource', field.name, value))
      );
    }
    return has(token.attribute(field.scope, field.name, value));
  }
  // Any other comparison needs the key at least.
  if (field.scope === 'unscoped')
    return has(token.hasKey('span', field.name)) || has(token.hasKey('resource', field.name));
  return has(token.hasKey(field.scope, field.name));
}

/** Intrinsics come by their canonical TraceQL names (`name`, not `span:name`): the parser maps the aliases. */
function intrinsicMayMatch(
  group: LoadedRowGroup,
  name: string,
  op: string,
  value: AttributeValue | null,
  has: (token: number) => boolean,
): boolean {
  switch (name) {
    case 'name':
      return op === '=' && typeof value === 'string' ? has(token.name(value)) : true;
    case 'rootName':
      return op === '=' && typeof value === 'string' ? has(token.rootName(value)) : true;
    case 'rootServiceName':
      return op === '=' && typeof value === 'string' ? has(token.rootService(value)) : true;
    case 'event:name':
      return op === '=' && typeof value === 'string' ? has(token.eventName(value)) : true;
    case 'statusMessage':
      return op === '=' && typeof value === 'string' ? has(token.statusMessage(value)) : true;
    case 'status':
      if (typeof value !== 'number') return true;
      if (op === '=') return (group.statusCounts[value] ?? 0) > 0;
      if (op === '!=') return group.statusCounts.some((count, code) => code !== value && count > 0);
      return true;
    case 'kind':
      if (typeof value !== 'number') return true;
      if (op === '=') return (group.kindMask & (1 << value)) !== 0;
      if (op === '!=') return (group.kindMask & ~(1 << value)) !== 0;
      return true;
    case 'duration':
      return typeof value === 'number'
        ? rangeMayMatch(group.minSpanDurationNanos, group.maxSpanDurationNanos, op, value)
        : true;
    case 'traceDuration':
      return typeof value === 'number' ? rangeMayMatch(0, group.maxTraceDurationNanos, op, value) : true;
    default:
      return true;
  }
}

/** Whether some x in [min, max] satisfies `x op value`. */
function rangeMayMatch(min: number, max: number, op: string, value: number): boolean {
  switch (op) {
    case '>':
      return max > value;
    case '>=':
      return max >= value;
    case '<':
      return min < value;
    case '<=':
      return min <= value;
    case '=':
      return min <= value && value <= max;
    default:
      return true;
  }
}
