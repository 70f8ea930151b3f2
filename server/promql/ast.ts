import type { LabelMatcher } from '../series-model/matchers';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export interface NumberLiteral {
  type: 'number';
  value: number;
}
export interface StringLiteral {
  type: 'string';
  value: string;
}
export interface VectorSelector {
  type: 'vector';
  name?: string;
  matchers: LabelMatcher[];
  offsetMs: number;
}
export interface MatrixSelector {
  type: 'matrix';
  selector: VectorSelector;
  rangeMs: number;
}
export interface Call {
  type: 'call';
  func: string;
  args: Expr[];
}
export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'topk'
  | 'bottomk'
  | 'quantile';
export interface Aggregate {
  type: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  param?: Expr;
  grouping: string[];
  without: boolean;
}
export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<='
  | 'and'
  | 'or'
  | 'unless';
export interface VectorMatching {
  /** true: `on(labels)`; false: `ignoring(labels)` (or no clause: ignoring nothing). */
  on: boolean;
  labels: string[];
}
export interface Binary {
  type: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** `bool` modifier of a comparison: 0/1 instead of filtering. */
  returnBool: boolean;
  matching: VectorMatching;
}
export interface Unary {
  type: 'unary';
  op: '-' | '+';
  expr: Expr;
}
export interface Paren {
  type: 'paren';
  expr: Expr;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | VectorSelector
  | MatrixSelector
  | Call
  | Aggregate
  | Binary
  | Unary
  | Paren;

export const COMPARISON_OPS = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);

/** The type an expression evaluates to. */
export function typeOf(expr: Expr): ValueType {
  switch (expr.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
      return 'vector';
    case 'matrix':
      return 'matrix';
    case 'aggregate':
      return 'vector';
    case 'call':
      return FUNCTION_RETURN_TYPES[expr.func] ?? 'vector';
    case 'binary':
      return typeOf(expr.lhs) === 'scalar' && typeOf(expr.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(expr.expr);
  }
}

/** Functions whose result is not an instant vector. */
const FUNCTION_RETURN_TYPES: Record<string, ValueType> = { time: 'scalar', scalar: 'scalar', pi: 'scalar' };

export const TYPE_NAMES: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};
