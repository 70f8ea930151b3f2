import type { AttributeValue } from '../search-model/search-trace';
import type { ComparisonOp, FieldExpr, FieldRef, Pipeline, SpansetExpr } from './ast';
import { literalValue } from './compile-predicate';
import { fieldMany, fieldType, intrinsicOf } from './intrinsics';
import { normalizeHexId } from './literals';

/**
 * A necessary condition for a trace to match a query: if it does not hold, `evaluate()` returns
 * `[]`, so storage may skip the trace (or a block whose summaries rule it out) unread. It is
 * sound, never exact: anything the builder cannot express becomes `true`.
 *
 * `span`: some span of the trace satisfies `field op value`, under the evaluator's rules —
 * a missing field satisfies only `= null`; values of different types never compare (a string
 * is not `> 5`, nor `!= 5`); numbers compare as numbers; `=~`/`!~` take `value` as an RE2 pattern
 * matched against the whole string (`compileUserRegex(value, 'full')`) and apply to strings only.
 * `unscoped` fields are the span's attribute, else its resource's; `event`/`link` fields hold if
 * one event or link of the span satisfies the condition. For scope `trace` it is a fact of the
 * trace (`rootServiceName`, `traceDuration`, `trace:id`).
 *
 * Values are as the search model stores them: durations in nanoseconds (numbers); statuses and
 * kinds as OTLP enum numbers — status unset 0, ok 1, error 2; kind unspecified 0, internal 1,
 * server 2, client 3, producer 4, consumer 5; IDs (`trace:id`, `span:id`, …) lowercase and padded
 * to full width when compared with `=`/`!=`; `null` is nil.
 */
export type Prefilter =
  | { kind: 'true' }
  | { kind: 'and'; items: Prefilter[] }
  | { kind: 'or'; items: Prefilter[] }
  | { kind: 'span'; field: FieldRef; op: ComparisonOp; value: AttributeValue | null };

const TRUE: Prefilter = { kind: 'true' };

export function buildPrefilter(pipeline: Pipeline): Prefilter {
  return ofPipeline(pipeline);
}

/**
 * A later spanset stage filters the spans of the earlier ones, so each stage's condition holds
 * (on a subset of spans) when the pipeline matches: the conjunction. by(), select(), coalesce()
 * and aggregates only regroup or cut what the filters let through.
 */
function ofPipeline(pipeline: Pipeline): Prefilter {
  const items = pipeline.stages.map((stage) => (stage.kind === 'spanset' ? ofSpanset(stage.expr) : TRUE));
  return and(items);
}

function ofSpanset(expr: SpansetExpr): Prefilter {
  switch (expr.kind) {
    case 'filter':
      return ofFieldExpr(expr.expr);
    case 'pipeline':
      return ofPipeline(expr.pipeline);
    case 'spansetOp': {
      const right = ofSpanset(expr.right);
      if (expr.op === '||') return or([ofSpanset(expr.left), right]);
      // `A !> B` matches when A matches nothing: only the right side is required.
      if (expr.op.startsWith('!')) return right;
      // &&, and structural operators: both sides must have matched some span.
      return and([ofSpanset(expr.left), right]);
    }
  }
}

function ofFieldExpr(expr: FieldExpr): Prefilter {
  switch (expr.kind) {
    case 'literal':
      return TRUE;
    case 'field':
      return span(expr.field, '=', true);
    case 'not':
      // `!field` is "field is false"; the negation of anything larger is not a span condition.
      return expr.operand.kind === 'field' ? span(expr.operand.field, '=', false) : TRUE;
    case 'logical': {
      const items = [ofFieldExpr(expr.left), ofFieldExpr(expr.right)];
      return expr.op === '&&' ? and(items) : or(items);
    }
    case 'exists':
      // "No event has it" is not "some event lacks it": left to the evaluator.
      if (!expr.exists && fieldMany(expr.field) !== undefined) return TRUE;
      return span(expr.field, expr.exists ? '!=' : '=', null);
    case 'compare': {
      const { left, right, op } = expr;
      if (left.kind !== 'field' || right.kind !== 'literal') return TRUE;
      const type = right.literal.type;
      // An attribute is never a status or kind: the evaluator matches nothing there.
      if ((type === 'status' || type === 'kind') && fieldType(left.field) === 'dynamic') return TRUE;
      let value = literalValue(right.literal) ?? null;
      const idWidth = intrinsicOf(left.field)?.idWidth;
      if (typeof value === 'string' && idWidth !== undefined && (op === '=' || op === '!=')) {
        value = normalizeHexId(value, idWidth);
      }
      return span(left.field, op, value);
    }
  }
}

function span(field: FieldRef, op: ComparisonOp, value: AttributeValue | null): Prefilter {
  return { kind: 'span', field, op, value };
}

/** Flattened, without `true`s or repeats; `true` when nothing is left. */
export function and(items: readonly Prefilter[]): Prefilter {
  const out = dedupe(items.flatMap((p) => (p.kind === 'and' ? p.items : p.kind === 'true' ? [] : [p])));
  if (out.length === 0) return TRUE;
  return out.length === 1 ? out[0] : { kind: 'and', items: out };
}

/** Flattened, without repeats; `true` if any item is. */
export function or(items: readonly Prefilter[]): Prefilter {
  if (items.some((p) => p.kind === 'true')) return TRUE;
  const out = dedupe(items.flatMap((p) => (p.kind === 'or' ? p.items : [p])));
  return out.length === 1 ? out[0] : { kind: 'or', items: out };
}

/** Keys of prefilters already compared: a run of thousands of `||` is flattened level by level. */
const keys = new WeakMap<Prefilter, string>();

function dedupe(items: Prefilter[]): Prefilter[] {
  const seen = new Set<string>();
  return items.filter((p) => {
    let key = keys.get(p);
    if (key === undefined) {
      key = JSON.stringify(p);
      keys.set(p, key);
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
