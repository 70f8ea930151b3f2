import { QueryDeadline } from '../query-guards/deadline';
import type { Labels } from '../series-model/labels';
import type { Aggregate } from './ast';
import { derived, keyOf, type Sample } from './values';

const groupCache = new WeakMap<Aggregate, WeakMap<Labels, Labels>>();

function groupLabels(labels: Labels, agg: Aggregate): Labels {
  const out: Labels = {};
  if (agg.without) {
    for (const [name, value] of Object.entries(labels)) {
      if (name !== '__name__' && !agg.grouping.includes(name)) out[name] = value;
    }
  } else {
    for (const name of agg.grouping) if (labels[name] !== undefined) out[name] = labels[name];
  }
  return out;
}

/** Prometheus's quantile over a set of values (linear interpolation between closest ranks). */
function quantile(q: number, values: number[]): number {
  if (values.length === 0) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

/**
 * Evaluates `sum by (…) (…)` and the other aggregation operators over one instant vector,
 * pausing as `deadline` asks while it groups (a first grouping of 100,000 series takes ~100 ms).
 */
export async function aggregate(
  agg: Aggregate,
  samples: readonly Sample[],
  param: number,
  deadline = QueryDeadline.unbounded(),
): Promise<Sample[]> {
  const groups = new Map<string, { labels: Labels; members: Sample[] }>();
  await deadline.inChunks(samples.length, (from, to) => {
    for (let i = from; i < to; i++) {
      const s = samples[i];
      const labels = derived(groupCache, agg, s.labels, (l) => groupLabels(l, agg));
      const key = keyOf(labels);
      let group = groups.get(key);
      if (!group) {
        group = { labels, members: [] };
        groups.set(key, group);
      }
      group.members.push(s);
    }
  });
  const out: Sample[] = [];
  for (const { labels, members } of groups.values()) {
    const values = members.map((m) => m.value);
    switch (agg.op) {
      case 'topk':
      case 'bottomk': {
        const k = Math.floor(param);
        if (!(k >= 1)) break;
        const sign = agg.op === 'topk' ? -1 : 1;
        const sorted = [...members].sort((a, b) => {
          if (Number.isNaN(a.value)) return 1;
          if (Number.isNaN(b.value)) return -1;
          return sign * (a.value - b.value);
        });
        out.push(...sorted.slice(0, k));
        break;
      }
      default:
        out.push({ labels, value: reduce(agg.op, values, param) });
    }
  }
  return out;
}

function reduce(op: Aggregate['op'], values: number[], param: number): number {
  switch (op) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return values.reduce((a, b) => (Number.isNaN(a) || b < a ? b : a), Number.NaN);
    case 'max':
      return values.reduce((a, b) => (Number.isNaN(a) || b > a ? b : a), Number.NaN);
    case 'count':
      return values.length;
    case 'group':
      return 1;
    case 'stddev':
    case 'stdvar': {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
      return op === 'stddev' ? Math.sqrt(variance) : variance;
    }
    case 'quantile':
      return quantile(param, values);
    default:
      return Number.NaN;
  }
}
