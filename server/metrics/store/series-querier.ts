import type { QueryDeadline } from '../../query-guards/deadline';
import { labelsKey } from '../../series-model/labels';
import type { LabelMatcher } from '../../series-model/matchers';
import { type Series, TenantSeries } from './tenant-series';

/**
 * A tenant's series as one query sees them: the in-memory head plus the stored chunks the
 * query's time range needs. A series found in one source only is returned as is (no copy);
 * one found in several is merged in time order, a timestamp present twice kept once.
 */
export class SeriesQuerier {
  constructor(
    private readonly head: TenantSeries | undefined,
    private readonly chunks: readonly TenantSeries[],
  ) {}

  /** Series matching every matcher, pausing as `deadline` asks while matchers are tried on each. */
  async select(matchers: readonly LabelMatcher[], deadline: QueryDeadline): Promise<Series[]> {
    if (this.chunks.length === 0) return (await this.head?.select(matchers, deadline)) ?? [];
    const perSource: Series[][] = [];
    for (const source of [...this.chunks, ...(this.head ? [this.head] : [])]) {
      perSource.push(await source.select(matchers, deadline));
    }
    return merge(perSource);
  }

  all(): Series[] {
    if (this.chunks.length === 0) return this.head?.all() ?? [];
    const sources = [...this.chunks, ...(this.head ? [this.head] : [])];
    return merge(sources.map((s) => s.all()));
  }
}

/** Sources are oldest first (chunks by time, then the head). */
function merge(perSource: Series[][]): Series[] {
  const byKey = new Map<string, Series[]>();
  for (const found of perSource) {
    for (const s of found) {
      const key = labelsKey(s.labels);
      const list = byKey.get(key);
      if (list) list.push(s);
      else byKey.set(key, [s]);
    }
  }
  const out: Series[] = [];
  let id = 0;
  for (const parts of byKey.values()) {
    if (parts.length === 1) {
      out.push(parts[0]);
      continue;
    }
    const merged: Series = {
      id: -1 - id++,
      labels: parts[0].labels,
      timestamps: [],
      values: [],
      exemplars: [],
    };
    const points: [number, number][] = [];
    for (const p of parts)
      for (let i = 0; i < p.timestamps.length; i++) points.push([p.timestamps[i], p.values[i]]);
    points.sort((a, b) => a[0] - b[0]);
    for (const [t, v] of points) TenantSeries.appendSample(merged, t, v);
    merged.exemplars = parts.flatMap((p) => p.exemplars).sort((a, b) => a.timestampMs - b.timestampMs);
    out.push(merged);
  }
  return out;
}
