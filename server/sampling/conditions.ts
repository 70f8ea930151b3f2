import { type AttributeCursor, utf8Key } from '../otlp/attribute-cursor';
import type { SpanView } from '../otlp/span-visitor';
import type { LeafSpec, PolicySpec } from './config';
import { allMatched, hasMatched, setMatched, type TraceSummary } from './summary';
import { readTraceState, traceStateValue } from './trace-state';

/**
 * The per-span half of the policies: each attribute, latency and trace_state leaf becomes one
 * "matched yet?" bit of the summary, set as spans arrive. That one bit is all the collector's
 * evaluators need: a plain attribute policy samples when any resource or span matched, and its
 * `invert_match` twin returns InvertNotSampled in exactly that case, InvertSampled otherwise
 * (util.go: `invertHasResourceOrSpanWithCondition` stops at the first match too).
 */

type AttributeLeaf = Extract<
  LeafSpec,
  { type: 'string_attribute' | 'numeric_attribute' | 'boolean_attribute' }
>;
type LatencyLeaf = Extract<LeafSpec, { type: 'latency' }>;
type TraceStateLeaf = Extract<LeafSpec, { type: 'trace_state' }>;

interface AttributeCondition {
  bit: number;
  /** Whether the key's value (the cursor is on it) matches; `onResource` as the collector distinguishes. */
  test(cursor: AttributeCursor, onResource: boolean): boolean;
}

/** Values longer than this are matched but not remembered: the cache holds short, repeated values. */
const MAX_CACHED_VALUE = 1024;

export class SpanConditions {
  /** Leaf spec object → its bit. Attribute bits come first, so "all attribute bits set" is one check. */
  readonly bits = new Map<LeafSpec, number>();
  private readonly attributeBitCount: number;
  /** Distinct attribute keys (UTF-8) and the conditions on each. */
  private readonly keys: Buffer[] = [];
  private readonly byKey: AttributeCondition[][] = [];
  private readonly latency: { bit: number; spec: LatencyLeaf }[] = [];
  private readonly traceStates: { bit: number; spec: TraceStateLeaf }[] = [];
  /** The last resource looked at (`SpanView.resourceKey`) and the bits its attributes set. */
  private resourceKey = -1;
  private resourceBits: number[] = [];
  private readonly spanBits: number[] = [];
  private readonly seenKey: boolean[] = [];

  constructor(specs: readonly PolicySpec[]) {
    const leaves = collectLeaves(specs);
    let bit = 0;
    for (const leaf of leaves) {
      if (
        leaf.type === 'string_attribute' ||
        leaf.type === 'numeric_attribute' ||
        leaf.type === 'boolean_attribute'
      )
        this.addAttribute(leaf, bit++);
    }
    this.attributeBitCount = bit;
    for (const leaf of leaves) {
      if (leaf.type === 'latency') this.latency.push({ bit, spec: leaf });
      else if (leaf.type === 'trace_state') this.traceStates.push({ bit, spec: leaf });
      else continue;
      this.bits.set(leaf, bit++);
    }
  }

  /** Updates the summary's bits for one span; the summary's times must already include it. */
  observe(summary: TraceSummary, span: SpanView): void {
    if (this.attributeBitCount > 0 && !allMatched(summary, this.attributeBitCount)) {
      // A resource's attributes are the same for all its spans: read once per ResourceSpans.
      if (span.resourceKey !== this.resourceKey) {
        this.resourceKey = span.resourceKey;
        this.resourceBits = [];
        this.walk(span.resourceAttributes(), true, this.resourceBits);
      }
      for (const bit of this.resourceBits) setMatched(summary, bit);
      this.spanBits.length = 0;
      this.walk(span.spanAttributes(), false, this.spanBits);
      for (const bit of this.spanBits) setMatched(summary, bit);
    }
    if (this.latency.length > 0) {
      const durationMs = summary.durationMs();
      for (const { bit, spec } of this.latency) {
        if (!hasMatched(summary, bit) && latencyMatches(spec, durationMs)) setMatched(summary, bit);
      }
    }
    if (this.traceStates.length > 0) this.observeTraceState(summary, span);
  }

  private addAttribute(leaf: AttributeLeaf, bit: number): void {
    this.bits.set(leaf, bit);
    const key = utf8Key(leaf.key);
    let index = this.keys.findIndex((k) => k.equals(key));
    if (index < 0) {
      index = this.keys.push(key) - 1;
      this.byKey.push([]);
      this.seenKey.push(false);
    }
    this.byKey[index].push({ bit, test: attributeTest(leaf) });
  }

  /** pdata's `Map.Get` finds a key's first occurrence: later duplicates are skipped. */
  private walk(cursor: AttributeCursor, onResource: boolean, matched: number[]): void {
    this.seenKey.fill(false);
    while (cursor.next()) {
      const index = cursor.indexOfKey(this.keys);
      if (index < 0 || this.seenKey[index]) continue;
      this.seenKey[index] = true;
      for (const condition of this.byKey[index]) {
        if (condition.test(cursor, onResource)) matched.push(condition.bit);
      }
    }
  }

  private observeTraceState(summary: TraceSummary, span: SpanView): void {
    let traceState: string | undefined;
    for (const { bit, spec } of this.traceStates) {
      if (hasMatched(summary, bit)) continue;
      traceState ??= readTraceState(span);
      const value = traceStateValue(traceState, spec.key);
      if (value !== undefined && spec.values.includes(value)) setMatched(summary, bit);
    }
  }
}

/** latency.go: with no upper bound, duration >= threshold; with one, threshold < duration <= upper. */
function latencyMatches(spec: LatencyLeaf, durationMs: number): boolean {
  if (spec.upperThresholdMs === 0) return durationMs >= spec.thresholdMs;
  return spec.thresholdMs < durationMs && durationMs <= spec.upperThresholdMs;
}

/**
 * The value tests of the collector's filters. pdata's typed getters return the zero value for
 * another type (`Str()` '', `Int()` 0, `Bool()` false) and so do the cursor's, so a non-int value
 * is 0 to a numeric policy, as there.
 */
function attributeTest(leaf: AttributeLeaf): AttributeCondition['test'] {
  switch (leaf.type) {
    case 'numeric_attribute':
      return (cursor) => {
        const value = cursor.intValue();
        return value >= leaf.min && value <= leaf.max;
      };
    case 'boolean_attribute':
      return (cursor) => cursor.boolValue() === leaf.value;
    case 'string_attribute': {
      const matcher = stringMatcher(leaf);
      // A span's empty string never matches; a resource's is handed to the matcher (string_tag_filter.go).
      return (cursor, onResource) => {
        const value = cursor.stringValue();
        return (onResource || value !== '') && matcher(value);
      };
    }
  }
}

function stringMatcher(leaf: Extract<LeafSpec, { type: 'string_attribute' }>): (value: string) => boolean {
  const regexes = leaf.regexes;
  if (regexes === undefined) {
    const values = new Set(leaf.values);
    return (value) => values.has(value);
  }
  // The collector keeps an LRU of `cache_max_size` results; matching is linear-time RE2 here,
  // the cache saves repeating it for the few values (routes, services) that recur.
  const cache = new Map<string, boolean>();
  return (value) => {
    const hit = cache.get(value);
    if (hit !== undefined) {
      cache.delete(value);
      cache.set(value, hit);
      return hit;
    }
    const matched = regexes.some((r) => r.test(value));
    if (value.length <= MAX_CACHED_VALUE) {
      cache.set(value, matched);
      if (cache.size > leaf.cacheMaxSize) cache.delete(cache.keys().next().value as string);
    }
    return matched;
  };
}

function collectLeaves(specs: readonly PolicySpec[], out: LeafSpec[] = []): LeafSpec[] {
  for (const spec of specs) {
    if (spec.type === 'and' || spec.type === 'drop' || spec.type === 'composite')
      collectLeaves(spec.subPolicies, out);
    else out.push(spec);
  }
  return out;
}
