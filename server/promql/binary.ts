import { QueryDeadline } from '../query-guards/deadline';
import { type Labels, labelsKey } from '../series-model/labels';
import { type Binary, type BinaryOp, COMPARISON_OPS } from './ast';
import { PromqlEvalError } from './errors';
import { derived, type Sample, withoutName } from './values';

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

const signatures = new WeakMap<Binary, WeakMap<Labels, string>>();
/** `on(…)` results' label sets, kept per source label set so they keep their identity across steps. */
const onLabels = new WeakMap<Binary, WeakMap<Labels, Labels>>();

/**
 * The labels a sample is matched on, as a key; cached per (operation, label set): a range query
 * matches the same series at every step (label sets keep their identity across steps).
 */
function signature(labels: Labels, expr: Binary): string {
  let byLabels = signatures.get(expr);
  if (!byLabels) {
    byLabels = new WeakMap();
    signatures.set(expr, byLabels);
  }
  let sig = byLabels.get(labels);
  if (sig === undefined) {
    sig = computeSignature(labels, expr);
    byLabels.set(labels, sig);
  }
  return sig;
}

function computeSignature(labels: Labels, expr: Binary): string {
  const { on, labels: names } = expr.matching;
  const picked: Labels = {};
  if (on) {
    for (const n of names) if (labels[n] !== undefined) picked[n] = labels[n];
  } else {
    for (const [n, v] of Object.entries(labels)) if (n !== '__name__' && !names.includes(n)) picked[n] = v;
  }
  return labelsKey(picked);
}

/**
 * `vector op vector` with one-to-one matching, or the set operators `and`, `or`, `unless`;
 * pauses as `deadline` asks (a label signature costs ~1 µs: 100,000 series a side, ~200 ms).
 */
export async function vectorVector(
  expr: Binary,
  lhs: readonly Sample[],
  rhs: readonly Sample[],
  deadline = QueryDeadline.unbounded(),
): Promise<Sample[]> {
  const signaturesOf = async (samples: readonly Sample[]): Promise<string[]> => {
    const out: string[] = [];
    await deadline.inChunks(samples.length, (from, to) => {
      for (let i = from; i < to; i++) out.push(signature(samples[i].labels, expr));
    });
    return out;
  };
  const lhsSigs = await signaturesOf(lhs);
  const rhsSigs = await signaturesOf(rhs);
  if (expr.op === 'and' || expr.op === 'unless') {
    const right = new Set(rhsSigs);
    const keep = expr.op === 'and';
    return lhs.filter((_, i) => right.has(lhsSigs[i]) === keep);
  }
  if (expr.op === 'or') {
    const left = new Set(lhsSigs);
    return [...lhs, ...rhs.filter((_, i) => !left.has(rhsSigs[i]))];
  }
  const right = new Map<string, Sample>();
  await deadline.inChunks(rhs.length, (from, to) => {
    for (let i = from; i < to; i++) {
      const sig = rhsSigs[i];
      if (right.has(sig)) {
        throw new PromqlEvalError(
          'found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side',
        );
      }
      right.set(sig, rhs[i]);
    }
  });
  const comparison = COMPARISON_OPS.has(expr.op);
  const seen = new Set<string>();
  const out: Sample[] = [];
  await deadline.inChunks(lhs.length, (from, to) => {
    for (let i = from; i < to; i++) {
      const l = lhs[i];
      const sig = lhsSigs[i];
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
      out.push({ labels: resultLabels(expr, l.labels), value: result });
    }
  });
  return out;
}

/** A one-to-one match's labels: the `on(…)` labels, or the left side's without its name. */
function resultLabels(expr: Binary, labels: Labels): Labels {
  if (!expr.matching.on) return withoutName(labels);
  return derived(onLabels, expr, labels, (from) => {
    const picked: Labels = {};
    for (const n of expr.matching.labels) if (from[n] !== undefined) picked[n] = from[n];
    return picked;
  });
}
