/** Built-in tail sampling: what the ingester calls (docs/sampling.md). */
export { SamplingConfigError } from './config-fields';
export {
  type CachedDecision,
  DecisionCache,
  type DecisionCacheConfig,
  parseDecisionCacheConfig,
} from './decision-cache';
export {
  compileSamplingPolicies,
  type SamplingDecision,
  SamplingPolicies,
  type SamplingReason,
} from './policies';
export { TraceSummary } from './summary';
