import type { QueryDeadline } from '../query-guards/deadline';
import type { Labels } from '../series-model/labels';
import type { LabelMatcher } from '../series-model/matchers';

/**
 * A series as the evaluator reads it: its labels and its samples in time order. The evaluator
 * never changes one; the store's own series (with IDs and exemplars) fit this shape as they are.
 */
export interface SampleSeries {
  readonly labels: Labels;
  /** Unix ms, ascending. */
  readonly timestamps: readonly number[];
  readonly values: readonly number[];
}

/**
 * Where selectors find series: a tenant's series over the query's time range (the metrics
 * store's querier); nothing for a tenant without data. PromQL knows the store only through this.
 */
export interface SeriesSource {
  /** The series matching every matcher, pausing as `deadline` asks while it tries them on many. */
  select(matchers: readonly LabelMatcher[], deadline: QueryDeadline): Promise<readonly SampleSeries[]>;
}
