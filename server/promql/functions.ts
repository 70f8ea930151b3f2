import type { Call } from './ast';
import { PromqlEvalError } from './errors';
import { histogramQuantile } from './histogram-quantile';
import { extrapolatedRate, instantRate, OVER_TIME } from './range-functions';
import { type Sample, type Value, type Window, withoutName } from './values';

type Vector = Extract<Value, { type: 'vector' }>;
type Matrix = Extract<Value, { type: 'matrix' }>;

function scalarArg(v: Value): number {
  if (v.type !== 'scalar') throw new PromqlEvalError(`expected a scalar, got ${v.type}`);
  return v.value;
}

function vectorArg(v: Value): Sample[] {
  if (v.type !== 'vector') throw new PromqlEvalError(`expected an instant vector, got ${v.type}`);
  return v.samples;
}

function mapValues(v: Value, f: (x: number) => number): Vector {
  return {
    type: 'vector',
    samples: vectorArg(v).map((s) => ({ labels: withoutName(s.labels), value: f(s.value) })),
  };
}

function overWindows(m: Value, f: (w: Window, startMs: number, endMs: number) => number | undefined): Vector {
  const matrix = m as Matrix;
  const samples: Sample[] = [];
  const startMs = matrix.endMs - matrix.rangeMs;
  for (const w of matrix.windows) {
    if (w.to <= w.from) continue;
    const value = f(w, startMs, matrix.endMs);
    if (value !== undefined) samples.push({ labels: withoutName(w.series.labels), value });
  }
  return { type: 'vector', samples };
}

const MATH: Record<string, (x: number) => number> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  sqrt: Math.sqrt,
  exp: Math.exp,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
};

const PER_WINDOW = new Set([...Object.keys(OVER_TIME), 'rate', 'increase', 'delta', 'irate', 'idelta']);

/**
 * Whether `name` takes one range vector and answers each window's sample from that window
 * alone, so its windows may be handed over a part at a time.
 */
export function isPerWindow(name: string): boolean {
  return PER_WINDOW.has(name);
}

/** Evaluates a function call on already-evaluated arguments at `timeMs`. */
export function callFunction(call: Call, args: Value[], timeMs: number): Value {
  const name = call.func;
  if (name in MATH) return mapValues(args[0], MATH[name]);
  if (name in OVER_TIME) {
    const reduce = OVER_TIME[name];
    return overWindows(args[0], (w) => reduce(w.series.values.slice(w.from, w.to), w));
  }
  switch (name) {
    case 'rate':
    case 'increase':
    case 'delta':
      return overWindows(args[0], (w, start, end) =>
        extrapolatedRate(w, start, end, name !== 'delta', name === 'rate'),
      );
    case 'irate':
    case 'idelta':
      return overWindows(args[0], (w) => instantRate(w, name === 'irate'));
    case 'histogram_quantile':
      return { type: 'vector', samples: histogramQuantile(scalarArg(args[0]), vectorArg(args[1])) };
    case 'round': {
      const to = args[1] ? scalarArg(args[1]) : 1;
      return mapValues(args[0], (x) => Math.floor(x / to + 0.5) * to);
    }
    case 'clamp_min': {
      const min = scalarArg(args[1]);
      return mapValues(args[0], (x) => Math.max(x, min));
    }
    case 'clamp_max': {
      const max = scalarArg(args[1]);
      return mapValues(args[0], (x) => Math.min(x, max));
    }
    case 'clamp': {
      const min = scalarArg(args[1]);
      const max = scalarArg(args[2]);
      if (min > max) return { type: 'vector', samples: [] };
      return mapValues(args[0], (x) => Math.max(min, Math.min(max, x)));
    }
    case 'timestamp':
      return mapValues(args[0], () => timeMs / 1000);
    case 'sort':
    case 'sort_desc': {
      const sign = name === 'sort' ? 1 : -1;
      const samples = [...vectorArg(args[0])].sort((a, b) => sign * (a.value - b.value));
      return { type: 'vector', samples };
    }
    case 'vector':
      return { type: 'vector', samples: [{ labels: {}, value: scalarArg(args[0]) }] };
    case 'scalar': {
      const samples = vectorArg(args[0]);
      return { type: 'scalar', value: samples.length === 1 ? samples[0].value : Number.NaN };
    }
    case 'time':
      return { type: 'scalar', value: timeMs / 1000 };
    case 'pi':
      return { type: 'scalar', value: Math.PI };
    case 'absent': {
      if (vectorArg(args[0]).length > 0) return { type: 'vector', samples: [] };
      const labels: Record<string, string> = {};
      const arg = call.args[0];
      if (arg.type === 'vector') {
        for (const m of arg.matchers) if (m.type === '=' && m.name !== '__name__') labels[m.name] = m.value;
      }
      return { type: 'vector', samples: [{ labels, value: 1 }] };
    }
  }
  throw new PromqlEvalError(`function "${name}" is not implemented`);
}
