import type { ValueType } from './ast';

export interface FunctionSignature {
  args: ValueType[];
  /** Trailing arguments that may be left out. */
  optional?: number;
}

/** The functions Loupe evaluates, with their argument types (as Prometheus declares them). */
export const FUNCTION_SIGNATURES: Record<string, FunctionSignature> = {
  rate: { args: ['matrix'] },
  irate: { args: ['matrix'] },
  increase: { args: ['matrix'] },
  delta: { args: ['matrix'] },
  idelta: { args: ['matrix'] },
  resets: { args: ['matrix'] },
  changes: { args: ['matrix'] },
  avg_over_time: { args: ['matrix'] },
  sum_over_time: { args: ['matrix'] },
  min_over_time: { args: ['matrix'] },
  max_over_time: { args: ['matrix'] },
  count_over_time: { args: ['matrix'] },
  last_over_time: { args: ['matrix'] },
  histogram_quantile: { args: ['scalar', 'vector'] },
  abs: { args: ['vector'] },
  ceil: { args: ['vector'] },
  floor: { args: ['vector'] },
  round: { args: ['vector', 'scalar'], optional: 1 },
  sqrt: { args: ['vector'] },
  exp: { args: ['vector'] },
  ln: { args: ['vector'] },
  log2: { args: ['vector'] },
  log10: { args: ['vector'] },
  clamp_min: { args: ['vector', 'scalar'] },
  clamp_max: { args: ['vector', 'scalar'] },
  clamp: { args: ['vector', 'scalar', 'scalar'] },
  timestamp: { args: ['vector'] },
  sort: { args: ['vector'] },
  sort_desc: { args: ['vector'] },
  vector: { args: ['scalar'] },
  scalar: { args: ['vector'] },
  time: { args: [] },
  pi: { args: [] },
  absent: { args: ['vector'] },
};
