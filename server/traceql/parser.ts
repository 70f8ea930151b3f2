import type {
  Aggregate,
  AggregateFn,
  FieldRef,
  Literal,
  Pipeline,
  ScalarOp,
  SpansetExpr,
  SpansetOp,
  Stage,
  StructuralOp,
} from './ast';
import { EXPECTED_CATEGORIES as C } from './errors';
import { BARE_INTRINSICS, fieldType, INTRINSICS, isNumericType } from './intrinsics';
import { KIND_NAMES, STATUS_NAMES } from './literals';
import { describeType, numericLiteral, parseFieldExpr, requireBoolean } from './parse-field-expr';
import { balanced, TokenStream } from './token-stream';

export interface ParsedQuery {
  ast: Pipeline;
  hints: Map<string, string | number | boolean>;
}

const STRUCTURAL_OPS: readonly StructuralOp[] = [
  ...(['>', '<', '>>', '<<', '~'] as const),
  ...(['!>', '!<', '!>>', '!<<', '!~'] as const),
  ...(['&>', '&<', '&>>', '&<<', '&~'] as const),
];
const SCALAR_OPS: readonly ScalarOp[] = ['=', '!=', '>', '>=', '<', '<='];
const AGGREGATES: readonly AggregateFn[] = ['count', 'avg', 'min', 'max', 'sum'];

/**
 * A recursive-descent parser for TraceQL's search subset, after Tempo's `expr.y`:
 *
 * ```
 * query     := pipeline ("with" "(" hint ("," hint)* ")")? EOF
 * pipeline  := stage ("|" stage)*            -- coalesce() never first, as in Tempo
 * stage     := spansets | aggregate cmp number | "by" "(" field ")"
 *            | "select" "(" field ("," field)* ")" | "coalesce" "(" ")"
 * spansets  := structural (("&&" | "||") structural)*
 * structural:= primary (structuralOp primary)*     -- binds tighter than && and ||
 * primary   := "{" fieldExpr? "}" | "(" pipeline ")"
 * ```
 *
 * Metrics functions (`rate()`, `| topk`) and arithmetic are not part of search, and are refused
 * with the usual "expected … but found …" error.
 */
export function parseQuery(text: string): ParsedQuery {
  const ts = new TokenStream(text);
  const ast = parsePipeline(ts);
  const hints = ts.accept('with') ? parseHints(ts) : new Map<string, string | number | boolean>();
  if (ts.peek().kind !== 'eof') {
    ts.expect(C.end);
    ts.fail();
  }
  return { ast, hints };
}

function parsePipeline(ts: TokenStream): Pipeline {
  const stages = parseStage(ts, true);
  while (ts.accept('|')) stages.push(...parseStage(ts, false));
  return { stages };
}

/** One stage; a parenthesised pipeline in a stage's place is flattened (`(a | b) | c` is `a | b | c`). */
function parseStage(ts: TokenStream, first: boolean): Stage[] {
  if (ts.is('{') || ts.is('(')) {
    const expr = parseSpansets(ts);
    return expr.kind === 'pipeline' ? expr.pipeline.stages : [{ kind: 'spanset', expr }];
  }
  if (ts.accept('by')) {
    ts.require('(');
    const field = parseFieldRef(ts);
    ts.require(')');
    return [{ kind: 'by', field }];
  }
  if (ts.accept('select')) {
    ts.require('(');
    const fields = [parseFieldRef(ts)];
    while (ts.accept(',')) fields.push(parseFieldRef(ts));
    ts.require(')');
    return [{ kind: 'select', fields }];
  }
  if (!first && ts.accept('coalesce')) {
    ts.require('(');
    ts.require(')');
    return [{ kind: 'coalesce' }];
  }
  const fn = ts.acceptAny(AGGREGATES);
  if (!fn) ts.fail();
  const aggregate = parseAggregate(ts, fn.text);
  const op = ts.acceptAny(SCALAR_OPS) ?? ts.fail();
  return [{ kind: 'scalarFilter', aggregate, op: op.text, value: parseNumber(ts) }];
}

/** Depth of the spanset operator trees built so far (filters and pipeline operands count 1). */
const depths = new WeakMap<SpansetExpr, number>();
const depthOf = (expr: SpansetExpr): number => depths.get(expr) ?? 1;

function spansetOp(
  ts: TokenStream,
  op: SpansetOp,
  left: SpansetExpr,
  right: SpansetExpr,
  at: number,
): SpansetExpr {
  const expr: SpansetExpr = { kind: 'spansetOp', op, left, right };
  const depth = Math.max(depthOf(left), depthOf(right)) + 1;
  ts.checkDepth(depth, at);
  depths.set(expr, depth);
  return expr;
}

/** `&&` and `||` runs are associative (unions of spans): built balanced, as in field expressions. */
function parseSpansets(ts: TokenStream): SpansetExpr {
  const LOGICAL = ['&&', '||'] as const;
  let left = parseStructural(ts);
  let op = ts.acceptAny(LOGICAL);
  while (op) {
    const { text: runOp, pos } = op;
    const run = [left];
    do {
      run.push(parseStructural(ts));
      op = ts.acceptAny(LOGICAL);
    } while (op?.text === runOp);
    left = balanced(run, (a, b) => spansetOp(ts, runOp, a, b, pos));
  }
  return left;
}

function parseStructural(ts: TokenStream): SpansetExpr {
  let left = parseSpansetPrimary(ts);
  for (let op = ts.acceptAny(STRUCTURAL_OPS); op; op = ts.acceptAny(STRUCTURAL_OPS)) {
    left = spansetOp(ts, op.text, left, parseSpansetPrimary(ts), op.pos);
  }
  return left;
}

function parseSpansetPrimary(ts: TokenStream): SpansetExpr {
  const open = ts.accept('{');
  if (open) {
    if (ts.accept('}'))
      return { kind: 'filter', expr: { kind: 'literal', literal: { type: 'bool', value: true } } };
    const typed = parseFieldExpr(ts);
    requireBoolean(ts, typed, 'a spanset filter', typed.pos);
    ts.require('}');
    return { kind: 'filter', expr: typed.expr };
  }
  const paren = ts.accept('(');
  if (paren) {
    const pipeline = ts.nested(paren.pos, () => parsePipeline(ts));
    ts.require(')');
    const [only] = pipeline.stages;
    // Parentheses around spanset expressions only group them.
    if (pipeline.stages.length === 1 && only.kind === 'spanset') return only.expr;
    return { kind: 'pipeline', pipeline };
  }
  ts.fail();
}

function parseAggregate(ts: TokenStream, fn: AggregateFn): Aggregate {
  ts.require('(');
  if (fn === 'count') {
    ts.require(')');
    return { fn };
  }
  const pos = ts.peek().pos;
  const field = parseFieldRef(ts);
  const type = fieldType(field);
  if (type !== 'dynamic' && !isNumericType(type)) {
    ts.failAt(pos, `${fn}() needs a numeric field, not ${describeType(type)}`);
  }
  ts.require(')');
  return { fn, field };
}

function parseFieldRef(ts: TokenStream): FieldRef {
  const token = ts.peek();
  if (token.kind === 'field') {
    ts.next();
    return token.field!;
  }
  const intrinsic = token.kind === 'word' ? BARE_INTRINSICS.get(token.text) : undefined;
  if (intrinsic !== undefined) {
    ts.next();
    return INTRINSICS.get(intrinsic)!.ref;
  }
  ts.expect(C.attribute, C.intrinsic);
  ts.fail();
}

/** The right side of a scalar filter: a number or duration, possibly negative. */
function parseNumber(ts: TokenStream): Literal {
  const negative = ts.accept('-') !== undefined;
  const token = ts.peek();
  if (token.kind === 'int' || token.kind === 'float' || token.kind === 'duration') {
    ts.next();
    return numericLiteral(token.kind, negative ? -token.num! : token.num!);
  }
  ts.expect(C.number, C.duration);
  ts.fail();
}

/** `with (most_recent=true, foo="bar")`: every hint is kept; the search engine reads the ones it knows. */
function parseHints(ts: TokenStream): Map<string, string | number | boolean> {
  const hints = new Map<string, string | number | boolean>();
  ts.require('(');
  do {
    if (!ts.isKind('word', C.hintName)) ts.fail();
    const name = ts.next().text;
    ts.require('=');
    hints.set(name, parseHintValue(ts));
  } while (ts.accept(','));
  ts.require(')');
  return hints;
}

/** Numbers and durations (in nanoseconds) as numbers; statuses and kinds by name. */
function parseHintValue(ts: TokenStream): string | number | boolean {
  const token = ts.peek();
  if (token.kind === 'string') return ts.next().str!;
  if (token.kind === 'word') {
    const word = token.text;
    if (word === 'true' || word === 'false') return ts.next().text === 'true';
    if ((STATUS_NAMES as string[]).includes(word) || (KIND_NAMES as string[]).includes(word))
      return ts.next().text;
  }
  if (ts.is('-') || token.kind === 'int' || token.kind === 'float' || token.kind === 'duration') {
    const literal = parseNumber(ts);
    return literal.type === 'duration' ? literal.nanos : (literal as { value: number }).value;
  }
  ts.expect(C.string, C.number, C.duration, 'true', 'false');
  ts.fail();
}
