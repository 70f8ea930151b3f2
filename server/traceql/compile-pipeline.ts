import type { Pipeline, SpansetExpr, Stage } from './ast';
import {
  compileGroupBy,
  compileScalarFilter,
  type Indices,
  type StageFn,
  sizeOf,
  type WorkSet,
} from './compile-aggregate';
import type { EvalContext } from './compile-field';
import { ALWAYS, compilePredicate } from './compile-predicate';
import { mergeSorted, relate } from './structure';

/** The spans of one input spanset a spanset expression selects. */
type SpansetFn = (input: WorkSet, ctx: EvalContext) => Indices;

const NO_SPANS: readonly number[] = Object.freeze([]);

/**
 * Compiles a pipeline into one function over spansets. Each stage gets the previous stage's
 * spansets; the first gets one spanset of every span of the trace, and the pipeline stops as soon
 * as a stage leaves none (Tempo's `Pipeline.evaluate`).
 */
export function compilePipeline(pipeline: Pipeline): StageFn {
  const stages = pipeline.stages.map(compileStage);
  return (input, ctx) => {
    let sets: readonly WorkSet[] = input;
    for (const stage of stages) {
      sets = stage(sets, ctx);
      if (sets.length === 0) return [];
    }
    return sets as WorkSet[];
  };
}

function compileStage(stage: Stage): StageFn {
  switch (stage.kind) {
    case 'spanset':
      return spansetStage(compileSpanset(stage.expr));
    case 'scalarFilter':
      return compileScalarFilter(stage.aggregate, stage.op, stage.value);
    case 'by':
      return compileGroupBy(stage.field);
    case 'select':
      // The selected fields are added to every result span at the end (see query.ts).
      return (input) => input.slice();
    case 'coalesce':
      // Undoes by(): all spansets of the trace as one, without their computed attributes.
      return (input) => [
        { idx: input.reduce<Indices>((all, set) => union(all, set.idx), NO_SPANS), attrs: [] },
      ];
  }
}

/** A spanset expression as a stage: each input spanset is filtered; empty results are dropped. */
function spansetStage(select: SpansetFn): StageFn {
  return (input, ctx) => {
    let out: WorkSet[] | undefined;
    for (const set of input) {
      const idx = select(set, ctx);
      if (sizeOf(idx, ctx) === 0) continue;
      // The spanset keeps what earlier stages computed for it, as Tempo's clone() does.
      out ??= [];
      out.push(idx === set.idx ? set : { idx, attrs: set.attrs });
    }
    return out ?? [];
  };
}

function compileSpanset(expr: SpansetExpr): SpansetFn {
  switch (expr.kind) {
    case 'filter': {
      const predicate = compilePredicate(expr.expr);
      if (predicate === ALWAYS) return (input) => input.idx;
      return (input, ctx) => {
        // Allocates only once a span matches: most traces match no span of most queries.
        const spans = ctx.spans;
        let out: number[] | undefined;
        const test = (i: number): void => {
          if (!predicate(spans[i], i, ctx)) return;
          out ??= [];
          out.push(i);
        };
        if (input.idx === null) for (let i = 0; i < spans.length; i++) test(i);
        else for (const i of input.idx) test(i);
        return out ?? NO_SPANS;
      };
    }
    case 'pipeline': {
      // A pipeline as an operand counts as the union of the spansets it yields (Tempo's uniqueSpans).
      const run = compilePipeline(expr.pipeline);
      return (input, ctx) => run([input], ctx).reduce<Indices>((all, set) => union(all, set.idx), NO_SPANS);
    }
    case 'spansetOp': {
      const left = compileSpanset(expr.left);
      const right = compileSpanset(expr.right);
      const op = expr.op;
      if (op === '&&') {
        return (input, ctx) => {
          const l = left(input, ctx);
          if (sizeOf(l, ctx) === 0) return NO_SPANS;
          const r = right(input, ctx);
          return sizeOf(r, ctx) === 0 ? NO_SPANS : union(l, r);
        };
      }
      if (op === '||') return (input, ctx) => union(left(input, ctx), right(input, ctx));
      // Without a left-hand span only the negated forms can return anything; the trace's
      // structure is built only when a relation has to be worked out.
      const negated = op.startsWith('!');
      return (input, ctx) => {
        const r = right(input, ctx);
        if (sizeOf(r, ctx) === 0) return NO_SPANS;
        const l = left(input, ctx);
        if (sizeOf(l, ctx) === 0) return negated ? r : NO_SPANS;
        return relate(op, materialize(l, ctx), materialize(r, ctx), ctx.structure());
      };
    }
  }
}

function union(a: Indices, b: Indices): Indices {
  if (a === null || b === null) return null;
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return mergeSorted(a, b);
}

function materialize(idx: Indices, ctx: EvalContext): readonly number[] {
  if (idx !== null) return idx;
  return Array.from({ length: ctx.spans.length }, (_, i) => i);
}
