import {
  ConfigError,
  readBool,
  readBytes,
  readInt,
  readPositiveDuration,
  readPositiveInt,
} from '../config-reader/config-values';
import type { Section } from '../config-reader/schema-node';
import type { ConfigGetter, ValueReader } from '../config-reader/types';
import type { DecisionCacheConfig } from './decision-cache';
import { compileSamplingPolicies, type SamplingPolicies } from './policies';

/**
 * Loupe's `sampling:` section (Tempo has none): the OpenTelemetry Collector's `tail_sampling`
 * policy list, pasted as is, and how the ingester waits for a trace to complete before deciding.
 * docs/sampling.md describes each key; `policies` absent or empty turns sampling off.
 */
export interface SamplingConfig {
  /** Compiled `policies`; undefined: every trace is kept, nothing waits. */
  policies: SamplingPolicies | undefined;
  /** `dry_run`: decide and count, but keep every trace (to tune policies safely). */
  dryRun: boolean;
  /** `decision_wait`: once a trace's root span has arrived, decide this long after it. */
  decisionWaitMs: number;
  /** `max_wait`: decide at the latest this long after the trace's first span arrived. */
  maxWaitMs: number;
  /** `max_spans_per_trace`: a trace reaching this many spans is decided at once. */
  maxSpansPerTrace: number;
  /** `max_waiting_bytes`: past this much summary memory the oldest waiting traces are decided early. */
  maxWaitingBytes: number;
  /** `decision_cache`: remembered decisions, so late spans follow them (Loupe: on by default). */
  decisionCache: DecisionCacheConfig;
  /** `dropped_traces`: how many dropped trace IDs (and for how long) the trace page can explain. */
  droppedTraces: { maxTraces: number; ttlMs: number };
}

export const SAMPLING_DEFAULTS: SamplingConfig = {
  policies: undefined,
  dryRun: false,
  decisionWaitMs: 5_000,
  maxWaitMs: 60_000,
  maxSpansPerTrace: 100_000,
  maxWaitingBytes: 64 * 1024 * 1024,
  decisionCache: { sampledCacheSize: 100_000, nonSampledCacheSize: 100_000 },
  droppedTraces: { maxTraces: 100_000, ttlMs: 60 * 60_000 },
};

/** The collector's policy list, checked and compiled as the file is read (errors name the policy). */
const readPolicies: ValueReader<SamplingPolicies | undefined> = (value, key) => {
  if (value === null || (Array.isArray(value) && value.length === 0)) return undefined;
  try {
    return compileSamplingPolicies(value);
  } catch (err) {
    throw new ConfigError(`config key "${key}": ${(err as Error).message}`);
  }
};

export const SAMPLING_SCHEMA: Section = {
  policies: readPolicies,
  dry_run: readBool,
  decision_wait: readPositiveDuration,
  max_wait: readPositiveDuration,
  max_spans_per_trace: readPositiveInt,
  max_waiting_bytes: readBytes,
  decision_cache: { sampled_cache_size: readInt(0), non_sampled_cache_size: readInt(0) },
  dropped_traces: { max_traces: readInt(0), ttl: readPositiveDuration },
};

export function buildSamplingConfig(get: ConfigGetter): SamplingConfig {
  const d = SAMPLING_DEFAULTS;
  const config: SamplingConfig = {
    policies: get<SamplingPolicies | undefined>('sampling.policies', undefined),
    dryRun: get('sampling.dry_run', d.dryRun),
    decisionWaitMs: get('sampling.decision_wait', d.decisionWaitMs),
    maxWaitMs: get('sampling.max_wait', d.maxWaitMs),
    maxSpansPerTrace: get('sampling.max_spans_per_trace', d.maxSpansPerTrace),
    maxWaitingBytes: get('sampling.max_waiting_bytes', d.maxWaitingBytes) || d.maxWaitingBytes,
    decisionCache: {
      sampledCacheSize: get('sampling.decision_cache.sampled_cache_size', d.decisionCache.sampledCacheSize),
      nonSampledCacheSize: get(
        'sampling.decision_cache.non_sampled_cache_size',
        d.decisionCache.nonSampledCacheSize,
      ),
    },
    droppedTraces: {
      maxTraces: get('sampling.dropped_traces.max_traces', d.droppedTraces.maxTraces),
      ttlMs: get('sampling.dropped_traces.ttl', d.droppedTraces.ttlMs),
    },
  };
  if (config.decisionWaitMs > config.maxWaitMs) {
    throw new ConfigError(
      `config key "sampling.decision_wait" (${config.decisionWaitMs} ms) must not be longer than "sampling.max_wait" (${config.maxWaitMs} ms)`,
    );
  }
  return config;
}
