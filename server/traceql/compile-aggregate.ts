import type { AttributeValue } from '../search-model/search-trace';
import type { Aggregate, FieldRef, Literal, ScalarOp } from './ast';
import { type CompiledField, compileField, type EvalContext, firstValue, formatValue } from './compile-field';
import { literalValue } from './compile-predicate';
import { fieldType, type ValueType } from './intrinsics';
import { aggregateName, fieldName } from './names';

/** Span indexes of a spanset, sorted; null is every span of the trace (saves building 0…n-1). */
export type Indices = readonly number[] | null;

/** A value the pipeline computed for a spanset (`count()`, `by(…)`), as the response carries it. */
export interface SpansetAttribute {
  key: string;
  value: AttributeValue;
}

/** A spanset between pipeline stages. */
export interface WorkSet {
  readonly idx: Indices;
  readonly attrs: readonly SpansetAttribute[];
}

export type StageFn = (input: readonly WorkSet[], ctx: EvalContext) => WorkSet[];

export function forEachIndex(idx: Indices, ctx: EvalContext, visit: (i: number) => void): void {
  if (idx === null) for (let i = 0; i < ctx.spans.length; i++) visit(i);
  else for (const i of idx) visit(i);
}

export function sizeOf(idx: Indices, ctx: EvalContext): number {
  return idx === null ? ctx.spans.length : idx.length;
}

/**
 * `| count() > 2`, `| avg(duration) > 20ms`: keeps the spansets whose aggregate compares true and
 * records the aggregate on them (Tempo's `Spanset.AddAttribute(a.String(), …)`).
 *
 * Only numeric values are aggregated; spans without one (nil, a string) are skipped, and a spanset
 * with none is dropped, as Tempo drops it. Tempo's `sumInto` also ignores values whose type
 * differs from the first one's (int vs float); Loupe's attributes do not tell ints from floats,
 * so it sums them all. Durations stay durations: `avg` of durations is truncated to whole
 * nanoseconds, as Go's integer division does.
 */
export function compileScalarFilter(aggregate: Aggregate, op: ScalarOp, literal: Literal): StageFn {
  const key = aggregateName(aggregate);
  const compute = compileAggregate(aggregate);
  const type: ValueType = aggregate.field ? fieldType(aggregate.field) : 'int';
  const bound = literalValue(literal) as number;
  const holds = SCALAR_TESTS[op];
  return (input, ctx) => {
    const out: WorkSet[] = [];
    for (const set of input) {
      const value = compute(set.idx, ctx);
      if (value === undefined || !holds(value, bound)) continue;
      out.push({ idx: set.idx, attrs: [...set.attrs, { key, value: formatValue(value, type) }] });
    }
    return out;
  };
}

const SCALAR_TESTS: Record<ScalarOp, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
};

function compileAggregate(aggregate: Aggregate): (idx: Indices, ctx: EvalContext) => number | undefined {
  if (!aggregate.field) return (idx, ctx) => sizeOf(idx, ctx);
  const field = compileField(aggregate.field);
  const isDuration = fieldType(aggregate.field) === 'duration';
  const fn = aggregate.fn;
  return (idx, ctx) => {
    let count = 0;
    let acc = 0;
    forEachIndex(idx, ctx, (i) => {
      const v = firstValue(field, ctx.spans[i], i, ctx);
      if (typeof v !== 'number' || Number.isNaN(v)) return;
      if (count === 0) acc = v;
      else if (fn === 'min') acc = Math.min(acc, v);
      else if (fn === 'max') acc = Math.max(acc, v);
      else acc += v; // sum, avg
      count++;
    });
    if (count === 0) return undefined;
    if (fn !== 'avg') return acc;
    return isDuration ? Math.trunc(acc / count) : acc / count;
  };
}

/**
 * `| by(field)`: splits each spanset by the field's value, in the order values first appear
 * (Tempo's order is a Go map's, unspecified). Each group keeps the spanset's attributes and adds
 * `by(field)` = the value; spans without the field form one group whose value is `"nil"`, as
 * Tempo writes a nil value.
 */
export function compileGroupBy(ref: FieldRef): StageFn {
  const key = `by(${fieldName(ref)})`;
  const field: CompiledField = compileField(ref);
  const type = fieldType(ref);
  return (input, ctx) => {
    const out: WorkSet[] = [];
    for (const set of input) {
      const groups = new Map<string, { idx: number[]; value: AttributeValue }>();
      forEachIndex(set.idx, ctx, (i) => {
        const v = firstValue(field, ctx.spans[i], i, ctx);
        // Keyed by type too: the string "1" and the number 1 are different groups.
        const groupKey = v === undefined ? 'nil' : `${typeof v}:${String(v)}`;
        let group = groups.get(groupKey);
        if (!group) {
          group = { idx: [], value: v === undefined ? 'nil' : formatValue(v, type) };
          groups.set(groupKey, group);
        }
        group.idx.push(i);
      });
      for (const group of groups.values()) {
        out.push({ idx: group.idx, attrs: [...set.attrs, { key, value: group.value }] });
      }
    }
    return out;
  };
}
