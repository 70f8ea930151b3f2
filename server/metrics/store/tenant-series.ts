import type { QueryDeadline } from '../../query-guards/deadline';
import { type Labels, labelsKey } from '../../series-model/labels';
import type { LabelMatcher } from '../../series-model/matchers';
import type { Exemplar } from '../../series-model/sample-batch';

/** One series: samples in time order (ms, value) and its recent exemplars. */
export interface Series {
  id: number;
  labels: Labels;
  timestamps: number[];
  values: number[];
  exemplars: Exemplar[];
}

/** Exemplars kept per series; older ones are dropped first. */
const MAX_EXEMPLARS_PER_SERIES = 100;

/**
 * A tenant's series in memory with a postings index (label name → value → series IDs), so a
 * selector only walks the series its equality matchers allow.
 */
export class TenantSeries {
  private readonly byKey = new Map<string, Series>();
  private readonly byId: (Series | undefined)[] = [];
  private readonly postings = new Map<string, Map<string, Set<number>>>();

  get size(): number {
    return this.byKey.size;
  }

  get(labels: Labels): Series | undefined {
    return this.byKey.get(labelsKey(labels));
  }

  /** The series for `labels`, created when `create` allows it; undefined when refused. */
  getOrCreate(labels: Labels, create: () => boolean): Series | undefined {
    const key = labelsKey(labels);
    let series = this.byKey.get(key);
    if (series || !create()) return series;
    series = { id: this.byId.length, labels, timestamps: [], values: [], exemplars: [] };
    this.byKey.set(key, series);
    this.byId.push(series);
    for (const [name, value] of Object.entries(labels)) {
      let values = this.postings.get(name);
      if (!values) {
        values = new Map();
        this.postings.set(name, values);
      }
      let ids = values.get(value);
      if (!ids) {
        ids = new Set();
        values.set(value, ids);
      }
      ids.add(series.id);
    }
    return series;
  }

  /** Appends a sample; an out-of-order or duplicate timestamp is ignored, as Prometheus's TSDB does. */
  static appendSample(series: Series, timestampMs: number, value: number): boolean {
    const last = series.timestamps.at(-1);
    if (last !== undefined && timestampMs <= last) return false;
    series.timestamps.push(timestampMs);
    series.values.push(value);
    return true;
  }

  static appendExemplar(series: Series, exemplar: Exemplar): void {
    const last = series.exemplars.at(-1);
    if (last && last.timestampMs === exemplar.timestampMs && last.value === exemplar.value) return;
    series.exemplars.push(exemplar);
    if (series.exemplars.length > MAX_EXEMPLARS_PER_SERIES) series.exemplars.shift();
  }

  /**
   * Series matching every matcher, pausing as `deadline` asks: a regex tried on each of 100,000
   * series takes ~100 ms. Series created or removed during a pause may or may not be in the answer.
   */
  async select(matchers: readonly LabelMatcher[], deadline: QueryDeadline): Promise<Series[]> {
    const out: Series[] = [];
    const candidates = this.candidates(matchers);
    if (candidates === 'none') return out;
    const ids = candidates ? [...candidates] : undefined;
    await deadline.inChunks(ids ? ids.length : this.byId.length, (from, to) => {
      for (let i = from; i < to; i++) {
        const series = this.byId[ids ? ids[i] : i];
        if (series && matchers.every((m) => m.matchesLabels(series.labels))) out.push(series);
      }
    });
    return out;
  }

  /** IDs the smallest equality matcher's postings allow; undefined: every series; 'none': no series. */
  private candidates(matchers: readonly LabelMatcher[]): Set<number> | undefined | 'none' {
    let candidates: Set<number> | undefined;
    for (const m of matchers) {
      if (m.type !== '=' || m.value === '') continue;
      const ids = this.postings.get(m.name)?.get(m.value);
      if (!ids) return 'none';
      if (!candidates || ids.size < candidates.size) candidates = ids;
    }
    return candidates;
  }

  labelNames(): string[] {
    return [...this.postings.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.postings.get(name)?.keys() ?? [])].sort();
  }

  all(): Series[] {
    return this.byId.filter((s): s is Series => s !== undefined);
  }

  /** Drops samples and exemplars before `cutoffMs`, and series left empty. */
  trim(cutoffMs: number): void {
    for (const series of this.all()) {
      let drop = 0;
      while (drop < series.timestamps.length && series.timestamps[drop] < cutoffMs) drop++;
      if (drop > 0) {
        series.timestamps.splice(0, drop);
        series.values.splice(0, drop);
      }
      series.exemplars = series.exemplars.filter((e) => e.timestampMs >= cutoffMs);
      if (series.timestamps.length === 0 && series.exemplars.length === 0) this.remove(series);
    }
  }

  private remove(series: Series): void {
    this.byKey.delete(labelsKey(series.labels));
    this.byId[series.id] = undefined;
    for (const [name, value] of Object.entries(series.labels)) {
      const values = this.postings.get(name);
      const ids = values?.get(value);
      ids?.delete(series.id);
      if (ids?.size === 0) values!.delete(value);
      if (values?.size === 0) this.postings.delete(name);
    }
  }
}
