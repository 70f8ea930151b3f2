import type { Labels } from '../series-model/labels';
import type { BatchSeries, SampleBatch } from '../series-model/sample-batch';
import { type SeriesLimit, seriesLimitOf } from './series-limit';

/** The newest span seen in a histogram bucket, kept as that bucket's exemplar. */
export interface LiveExemplar {
  traceId: string;
  spanId: string;
  /** Seconds. */
  value: number;
  timestampMs: number;
}

export interface FamilySpec {
  name: string;
  type: 'counter' | 'histogram';
  help: string;
  /** Histogram upper bounds in seconds (without +Inf). */
  buckets?: number[];
}

export interface CounterState {
  labels: Labels;
  /** Set when the series went stale and left the registry: holders must look it up again. */
  removed?: boolean;
  value: number;
  updatedMs: number;
  collected: boolean;
}

export interface HistogramState {
  labels: Labels;
  removed?: boolean;
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
  exemplars: (LiveExemplar | undefined)[];
  updatedMs: number;
  collected: boolean;
  /** 1 where the bucket's exemplar has not been sampled into the store yet. */
  freshExemplars: Uint8Array;
}

/** One live series of the registry. */
export type SeriesState = CounterState | HistogramState;
type State = SeriesState;

interface Family {
  spec: FamilySpec;
  series: Map<string, State>;
}

/**
 * The metrics generator's live series, per tenant: counters and histograms with exemplars,
 * updated on every span, sampled each collection (into the sample sink) and rendered into
 * `/metrics`. A histogram costs `buckets + 3` series against the tenant's limit, as in Tempo.
 */
export class GeneratorRegistry {
  private readonly tenants = new Map<string, { families: Map<string, Family>; activeSeries: number }>();

  constructor(
    private readonly specs: readonly FamilySpec[],
    private readonly maxSeriesPerTenant: SeriesLimit,
    private readonly onDropped: (tenantId: string, count: number) => void,
  ) {}

  activeSeries(tenantId: string): number {
    return this.tenants.get(tenantId)?.activeSeries ?? 0;
  }

  /** The counter for `key` in a tenant's family; `labels` is only called for a new series. */
  counter(tenantId: string, family: string, key: string, labels: () => Labels): CounterState | undefined {
    return this.state(tenantId, family, key, labels) as CounterState | undefined;
  }

  histogram(tenantId: string, family: string, key: string, labels: () => Labels): HistogramState | undefined {
    return this.state(tenantId, family, key, labels) as HistogramState | undefined;
  }

  /** Counts an observation; returns its bucket index (the last one is +Inf). */
  static observe(h: HistogramState, buckets: readonly number[], seconds: number): number {
    let i = 0;
    while (i < buckets.length && seconds > buckets[i]) i++;
    h.counts[i]++;
    h.sum += seconds;
    h.count++;
    return i;
  }

  /**
   * Whether bucket `i` takes a new exemplar: only while its last one has not been collected
   * yet is it kept, so building an exemplar (hex IDs) costs once per bucket per collection.
   */
  static wantsExemplar(h: HistogramState, i: number): boolean {
    return h.freshExemplars[i] === 0;
  }

  static setExemplar(h: HistogramState, i: number, exemplar: LiveExemplar): void {
    h.exemplars[i] = exemplar;
    h.freshExemplars[i] = 1;
  }

  private state(tenantId: string, familyName: string, key: string, labels: () => Labels): State | undefined {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) {
      tenant = { families: new Map(), activeSeries: 0 };
      for (const spec of this.specs) tenant.families.set(spec.name, { spec, series: new Map() });
      this.tenants.set(tenantId, tenant);
    }
    const family = tenant.families.get(familyName)!;
    const existing = family.series.get(key);
    if (existing) return existing;
    const cost = seriesCost(family.spec);
    if (tenant.activeSeries + cost > seriesLimitOf(this.maxSeriesPerTenant, tenantId)) {
      this.onDropped(tenantId, cost);
      return undefined;
    }
    tenant.activeSeries += cost;
    const state: State =
      family.spec.type === 'counter'
        ? { labels: labels(), value: 0, updatedMs: 0, collected: false }
        : {
            labels: labels(),
            counts: new Float64Array(family.spec.buckets!.length + 1),
            sum: 0,
            count: 0,
            exemplars: new Array(family.spec.buckets!.length + 1).fill(undefined),
            updatedMs: 0,
            collected: false,
            freshExemplars: new Uint8Array(family.spec.buckets!.length + 1),
          };
    family.series.set(key, state);
    return state;
  }

  /**
   * A sample of every live series at `nowMs`, per tenant, with the exemplars recorded since the
   * last collection. A new series first gets a 0 one millisecond earlier, so `increase()` sees
   * its first spans (Tempo does the same). Series idle past `staleMs` are dropped.
   */
  collect(nowMs: number, staleMs: number): Map<string, SampleBatch> {
    const out = new Map<string, SampleBatch>();
    for (const [tenantId, tenant] of this.tenants) {
      const series: BatchSeries[] = [];
      for (const family of tenant.families.values()) {
        for (const [key, state] of family.series) {
          if (nowMs - state.updatedMs > staleMs) {
            family.series.delete(key);
            state.removed = true;
            tenant.activeSeries -= seriesCost(family.spec);
            continue;
          }
          if ('value' in state) collectCounter(family.spec, state, nowMs, series);
          else collectHistogram(family.spec, state, nowMs, series);
        }
      }
      if (series.length > 0) out.set(tenantId, { series });
    }
    return out;
  }

  /** Every tenant's live series, family by family (a family's series together), for `/metrics`. */
  *liveSeries(): Generator<{ spec: FamilySpec; tenantId: string; state: SeriesState }> {
    for (const spec of this.specs) {
      for (const [tenantId, tenant] of this.tenants) {
        for (const state of tenant.families.get(spec.name)!.series.values()) yield { spec, tenantId, state };
      }
    }
  }
}

function seriesCost(spec: FamilySpec): number {
  return spec.type === 'counter' ? 1 : spec.buckets!.length + 3;
}

function pushSample(
  out: BatchSeries[],
  labels: Labels,
  first: boolean,
  nowMs: number,
  value: number,
): BatchSeries {
  const s: BatchSeries = first
    ? { labels, timestamps: [nowMs - 1, nowMs], values: [0, value] }
    : { labels, timestamps: [nowMs], values: [value] };
  out.push(s);
  return s;
}

function collectCounter(spec: FamilySpec, state: CounterState, nowMs: number, out: BatchSeries[]): void {
  pushSample(out, { __name__: spec.name, ...state.labels }, !state.collected, nowMs, state.value);
  state.collected = true;
}

export function formatBound(bound: number): string {
  return bound === Number.POSITIVE_INFINITY ? '+Inf' : String(bound);
}

function collectHistogram(spec: FamilySpec, state: HistogramState, nowMs: number, out: BatchSeries[]): void {
  const first = !state.collected;
  const buckets = spec.buckets!;
  let cumulative = 0;
  for (let i = 0; i <= buckets.length; i++) {
    cumulative += state.counts[i];
    const le = formatBound(i < buckets.length ? buckets[i] : Number.POSITIVE_INFINITY);
    const s = pushSample(
      out,
      { __name__: `${spec.name}_bucket`, ...state.labels, le },
      first,
      nowMs,
      cumulative,
    );
    const ex = state.exemplars[i];
    if (ex && state.freshExemplars[i] === 1) {
      s.exemplars = [
        { labels: { traceID: ex.traceId, spanID: ex.spanId }, value: ex.value, timestampMs: ex.timestampMs },
      ];
      state.freshExemplars[i] = 0;
    }
  }
  pushSample(out, { __name__: `${spec.name}_sum`, ...state.labels }, first, nowMs, state.sum);
  pushSample(out, { __name__: `${spec.name}_count`, ...state.labels }, first, nowMs, state.count);
  state.collected = true;
}
