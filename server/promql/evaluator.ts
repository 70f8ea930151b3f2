import { QueryDeadline } from '../query-guards/deadline';
import { type Labels, labelsKey } from '../series-model/labels';
import { aggregate } from './aggregations';
import type { Call, Expr, VectorSelector } from './ast';
import { applyOp, vectorScalar, vectorVector } from './binary';
import { PromqlEvalError } from './errors';
import { callFunction, isPerWindow } from './functions';
import type { SampleSeries, SeriesSource } from './series-source';
import { keyOf, type Sample, upperBound, type Value, type Window, withoutName } from './values';

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

type MatrixSelector = Extract<Expr, { type: 'matrix' }>;

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

export interface EvaluatorOptions {
  /** How far back an instant selector looks for a series' latest sample (Prometheus's 5 m). */
  lookbackMs?: number;
  /**
   * Prometheus's `query.max-samples` (`metrics.max_samples`): at most this many samples held at
   * once: those the selectors load at one step plus the points a range query has gathered.
   */
  maxSamples?: number;
}

/**
 * Evaluates a parsed query step by step (each step as an instant query, as Prometheus does),
 * selecting each selector's series once per query.
 *
 * Shares the event loop: evaluation counts its work (series visited, samples an operator went
 * through) with the query's `QueryDeadline` and pauses whenever its time slice is over, so one
 * query over every series of a tenant neither holds the thread nor runs past `query_timeout`.
 * It never pauses while a range selector's windows are alive: they index into series arrays
 * that retention may trim during a pause.
 */
export class Evaluator {
  private readonly selections = new Map<VectorSelector, readonly SampleSeries[]>();
  private readonly lookbackMs: number;
  private readonly maxSamples: number;
  private deadline = QueryDeadline.unbounded();
  /** Samples the selectors loaded at the current step. */
  private stepSamples = 0;
  /** Points a range query has gathered so far (held until the answer is sent). */
  private retainedSamples = 0;

  constructor(
    private readonly source: SeriesSource | undefined,
    options: EvaluatorOptions = {},
  ) {
    this.lookbackMs = options.lookbackMs ?? DEFAULT_LOOKBACK_MS;
    this.maxSamples = options.maxSamples ?? Number.POSITIVE_INFINITY;
  }

  /** An instant query at `timeMs`; pauses and stops as `deadline` says. */
  async instant(expr: Expr, timeMs: number, deadline = QueryDeadline.unbounded()): Promise<QueryData> {
    this.deadline = deadline;
    this.stepSamples = 0;
    const inner = unparen(expr);
    // A range vector is answered as it is selected, with no pause between (see the class note).
    const value =
      inner.type === 'matrix'
        ? this.selectRange(inner, timeMs, await this.select(inner.selector))
        : await this.eval(expr, timeMs);
    switch (value.type) {
      case 'scalar':
        return { resultType: 'scalar', result: [timeMs, value.value] };
      case 'string':
        return { resultType: 'string', result: [timeMs, value.value] };
      case 'vector':
        await this.checkUnique(value.samples);
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
   * A range query: one instant evaluation per step, pausing between steps (and within one)
   * whenever `deadline`'s time slice is over, so a long query shares the event loop and stops at
   * its deadline.
   */
  async range(
    expr: Expr,
    startMs: number,
    endMs: number,
    stepMs: number,
    deadline = QueryDeadline.unbounded(),
  ): Promise<QueryData> {
    this.deadline = deadline;
    const bySeries = new Map<string, SeriesPoints>();
    for (let t = startMs; t <= endMs; t += stepMs) {
      await deadline.checkpoint();
      this.stepSamples = 0;
      const value = await this.eval(expr, t);
      if (value.type === 'scalar') {
        addPoint(bySeries, {}, t, value.value);
        this.retain(1);
        continue;
      }
      if (value.type !== 'vector') {
        throw new PromqlEvalError(
          `invalid expression type "${value.type === 'matrix' ? 'range vector' : 'string'}" for range query, must be Scalar or instant Vector`,
        );
      }
      await this.checkUnique(value.samples);
      for (const s of value.samples) addPoint(bySeries, s.labels, t, s.value);
      this.retain(value.samples.length);
    }
    const result = [...bySeries.values()].sort((a, b) => compareLabels(a.labels, b.labels));
    return { resultType: 'matrix', result };
  }

  /** Evaluates `expr` at `t`; a range selector only as a function's argument (`selectRange`). */
  async eval(expr: Expr, t: number): Promise<Value> {
    switch (expr.type) {
      case 'number':
        return { type: 'scalar', value: expr.value };
      case 'string':
        return { type: 'string', value: expr.value };
      case 'paren':
        return this.eval(expr.expr, t);
      case 'vector':
        return { type: 'vector', samples: await this.selectInstant(expr, t) };
      case 'matrix':
        return this.selectRange(expr, t, await this.select(expr.selector));
      case 'unary': {
        const inner = await this.eval(expr.expr, t);
        const sign = expr.op === '-' ? -1 : 1;
        if (inner.type === 'scalar') return { type: 'scalar', value: sign * inner.value };
        if (inner.type !== 'vector') throw new PromqlEvalError('unary operator on a non-numeric value');
        if (sign === 1) return inner;
        const samples = inner.samples.map((s) => ({ labels: withoutName(s.labels), value: -s.value }));
        if (this.deadline.spend(samples.length)) await this.deadline.pause();
        return { type: 'vector', samples };
      }
      case 'call': {
        const only = expr.args.length === 1 ? unparen(expr.args[0]) : undefined;
        if (only?.type === 'matrix' && isPerWindow(expr.func)) return this.callPerWindow(expr, only, t);
        // Range selectors last, and with no pause until the function has read their windows.
        const args: (Value | undefined)[] = [];
        const ranges: (readonly SampleSeries[] | undefined)[] = [];
        for (const arg of expr.args) {
          const e = unparen(arg);
          args.push(e.type === 'matrix' ? undefined : await this.eval(arg, t));
          ranges.push(e.type === 'matrix' ? await this.select(e.selector) : undefined);
        }
        let units = 0;
        const values = expr.args.map((arg, i) => {
          const value = args[i] ?? this.selectRange(unparen(arg) as MatrixSelector, t, ranges[i]!);
          units += valueSize(value);
          return value;
        });
        const value = callFunction(expr, values, t);
        if (this.deadline.spend(units)) await this.deadline.pause();
        return value;
      }
      case 'aggregate': {
        const param = expr.param ? await this.eval(expr.param, t) : undefined;
        const inner = await this.eval(expr.expr, t);
        if (inner.type !== 'vector') throw new PromqlEvalError('aggregation over a non-vector');
        const paramValue = param?.type === 'scalar' ? param.value : Number.NaN;
        return { type: 'vector', samples: await aggregate(expr, inner.samples, paramValue, this.deadline) };
      }
      case 'binary': {
        const lhs = await this.eval(expr.lhs, t);
        const rhs = await this.eval(expr.rhs, t);
        if (lhs.type === 'vector' && rhs.type === 'vector') {
          return {
            type: 'vector',
            samples: await vectorVector(expr, lhs.samples, rhs.samples, this.deadline),
          };
        }
        const value = binary(expr, lhs, rhs);
        if (this.deadline.spend(valueSize(lhs) + valueSize(rhs))) await this.deadline.pause();
        return value;
      }
    }
  }

  /** Refuses a vector holding two samples with the same labels, as Prometheus does. */
  private async checkUnique(samples: readonly Sample[]): Promise<void> {
    if (samples.length < 2) return;
    const seen = new Set<string>();
    await this.deadline.inChunks(samples.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const key = keyOf(samples[i].labels);
        if (seen.has(key)) throw new PromqlEvalError('vector cannot contain metrics with the same labelset');
        seen.add(key);
      }
    });
  }

  /** Counts samples the current step holds; past `maxSamples` (with the gathered points) the query fails. */
  private load(samples: number): void {
    this.stepSamples += samples;
    if (this.stepSamples + this.retainedSamples > this.maxSamples)
      throw new TooManySamplesError(this.maxSamples);
  }

  private retain(points: number): void {
    this.retainedSamples += points;
    if (this.retainedSamples > this.maxSamples) throw new TooManySamplesError(this.maxSamples);
  }

  /**
   * The selector's series, found once per query (pausing while matchers are tried). Callers make
   * a range selector's windows only once this has resolved, so no pause falls while they live.
   */
  private async select(selector: VectorSelector): Promise<readonly SampleSeries[]> {
    let series = this.selections.get(selector);
    if (!series) {
      series = (await this.source?.select(selector.matchers, this.deadline)) ?? [];
      this.selections.set(selector, series);
    }
    return series;
  }

  /**
   * A function of one range vector whose every window gives its own sample (`rate`,
   * `*_over_time`…): the windows of a chunk of series are made and handed to the function
   * together, with pauses only between chunks, so no window is alive across a pause.
   */
  private async callPerWindow(call: Call, range: MatrixSelector, t: number): Promise<Value> {
    const end = t - range.selector.offsetMs;
    const start = end - range.rangeMs;
    const out: Sample[] = [];
    const series = await this.select(range.selector);
    let samples = 0;
    await this.deadline.inChunks(series.length, (from, to) => {
      const windows: Window[] = [];
      for (let i = from; i < to; i++) {
        const s = series[i];
        const first = upperBound(s.timestamps, start);
        const last = upperBound(s.timestamps, end);
        if (last > first) {
          windows.push({ series: s, from: first, to: last });
          samples += last - first;
        }
      }
      this.load(samples);
      const value = callFunction(call, [{ type: 'matrix', windows, rangeMs: range.rangeMs, endMs: end }], t);
      if (value.type !== 'vector') throw new PromqlEvalError(`${call.func} did not answer an instant vector`);
      for (const sample of value.samples) out.push(sample);
      // The function went through every sample of the windows: they count as work too.
      const units = samples;
      samples = 0;
      return units;
    });
    return { type: 'vector', samples: out };
  }

  /** The latest sample within the lookback of each series; may pause (samples are copied out). */
  private async selectInstant(selector: VectorSelector, t: number): Promise<Sample[]> {
    const at = t - selector.offsetMs;
    const out: Sample[] = [];
    const series = await this.select(selector);
    await this.deadline.inChunks(series.length, (from, to) => {
      for (let n = from; n < to; n++) {
        const s = series[n];
        const i = upperBound(s.timestamps, at) - 1;
        if (i >= 0 && s.timestamps[i] > at - this.lookbackMs)
          out.push({ labels: s.labels, value: s.values[i] });
      }
    });
    this.load(out.length);
    return out;
  }

  /** Each series' samples in `(t - offset - range, t - offset]`, as windows: never pauses. */
  private selectRange(expr: MatrixSelector, t: number, selected: readonly SampleSeries[]): Value {
    const end = t - expr.selector.offsetMs;
    const start = end - expr.rangeMs;
    const windows: Window[] = [];
    let samples = 0;
    for (const series of selected) {
      const from = upperBound(series.timestamps, start);
      const to = upperBound(series.timestamps, end);
      if (to > from) {
        windows.push({ series, from, to });
        samples += to - from;
      }
    }
    this.load(samples);
    return { type: 'matrix', windows, rangeMs: expr.rangeMs, endMs: end };
  }
}

/**
 * Prometheus's `ErrTooManySamples` (422 `execution`), with the limit and its key: a query that
 * would hold more than `metrics.max_samples` samples at once.
 */
export class TooManySamplesError extends PromqlEvalError {
  constructor(readonly maxSamples: number) {
    super(
      `query processing would load too many samples into memory in query execution: more than ${maxSamples} (metrics.max_samples); select fewer series, shorten the range or use a larger step`,
    );
  }
}

/** A binary operation with a scalar on one side at least. */
function binary(expr: Extract<Expr, { type: 'binary' }>, lhs: Value, rhs: Value): Value {
  if (lhs.type === 'scalar' && rhs.type === 'scalar') {
    return { type: 'scalar', value: applyOp(expr.op, lhs.value, rhs.value) };
  }
  if (lhs.type === 'vector' && rhs.type === 'scalar') {
    return { type: 'vector', samples: vectorScalar(expr, lhs.samples, rhs.value, false) };
  }
  if (lhs.type === 'scalar' && rhs.type === 'vector') {
    return { type: 'vector', samples: vectorScalar(expr, rhs.samples, lhs.value, true) };
  }
  throw new PromqlEvalError('binary expression on unsupported operand types');
}

function unparen(expr: Expr): Expr {
  let e = expr;
  while (e.type === 'paren') e = e.expr;
  return e;
}

/** Work units of a value an operator went through: its samples, or a range vector's windows. */
function valueSize(value: Value): number {
  if (value.type === 'vector') return value.samples.length;
  if (value.type === 'matrix') return value.windows.length;
  return 1;
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

function compareLabels(a: Labels, b: Labels): number {
  const ka = labelsKey(a);
  const kb = labelsKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
