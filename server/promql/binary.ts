import { type Labels, labelsKey } from '../series-model/labels';
import { type Binary, type BinaryOp, COMPARISON_OPS } from './ast';
import { PromqlEvalError } from './errors';
import { type Sample, withoutName } from './values';

/** Arithmetic and comparison on two numbers; comparisons answer 1 or 0. */
export function applyOp(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    default:
      throw new PromqlEvalError(`operator "${op}" is not defined on numbers`);
  }
}

/** `vector op scalar` (or `scalar op vector` with `scalarOnLeft`); comparisons filter unless `bool`. */
export function vectorScalar(
  expr: Binary,
  samples: readonly Sample[],
  scalar: number,
  scalarOnLeft: boolean,
): Sample[] {
  const comparison = COMPARISON_OPS.has(expr.op);
  const out: Sample[] = [];
  for (const s of samples) {
    const [a, b] = scalarOnLeft ? [scalar, s.value] : [s.value, scalar];
    const result = applyOp(expr.op, a, b);
    if (comparison && !expr.returnBool) {
      if (result === 1) out.push(s);
      continue;
    }
    out.push({ labels: withoutName(s.labels), value: result });
  }
  return out;
}

function signature(labels: Labels, expr: Binary): string {
  const { on, labels: names } = expr.matching;
  const picked: Labels = {};
  if (on) {
    for (const n of names) if (labels[n] !== undefined) picked[n] = labels[n];
  } else {
    for (const [n, v] of Object.entries(labels)) if (n !== '__name__' && !names.includes(n)) picked[n] = v;
  }
  return labelsKey(picked);
}

/** `vector op vector` with one-to-one matching, or the set operators `and`, `or`, `unless`. */
export function vectorVector(expr: Binary, lhs: readonly Sample[], rhs: readonly Sample[]): Sample[] {
  if (expr.op === 'and' || expr.op === 'unless') {
    const right = new Set(rhs.map((s) => signature(s.labels, expr)));
    const keep = expr.op === 'and';
    return lhs.filter((s) => right.has(signature(s.labels, expr)) === keep);
  }
  if (expr.op === 'or') {
    const left = new Set(lhs.map((s) => signature(s.labels, expr)));
    return [...lhs, ...rhs.filter((s) => !left.has(signature(s.labels, expr)))];
  }
  const right = new Map<string, Sample>();
  for (const s of rhs) {
    const sig = signature(s.labels, expr);
    if (right.has(sig)) {
      throw new PromqlEvalError(
        'found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side',
      );
    }
    right.set(sig, s);
  }
  const comparison = COMPARISON_OPS.has(expr.op);
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const l of lhs) {
    const sig = signature(l.labels, expr);
    const r = right.get(sig);
    if (!r) continue;
    if (seen.has(sig)) {
      throw new PromqlEvalError(
        'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
      );
    }
    seen.add(sig);
    const result = applyOp(expr.op, l.value, r.value);
    if (comparison && !expr.returnBool) {
      if (result === 1) out.push(l);
      continue;
    }
    let labels = withoutName(l.labels);
    if (expr.matching.on) {
      labels = {};
      for (const n of expr.matching.labels) if (l.labels[n] !== undefined) labels[n] = l.labels[n];
    }
    out.push({ labels, value: result });
  }
  return out;
}
