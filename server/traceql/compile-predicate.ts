import { compileUserRegex } from '../query-guards/user-regex';
import type { SearchSpan } from '../search-model/search-trace';
import type { ComparisonOp, FieldExpr, Literal } from './ast';
import {
  anyValue,
  type CompiledField,
  compileField,
  type EvalContext,
  type Getter,
  type Value,
} from './compile-field';
import { fieldType, intrinsicOf, type ValueType } from './intrinsics';
import { compareStrings, KIND_CODES, normalizeHexId, STATUS_CODES } from './literals';

/** Whether the span at `index` satisfies a spanset filter. */
export type SpanPredicate = (span: SearchSpan, index: number, ctx: EvalContext) => boolean;
type ValueTest = (value: Value) => boolean;

/** Constant predicates, recognised by identity so `&&`/`||` fold them away at compile time. */
export const ALWAYS: SpanPredicate = () => true;
export const NEVER: SpanPredicate = () => false;

/**
 * Compiles a spanset filter into closures, once per query. The common shape, `field op literal`,
 * becomes a getter and a test specialised for the literal's type and the operator; regexes are
 * compiled here, not per span. Tempo's comparison rules:
 *
 * - a missing attribute (nil) satisfies no comparison, `!=` included: `span.foo != "x"` does not
 *   match a span without `span.foo` (Tempo's `Static.NotEquals` is false when either side is nil);
 *   only `= nil` matches it;
 * - values of different types do not compare (a string attribute is never `> 5`, nor `!= 5`);
 *   ints, floats and durations compare as numbers;
 * - `=~`/`!~` are fully anchored (`"bar"` is `^(?s:bar)$`): Tempo uses Prometheus's
 *   FastRegexMatcher since 2.7 (grafana/tempo#4329), and its docs say "All regular expressions are
 *   treated as fully anchored"; they apply to strings only;
 * - a bare field is true when its value is boolean `true`; `!field` when it is boolean `false`.
 */
export function compilePredicate(expr: FieldExpr): SpanPredicate {
  switch (expr.kind) {
    case 'literal':
      return expr.literal.type === 'bool' && expr.literal.value ? ALWAYS : NEVER;
    case 'field':
      return lift(compileField(expr.field), (v) => v === true);
    case 'not':
      if (expr.operand.kind === 'field') return lift(compileField(expr.operand.field), (v) => v === false);
      return negate(compilePredicate(expr.operand));
    case 'logical':
      return logical(expr.op, compilePredicate(expr.left), compilePredicate(expr.right));
    case 'exists':
      return exists(compileField(expr.field), expr.exists);
    case 'compare':
      return compileComparison(expr.op, expr.left, expr.right);
  }
}

function negate(p: SpanPredicate): SpanPredicate {
  if (p === ALWAYS) return NEVER;
  if (p === NEVER) return ALWAYS;
  return (s, i, c) => !p(s, i, c);
}

function logical(op: '&&' | '||', a: SpanPredicate, b: SpanPredicate): SpanPredicate {
  if (op === '&&') {
    if (a === NEVER || b === NEVER) return NEVER;
    if (a === ALWAYS) return b;
    if (b === ALWAYS) return a;
    return (s, i, c) => a(s, i, c) && b(s, i, c);
  }
  if (a === ALWAYS || b === ALWAYS) return ALWAYS;
  if (a === NEVER) return b;
  if (b === NEVER) return a;
  return (s, i, c) => a(s, i, c) || b(s, i, c);
}

/** A test of a field's value as a span predicate (for events and links: some event or link passes). */
function lift(field: CompiledField, test: ValueTest): SpanPredicate {
  switch (field.many) {
    case undefined: {
      const get = field.get;
      return (s, i, c) => test(get(s, i, c));
    }
    case 'event': {
      const get = field.get;
      return (s) => {
        const events = s.events;
        for (let k = 0; k < events.length; k++) if (test(get(events[k], s))) return true;
        return false;
      };
    }
    case 'link': {
      const get = field.get;
      return (s) => {
        const links = s.links;
        for (let k = 0; k < links.length; k++) if (test(get(links[k], s))) return true;
        return false;
      };
    }
  }
}

/** `!= nil`: some value exists; `= nil`: none does (no event or link has it either). */
function exists(field: CompiledField, want: boolean): SpanPredicate {
  const some = lift(field, (v) => v !== undefined);
  return want ? some : negate(some);
}

function compileComparison(op: ComparisonOp, left: FieldExpr, right: FieldExpr): SpanPredicate {
  const leftType = staticType(left);
  const rightType = staticType(right);
  // Statuses and kinds are their own types: an attribute holding 2 is not `error`.
  if (isEnum(leftType) !== isEnum(rightType)) return NEVER;
  if (right.kind === 'literal') {
    const test = literalTest(
      op,
      right.literal,
      left.kind === 'field' ? intrinsicOf(left.field)?.idWidth : undefined,
    );
    if (left.kind === 'field') return lift(compileField(left.field), test);
    if (left.kind === 'literal') return test(literalValue(left.literal)) ? ALWAYS : NEVER;
    const value = valueGetter(left);
    return (s, i, c) => test(value(s, i, c));
  }
  // Both sides vary per span (`.a = .b`, `(.a = 1) = .flag`): each event or link value of one
  // side against each of the other.
  const a = operand(left);
  const b = operand(right);
  return (s, i, c) => anyValue(a, s, i, c, (x) => anyValue(b, s, i, c, (y) => compareValues(op, x, y)));
}

function isEnum(type: ValueType): boolean {
  return type === 'status' || type === 'kind';
}

function staticType(expr: FieldExpr): ValueType {
  if (expr.kind === 'literal') return expr.literal.type;
  if (expr.kind === 'field') return fieldType(expr.field);
  return 'bool';
}

function operand(expr: FieldExpr): CompiledField {
  return expr.kind === 'field' ? compileField(expr.field) : { many: undefined, get: valueGetter(expr) };
}

/** A non-field expression as a value: a literal, or a boolean sub-expression. */
function valueGetter(expr: FieldExpr): Getter {
  if (expr.kind === 'literal') {
    const value = literalValue(expr.literal);
    return () => value;
  }
  const p = compilePredicate(expr);
  return (s, i, c) => p(s, i, c);
}

/** A literal as field values are read: statuses and kinds as OTLP numbers, durations in ns. */
export function literalValue(literal: Literal): Value {
  switch (literal.type) {
    case 'duration':
      return literal.nanos;
    case 'status':
      return STATUS_CODES[literal.value];
    case 'kind':
      return KIND_CODES[literal.value];
    case 'nil':
      return undefined;
    default:
      return literal.value;
  }
}

/** `value op literal`, specialised for the literal's type: no type dispatch per span beyond `typeof`. */
function literalTest(op: ComparisonOp, literal: Literal, idWidth: number | undefined): ValueTest {
  const value = literalValue(literal);
  if (typeof value === 'string') {
    if (op === '=~' || op === '!~') {
      const regex = compileUserRegex(value, 'full');
      return op === '=~'
        ? (v) => typeof v === 'string' && regex.test(v)
        : (v) => typeof v === 'string' && !regex.test(v);
    }
    const s = idWidth !== undefined && (op === '=' || op === '!=') ? normalizeHexId(value, idWidth) : value;
    switch (op) {
      case '=':
        return (v) => v === s;
      case '!=':
        return (v) => typeof v === 'string' && v !== s;
      default: {
        const holds = ORDER[op];
        return (v) => typeof v === 'string' && holds(compareStrings(v, s));
      }
    }
  }
  if (typeof value === 'number') {
    switch (op) {
      case '=':
        return (v) => v === value;
      case '!=':
        return (v) => typeof v === 'number' && v !== value;
      case '>':
        return (v) => typeof v === 'number' && v > value;
      case '>=':
        return (v) => typeof v === 'number' && v >= value;
      case '<':
        return (v) => typeof v === 'number' && v < value;
      case '<=':
        return (v) => typeof v === 'number' && v <= value;
      default:
        return () => false; // the parser allows no regex against a number
    }
  }
  if (typeof value === 'boolean') {
    if (op === '=') return (v) => v === value;
    if (op === '!=') return (v) => typeof v === 'boolean' && v !== value;
  }
  return () => false;
}

const ORDER: Record<string, (cmp: number) => boolean> = {
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
};

/** Two values known only per span, under the same rules as `literalTest`. */
function compareValues(op: ComparisonOp, a: Value, b: Value): boolean {
  if (a === undefined || b === undefined || typeof a !== typeof b) return false;
  if (op === '=') return a === b;
  if (op === '!=') return a !== b;
  if (typeof a === 'boolean') return false;
  const cmp = typeof a === 'string' ? compareStrings(a, b as string) : (a as number) - (b as number);
  return ORDER[op]?.(cmp) ?? false;
}
