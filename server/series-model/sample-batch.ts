import type { Labels } from './labels';

/** An exemplar attached to a series: labels (traceID, spanID…), value, unix ms. */
export interface Exemplar {
  labels: Labels;
  value: number;
  timestampMs: number;
}

/**
 * Samples and exemplars appended together: one collection of the metrics generator, one OTLP
 * push, one stored chunk. What every producer hands the series store and the store keeps.
 */
export interface SampleBatch {
  series: BatchSeries[];
}

/** One series of a batch: samples in time order (unix ms, value) and its exemplars. */
export interface BatchSeries {
  labels: Labels;
  timestamps: number[];
  values: number[];
  exemplars?: Exemplar[];
}

/** Samples and exemplars of a series, as refusals count them. */
export function sampleCount(s: BatchSeries): number {
  return s.timestamps.length + (s.exemplars?.length ?? 0);
}
