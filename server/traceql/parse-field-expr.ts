import { compileUserRegex } from '../query-guards/user-regex';
import type { ComparisonOp, FieldExpr, FieldRef, KindName, Literal, StatusName } from './ast';
import { EXPECTED_CATEGORIES as C } from './errors';
import { BARE_INTRINSICS, fieldType, INTRINSICS, isNumericType, type ValueType } from './intrinsics';
import { KIND_NAMES, STATUS_NAMES } from './literals';
import { balanced, type TokenStream } from './token-stream';

/** An expression with its static type, where it starts (for error positions) and its depth. */
export interface Typed {
  expr: FieldExpr;
  type: ValueType;
  pos: number;
  depth: number;
}

const COMPARISON_OPS: readonly ComparisonOp[] = ['=', '!=', '>', '>=', '<', '<=', '=~', '!~'];
const FLIPPED: Record<ComparisonOp, ComparisonOp> = {
  '=': '=',
  '!=': '!=',
  '>': '<',
  '>=': '<=',
  '<': '>',
  '<=': '>=',
  '=~': '=~',
  '!~': '!~',
};
const OPERAND_EXPECTED = [
  ...['(', '!', '-', C.attribute, C.intrinsic, C.string, C.number, C.duration],
  ...['true', 'false', 'nil', C.status, C.kind],
];
/** Tempo's `minInt`/`maxInt` (64-bit bounds; here the nearest doubles). */
const NAMED_INTS: Record<string, number> = { minInt: -(2 ** 63), maxInt: 2 ** 63 - 1 };

export function describeType(type: ValueType): string {
  const names: Record<ValueType, string> = {
    string: 'a string',
    int: 'a number',
    float: 'a number',
    duration: 'a duration',
    bool: 'a boolean',
    status: 'a status',
    kind: 'a kind',
    nil: 'nil',
    dynamic: 'an attribute',
  };
  return names[type];
}

/**
 * `orExpr := cmpExpr (("&&" | "||") cmpExpr)*` — one precedence, left-associative, as Tempo's
 * yacc grammar declares them (`%left AND OR`): `a || b && c` is `(a || b) && c`. A run of one
 * operator is associative, so it is built balanced (see `balanced`).
 */
export function parseFieldExpr(ts: TokenStream): Typed {
  const LOGICAL = ['&&', '||'] as const;
  let left = parseComparison(ts);
  let op = ts.acceptAny(LOGICAL);
  while (op) {
    const runOp = op.text;
    const run = [left];
    requireBoolean(ts, left, `"${runOp}"`, op.pos);
    do {
      const right = parseComparison(ts);
      requireBoolean(ts, right, `"${runOp}"`, op.pos);
      run.push(right);
      op = ts.acceptAny(LOGICAL);
    } while (op?.text === runOp);
    left = balanced(run, (a, b) => ({
      expr: { kind: 'logical', op: runOp, left: a.expr, right: b.expr },
      type: 'bool',
      pos: a.pos,
      depth: Math.max(a.depth, b.depth) + 1,
    }));
    ts.checkDepth(left.depth, left.pos);
  }
  return left;
}

export function requireBoolean(ts: TokenStream, typed: Typed, what: string, at: number): void {
  if (typed.type !== 'bool' && typed.type !== 'dynamic') {
    ts.failAt(at, `${what} needs a boolean, not ${describeType(typed.type)}`);
  }
}

/** `cmpExpr := unary (op unary)*`, left-associative. */
function parseComparison(ts: TokenStream): Typed {
  let left = parseUnary(ts, undefined);
  for (let op = ts.acceptAny(COMPARISON_OPS); op; op = ts.acceptAny(COMPARISON_OPS)) {
    const right = parseUnary(ts, left.type);
    left = comparison(ts, left, op.text, right, op.pos);
  }
  return left;
}

function parseUnary(ts: TokenStream, context: ValueType | undefined): Typed {
  const not = ts.accept('!');
  if (not) {
    const operand = ts.nested(not.pos, () => parseUnary(ts, undefined));
    requireBoolean(ts, operand, '"!"', not.pos);
    return {
      expr: { kind: 'not', operand: operand.expr },
      type: 'bool',
      pos: not.pos,
      depth: operand.depth + 1,
    };
  }
  const minus = ts.accept('-');
  if (minus) {
    // Arithmetic is not supported, so `-` only negates a number or duration literal.
    const token = ts.peek();
    if (token.kind === 'int' || token.kind === 'float' || token.kind === 'duration') {
      ts.next();
      const literal = numericLiteral(token.kind, -token.num!);
      return { expr: { kind: 'literal', literal }, type: literal.type, pos: minus.pos, depth: 1 };
    }
    ts.expectOnly([C.number, C.duration]);
    ts.fail();
  }
  return parsePrimary(ts, context);
}

export function numericLiteral(kind: 'int' | 'float' | 'duration', value: number): Literal {
  return kind === 'duration' ? { type: 'duration', nanos: value } : { type: kind, value };
}

function parsePrimary(ts: TokenStream, context: ValueType | undefined): Typed {
  const token = ts.peek();
  const pos = token.pos;
  const literal = (lit: Literal): Typed => {
    ts.next();
    return { expr: { kind: 'literal', literal: lit }, type: lit.type, pos, depth: 1 };
  };
  if (ts.accept('(')) {
    const inner = ts.nested(pos, () => parseFieldExpr(ts));
    ts.require(')');
    return { ...inner, pos };
  }
  switch (token.kind) {
    case 'field':
      ts.next();
      return { expr: { kind: 'field', field: token.field! }, type: fieldType(token.field!), pos, depth: 1 };
    case 'string':
      return literal({ type: 'string', value: token.str! });
    case 'int':
    case 'float':
    case 'duration':
      return literal(numericLiteral(token.kind, token.num!));
    case 'word': {
      const word = token.text;
      if (word === 'true' || word === 'false') return literal({ type: 'bool', value: word === 'true' });
      if (word === 'nil') return literal({ type: 'nil' });
      if ((STATUS_NAMES as string[]).includes(word))
        return literal({ type: 'status', value: word as StatusName });
      if ((KIND_NAMES as string[]).includes(word)) return literal({ type: 'kind', value: word as KindName });
      if (word in NAMED_INTS) return literal({ type: 'int', value: NAMED_INTS[word] });
      const intrinsic = BARE_INTRINSICS.get(word);
      if (intrinsic !== undefined) {
        ts.next();
        const field = INTRINSICS.get(intrinsic)!.ref;
        return { expr: { kind: 'field', field }, type: fieldType(field), pos, depth: 1 };
      }
    }
  }
  // Against a status or kind only its values make sense; elsewhere any operand does.
  if (context === 'status') ts.expectOnly(STATUS_NAMES);
  else if (context === 'kind') ts.expectOnly(KIND_NAMES);
  else ts.expect(...OPERAND_EXPECTED);
  ts.fail();
}

function opAllowed(op: ComparisonOp, type: ValueType): boolean {
  if (type === 'dynamic' || type === 'string') return true;
  if (isNumericType(type)) return op !== '=~' && op !== '!~';
  return op === '=' || op === '!=';
}

/** Tempo's `isMatchingOperand`: same type, both numeric, or one side not known until run time. */
function matchingOperands(a: ValueType, b: ValueType): boolean {
  return a === b || a === 'dynamic' || b === 'dynamic' || (isNumericType(a) && isNumericType(b));
}

/** Builds `left op right`, checking operand types as Tempo's validator does, at parse time. */
function comparison(ts: TokenStream, left: Typed, op: ComparisonOp, right: Typed, at: number): Typed {
  const depth = Math.max(left.depth, right.depth) + 1;
  ts.checkDepth(depth, at);
  const bool = (expr: FieldExpr): Typed => ({ expr, type: 'bool', pos: left.pos, depth });
  if (left.type === 'nil' || right.type === 'nil') {
    if (op !== '=' && op !== '!=') ts.failAt(at, `"${op}" cannot be applied to nil`);
    // Tempo folds `nil = nil` and `nil != nil` to false.
    if (left.type === 'nil' && right.type === 'nil')
      return bool({ kind: 'literal', literal: { type: 'bool', value: false } });
    const other = left.type === 'nil' ? right : left;
    if (other.expr.kind !== 'field')
      ts.failAt(other.pos, 'only an attribute or intrinsic can be compared with nil');
    const field = other.expr.field;
    if (op === '=') checkNilable(ts, field, at);
    return bool({ kind: 'exists', field, exists: op === '!=' });
  }
  if (op === '=~' || op === '!~') {
    if (right.expr.kind !== 'literal' || right.expr.literal.type !== 'string') {
      ts.failAt(right.pos, `the right side of "${op}" must be a string literal`);
    }
    if (left.type !== 'string' && left.type !== 'dynamic') {
      ts.failAt(at, `"${op}" cannot be applied to ${describeType(left.type)}`);
    }
    try {
      // Checked unwrapped first, so RE2's message quotes the pattern as written, not `^(?s:…)$`.
      compileUserRegex(right.expr.literal.value, 'search');
      compileUserRegex(right.expr.literal.value, 'full');
    } catch (err) {
      ts.failAt(right.pos, `invalid regex: ${(err as Error).message}`);
    }
    return bool({ kind: 'compare', op, left: left.expr, right: right.expr });
  }
  if (!matchingOperands(left.type, right.type)) {
    ts.failAt(at, `cannot compare ${describeType(left.type)} with ${describeType(right.type)}`);
  }
  for (const side of [left, right]) {
    if (!opAllowed(op, side.type)) ts.failAt(at, `"${op}" cannot be applied to ${describeType(side.type)}`);
  }
  // Literal on the right, so the compiler and the prefilter see `field op literal` only.
  if (left.expr.kind === 'literal' && right.expr.kind !== 'literal') {
    return bool({ kind: 'compare', op: FLIPPED[op], left: right.expr, right: left.expr });
  }
  return bool({ kind: 'compare', op, left: left.expr, right: right.expr });
}

/** Tempo refuses `intrinsic = nil` and `resource.service.name = nil`: neither can be missing. */
function checkNilable(ts: TokenStream, field: FieldRef, at: number): void {
  if (field.scope === 'intrinsic' || field.scope === 'trace') {
    ts.failAt(at, `${field.name} = nil is not valid: intrinsics cannot be nil`);
  }
  if (field.scope === 'resource' && field.name === 'service.name') {
    ts.failAt(at, 'resource.service.name = nil is not valid: resource.service.name cannot be nil');
  }
}
