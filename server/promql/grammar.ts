import { type BinaryOp, COMPARISON_OPS, type Expr, SET_OPS, typeOf, type VectorMatching } from './ast';
import type { Token } from './lexer';

/** PromQL's grammar tables and the checks the parser applies, kept apart from the parser itself. */

export const AGGREGATE_OPS = new Set<string>([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
]);
export const PARAMETRIC = new Set<string>(['topk', 'bottomk', 'quantile']);
export const UNSUPPORTED_AGGREGATES = new Set(['count_values', 'limitk', 'limit_ratio']);

/** Binary operators by precedence (higher binds tighter); `^` is right-associative. */
export const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  '==': 3,
  '!=': 3,
  '<=': 3,
  '<': 3,
  '>=': 3,
  '>': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6,
};
export const POW_PRECEDENCE = 6;

/** Why a binary expression is invalid (Prometheus's wording), or undefined. */
export function binaryProblem(
  op: BinaryOp,
  lhs: Expr,
  rhs: Expr,
  returnBool: boolean,
  matching: VectorMatching,
): string | undefined {
  const lt = typeOf(lhs);
  const rt = typeOf(rhs);
  if ((lt !== 'scalar' && lt !== 'vector') || (rt !== 'scalar' && rt !== 'vector')) {
    return 'binary expression must contain only scalar and instant vector types';
  }
  if (returnBool && !COMPARISON_OPS.has(op)) return 'bool modifier can only be used on comparison operators';
  if (COMPARISON_OPS.has(op) && lt === 'scalar' && rt === 'scalar' && !returnBool) {
    return 'comparisons between scalars must use BOOL modifier';
  }
  if (SET_OPS.has(op) && (lt !== 'vector' || rt !== 'vector')) {
    return `set operator "${op}" not allowed in binary scalar expression`;
  }
  if (matching.labels.length > 0 && (lt !== 'vector' || rt !== 'vector')) {
    return 'vector matching only allowed between instant vectors';
  }
  return undefined;
}

export function isGroupingKeyword(token: Token): boolean {
  return token.kind === 'ident' && (token.text === 'by' || token.text === 'without');
}

export function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  return lower.startsWith('0x') ? Number.parseInt(lower, 16) : Number(text);
}

export function describe(token: Token): string {
  switch (token.kind) {
    case 'ident':
      return `identifier ${JSON.stringify(token.text)}`;
    case 'number':
      return `number ${JSON.stringify(token.text)}`;
    case 'string':
      return `string ${token.text}`;
    case 'duration':
      return `duration ${JSON.stringify(token.text)}`;
    default:
      return `${JSON.stringify(token.text)}`;
  }
}
