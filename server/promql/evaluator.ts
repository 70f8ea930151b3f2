import { QueryDeadline } from '../query-guards/deadline';
import { type Labels, labelsKey } from '../series-model/labels';
import { aggregate } from './aggregations';
import type { Expr, VectorSelector } from './ast';
import { applyOp, vectorScalar, vectorVector } from './binary';
import { PromqlEvalError } from './errors';
import { callFunction } from './functions';
import type { SampleSeries, SeriesSource } from './series-source';
import { keyOf, type Sample, upperBound, type Value, type Window, withoutName } from './values';

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

export interface SeriesPoints {
  labels: Labels;
  /** [unix ms, value] in time order. */
  points: [number, number][];
}

export type QueryData =
  | { resultType: 'scalar'; result: [number, number] }
  | { resultType: 'string'; result: [number, string] }
  | { resultType: 'vector'; result: { labels: Labels; point: [number, number] }[] }
  | { resultType: 'matrix'; result: SeriesPoints[] };

/**
 * Evaluates a parsed query step by step (each step as an instant query, as Prometheus does),
 * selecting each selector's series once per query.
 */
export class Evaluator {
  private readonly selections = new Map<VectorSelector, readonly SampleSeries[]>();

  constructor(
    private readonly source: SeriesSource | undefined,
    private readonly lookbackMs = DEFAULT_LOOKBACK_MS,
  ) {}

  instant(expr: Expr, timeMs: number): QueryData {
    const value = this.eval(expr, timeMs);
    switch (value.type) {
      case 'scalar':
        return { resultType: 'scalar', result: [timeMs, value.value] };
      case 'string':
        return { resultType: 'string', result: [timeMs, value.value] };
      case 'vector':
        checkUnique(value.samples);
        return {
          resultType: 'vector',
          result: value.samples.map((s) => ({ labels: s.labels, point: [timeMs, s.value] })),
        };
      case 'matrix':
        return {
          resultType: 'matrix',
          result: value.windows.map((w) => ({
            labels: w.series.labels,
            points: w.series.timestamps.slice(w.from, w.to).map((t, i) => [t, w.series.values[w.from + i]]),
          })),
        };
    }
  }

  /**
   * A range query: one instant evaluation per step, pausing between steps whenever `deadline`'s
   * time slice is over, so a long query shares the event loop and stops at its deadline.
   */
  async range(
    expr: Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    deadline = QueryDeadline.unbounded(),
  ): Promise<QueryData> {
    const bySeries = new Map<string, SeriesPoints>();
    for (let t = startMs; t <= endMs; t += stepMs) {
      await deadline.checkpoint();
      const value = this.eval(expr, t);
      if (value.type === 'scalar') {
        addPoint(bySeries, {}, t, value.value);
        continue;
      }
      if (value.type !== 'vector') {
        throw new PromqlEvalError(
          `invalid expression type "${value.type === 'matrix' ? 'range vector' : 'string'}" for range query, must be Scalar or instant Vector`,
        );
      }
      checkUnique(value.samples);
      for (const s of value.samples) addPoint(bySeries, s.labels, t, s.value);
    }
    const result = [...bySeries.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    return { resultType: 'matrix', result };
  }

  eval(expr: Expr, t: number): Value {
    switch (expr.type) {
      case 'number':
        return { type: 'scalar', value: expr.value };
      case 'string':
        return { type: 'string', value: expr.value };
      case 'paren':
        return this.eval(expr.expr, t);
      case 'vector':
        return { type: 'vector', samples: this.selectInstant(expr, t) };
      case 'matrix': {
        const end = t - expr.selector.offsetMs;
        const start = end - expr.rangeMs;
        const windows: Window[] = [];
        for (const series of this.select(expr.selector)) {
          const from = upperBound(series.timestamps, start);
          const to = upperBound(series.timestamps, end);
          if (to > from) windows.push({ series, from, to });
        }
        return { type: 'matrix', windows, rangeMs: expr.rangeMs, endMs: end };
      }
      case 'unary': {
        const inner = this.eval(expr.expr, t);
        const sign = expr.op === '-' ? -1 : 1;
        if (inner.type === 'scalar') return { type: 'scalar', value: sign * inner.value };
        if (inner.type !== 'vector') throw new PromqlEvalError('unary operator on a non-numeric value');
        if (sign === 1) return inner;
        return {
          type: 'vector',
          samples: inner.samples.map((s) => ({ labels: withoutName(s.labels), value: -s.value })),
        };
      }
      case 'call':
        return callFunction(
          expr,
          expr.args.map((a) => this.eval(a, t)),
          t,
        );
      case 'aggregate': {
        const param = expr.param ? this.eval(expr.param, t) : undefined;
        const inner = this.eval(expr.expr, t);
        if (inner.type !== 'vector') throw new PromqlEvalError('aggregation over a non-vector');
        return {
          type: 'vector',
          samples: aggregate(expr, inner.samples, param?.type === 'scalar' ? param.value : Number.NaN),
        };
      }
      case 'binary': {
        const lhs = this.eval(expr.lhs, t);
        const rhs = this.eval(expr.rhs, t);
        if (lhs.type === 'scalar' && rhs.type === 'scalar') {
          return { type: 'scalar', value: applyOp(expr.op, lhs.value, rhs.value) };
        }
        if (lhs.type === 'vector' && rhs.type === 'scalar') {
          return { type: 'vector', samples: vectorScalar(expr, lhs.samples, rhs.value, false) };
        }
        if (lhs.type === 'scalar' && rhs.type === 'vector') {
          return { type: 'vector', samples: vectorScalar(expr, rhs.samples, lhs.value, true) };
        }
        if (lhs.type === 'vector' && rhs.type === 'vector') {
          return { type: 'vector', samples: vectorVector(expr, lhs.samples, rhs.samples) };
        }
        throw new PromqlEvalError('binary expression on unsupported operand types');
      }
    }
  }

  private select(selector: VectorSelector): readonly SampleSeries[] {
    let series = this.selections.get(selector);
    if (!series) {
      series = this.source?.select(selector.matchers) ?? [];
      this.selections.set(selector, series);
    }
    return series;
  }

  private selectInstant(selector: VectorSelector, t: number): Sample[] {
    const at = t - selector.offsetMs;
    const out: Sample[] = [];
    for (const series of this.select(selector)) {
      const i = upperBound(series.timestamps, at) - 1;
      if (i >= 0 && series.timestamps[i] > at - this.lookbackMs) {
        out.push({ labels: series.labels, value: series.values[i] });
      }
    }
    return out;
  }
}

function addPoint(bySeries: Map<string, SeriesPoints>, labels: Labels, t: number, value: number): void {
  const key = keyOf(labels);
  let series = bySeries.get(key);
  if (!series) {
    series = { labels, points: [] };
    bySeries.set(key, series);
  }
  series.points.push([t, value]);
}

function checkUnique(samples: readonly Sample[]): void {
  if (samples.length < 2) return;
  const seen = new Set<string>();
  for (const s of samples) {
    const key = keyOf(s.labels);
    if (seen.has(key)) throw new PromqlEvalError('vector cannot contain metrics with the same labelset');
    seen.add(key);
  }
}

function compareLabels(a: Labels, b: Labels): number {
  const ka = labelsKey(a);
  const kb = labelsKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
