import { compileUserRegex, type UserRegex } from '../query-guards/user-regex';
import {
  bigIntAt,
  boolAt,
  countAt,
  floatAt,
  has,
  intAt,
  listAt,
  mapAt,
  type RawMap,
  SamplingConfigError,
  stringAt,
  stringsAt,
} from './config-fields';

/**
 * The collector's `tail_sampling` `policies:` list, checked and typed. Key names, defaults and
 * where each policy type may appear are the collector's (config.go, *_helper.go); what Loupe does
 * not support is an error naming it, never silently ignored.
 */

export type LeafSpec =
  | { type: 'always_sample' }
  | { type: 'latency'; thresholdMs: number; upperThresholdMs: number }
  /** Span status code numbers: 0 UNSET, 1 OK, 2 ERROR. */
  | { type: 'status_code'; statusCodes: number[] }
  | {
      type: 'string_attribute';
      key: string;
      /** Exact values (empty ones dropped, as the collector does), or the compiled regexes. */
      values: string[];
      regexes: UserRegex[] | undefined;
      cacheMaxSize: number;
      invertMatch: boolean;
    }
  | { type: 'numeric_attribute'; key: string; min: bigint; max: bigint; invertMatch: boolean }
  | { type: 'boolean_attribute'; key: string; value: boolean; invertMatch: boolean }
  | { type: 'probabilistic'; hashSalt: string; samplingPercentage: number }
  | { type: 'rate_limiting'; spansPerSecond: number; burstCapacity: number }
  | { type: 'span_count'; minSpans: number; maxSpans: number }
  | { type: 'trace_state'; key: string; values: string[] };

export type AndSpec = { type: 'and'; subPolicies: PolicySpec[] };
export type DropSpec = { type: 'drop'; subPolicies: PolicySpec[] };
export type CompositeSpec = {
  type: 'composite';
  maxTotalSpansPerSecond: number;
  /** Accepted and, as in the collector, unused: sub-policies run in `composite_sub_policy` order. */
  policyOrder: string[];
  subPolicies: PolicySpec[];
  /** Spans per second by sub-policy name; a sub-policy with none gets 0, as in the collector. */
  allocatedSpansPerSecond: Map<string, number>;
};

export type PolicySpec = { name: string } & (LeafSpec | AndSpec | DropSpec | CompositeSpec);

const LEAF_TYPES = [
  'always_sample',
  'latency',
  'numeric_attribute',
  'probabilistic',
  'status_code',
  'string_attribute',
  'rate_limiting',
  'span_count',
  'trace_state',
  'boolean_attribute',
] as const;

/** Collector policy types Loupe does not evaluate: named in the error so the user knows why. */
const KNOWN_UNSUPPORTED = ['ottl_condition', 'not', 'bytes_limiting', 'skip', 'trace_flags'];

/** Which types a list may hold: the collector's shared policies, plus what each level adds. */
type Level = 'top' | 'composite' | 'and' | 'drop';
const EXTRA_TYPES: Record<Level, readonly string[]> = {
  top: ['and', 'drop', 'composite'],
  composite: ['and'],
  and: [],
  drop: [],
};

const STATUS_CODES: Record<string, number> = { UNSET: 0, OK: 1, ERROR: 2 };
const DEFAULT_REGEX_CACHE_SIZE = 128;

/** Parses the `policies:` list; throws `SamplingConfigError` naming the policy and key at fault. */
export function parsePolicies(raw: unknown): PolicySpec[] {
  if (!Array.isArray(raw)) throw new SamplingConfigError('policies', 'must be a list of policies');
  const specs = parseList(raw, 'policies', 'top');
  const names = new Set<string>();
  specs.forEach((spec, i) => {
    const path = `policies[${i}]`;
    if (spec.name === '') throw new SamplingConfigError(`${path}.name`, 'policy name cannot be empty');
    if (names.has(spec.name))
      throw new SamplingConfigError(`${path}.name`, `duplicate policy name "${spec.name}"`);
    names.add(spec.name);
  });
  return specs;
}

function parseList(items: unknown[], path: string, level: Level): PolicySpec[] {
  return items.map((item, i) => parsePolicy(item, `${path}[${i}]`, level));
}

function parsePolicy(raw: unknown, at: string, level: Level): PolicySpec {
  const types = [...LEAF_TYPES, ...EXTRA_TYPES[level]];
  // Name and type first, so that every later error can say which policy it is about.
  const loose = mapAt(raw, at, 'any');
  const name = stringAt(loose, 'name', at);
  const path = name === '' ? at : `${at}(${name})`;
  const type = stringAt(loose, 'type', path);
  if (type === '') throw new SamplingConfigError(`${path}.type`, 'missing policy type');
  if (!types.includes(type)) {
    const why = KNOWN_UNSUPPORTED.includes(type)
      ? `policy type "${type}" is not supported by Loupe`
      : EXTRA_TYPES.top.includes(type)
        ? `policy type "${type}" cannot be used here (the collector does not allow it at this level)`
        : `unknown policy type "${type}"`;
    throw new SamplingConfigError(`${path}.type`, why);
  }
  const map = mapAt(raw, path, ['name', 'type', ...types]);
  // The collector decodes every block and reads only its type's; a stray one is a mistake.
  for (const other of types) {
    if (other !== type && has(map, other))
      throw new SamplingConfigError(`${path}.${other}`, `block does not apply to a policy of type ${type}`);
  }
  const block = map[type];
  const blockPath = `${path}.${type}`;
  switch (type) {
    case 'and':
    case 'drop': {
      const listKey = `${type}_sub_policy`;
      const cfg = mapAt(block, blockPath, [listKey]);
      const subPolicies = parseList(listAt(cfg, listKey, blockPath), `${blockPath}.${listKey}`, type);
      return { name, type, subPolicies };
    }
    case 'composite':
      return { name, ...parseComposite(mapAt(block, blockPath, COMPOSITE_KEYS), blockPath) };
    default:
      return { name, ...parseLeaf(type as LeafSpec['type'], block, blockPath) };
  }
}

const COMPOSITE_KEYS = [
  'max_total_spans_per_second',
  'policy_order',
  'composite_sub_policy',
  'rate_allocation',
];

function parseComposite(cfg: RawMap, path: string): CompositeSpec {
  const maxTotal = countAt(cfg, 'max_total_spans_per_second', path);
  const subPolicies = parseList(
    listAt(cfg, 'composite_sub_policy', path),
    `${path}.composite_sub_policy`,
    'composite',
  );
  // getRateAllocationMap: percent > 0 takes that share of the total, else an equal share;
  // the float is truncated to int64 when handed to the sub-policy.
  const allocated = new Map<string, number>();
  const equalShare = maxTotal / subPolicies.length;
  listAt(cfg, 'rate_allocation', path).forEach((item, i) => {
    const at = `${path}.rate_allocation[${i}]`;
    const allocation = mapAt(item, at, ['policy', 'percent']);
    const percent = intAt(allocation, 'percent', at);
    const sps = percent > 0 ? (percent / 100) * maxTotal : equalShare;
    allocated.set(stringAt(allocation, 'policy', at), Math.trunc(sps));
  });
  return {
    type: 'composite',
    maxTotalSpansPerSecond: maxTotal,
    policyOrder: stringsAt(cfg, 'policy_order', path),
    subPolicies,
    allocatedSpansPerSecond: allocated,
  };
}

function parseLeaf(type: LeafSpec['type'], block: unknown, path: string): LeafSpec {
  switch (type) {
    case 'always_sample':
      mapAt(block, path, []);
      return { type };
    case 'latency': {
      const cfg = mapAt(block, path, ['threshold_ms', 'upper_threshold_ms']);
      return {
        type,
        thresholdMs: intAt(cfg, 'threshold_ms', path),
        upperThresholdMs: intAt(cfg, 'upper_threshold_ms', path),
      };
    }
    case 'status_code': {
      const cfg = mapAt(block, path, ['status_codes']);
      const names = stringsAt(cfg, 'status_codes', path);
      if (names.length === 0)
        throw new SamplingConfigError(
          `${path}.status_codes`,
          'expected at least one status code to filter on',
        );
      const statusCodes = names.map((code, i) => {
        const n = STATUS_CODES[code];
        if (n === undefined)
          throw new SamplingConfigError(
            `${path}.status_codes[${i}]`,
            `unknown status code "${code}", supported: OK, ERROR, UNSET`,
          );
        return n;
      });
      return { type, statusCodes };
    }
    case 'string_attribute': {
      const keys = ['key', 'values', 'enabled_regex_matching', 'cache_max_size', 'invert_match'];
      const cfg = mapAt(block, path, keys);
      const values = stringsAt(cfg, 'values', path);
      const regex = boolAt(cfg, 'enabled_regex_matching', path);
      const cacheMaxSize = intAt(cfg, 'cache_max_size', path);
      return {
        type,
        key: stringAt(cfg, 'key', path),
        values: regex ? values : values.filter((v) => v !== ''),
        regexes: regex ? values.map((v, i) => compileRegex(v, `${path}.values[${i}]`)) : undefined,
        cacheMaxSize: cacheMaxSize > 0 ? cacheMaxSize : DEFAULT_REGEX_CACHE_SIZE,
        invertMatch: boolAt(cfg, 'invert_match', path),
      };
    }
    case 'numeric_attribute': {
      const cfg = mapAt(block, path, ['key', 'min_value', 'max_value', 'invert_match']);
      if (!has(cfg, 'min_value') && !has(cfg, 'max_value'))
        throw new SamplingConfigError(path, 'at least one of min_value or max_value must be set');
      // An absent bound is open: math.MinInt64 / math.MaxInt64 in the collector.
      const min = has(cfg, 'min_value') ? bigIntAt(cfg, 'min_value', path) : -(2n ** 63n);
      const max = has(cfg, 'max_value') ? bigIntAt(cfg, 'max_value', path) : 2n ** 63n - 1n;
      if (min > max) throw new SamplingConfigError(path, 'min_value must be less than or equal to max_value');
      return {
        type,
        key: stringAt(cfg, 'key', path),
        min,
        max,
        invertMatch: boolAt(cfg, 'invert_match', path),
      };
    }
    case 'boolean_attribute': {
      const cfg = mapAt(block, path, ['key', 'value', 'invert_match']);
      return {
        type,
        key: stringAt(cfg, 'key', path),
        value: boolAt(cfg, 'value', path),
        invertMatch: boolAt(cfg, 'invert_match', path),
      };
    }
    case 'probabilistic': {
      const cfg = mapAt(block, path, ['hash_salt', 'sampling_percentage']);
      return {
        type,
        hashSalt: stringAt(cfg, 'hash_salt', path),
        samplingPercentage: floatAt(cfg, 'sampling_percentage', path),
      };
    }
    case 'rate_limiting': {
      const cfg = mapAt(block, path, ['spans_per_second', 'burst_capacity']);
      const spansPerSecond = countAt(cfg, 'spans_per_second', path);
      const burst = countAt(cfg, 'burst_capacity', path);
      // No burst_capacity: twice the rate, the collector's default.
      return { type, spansPerSecond, burstCapacity: burst > 0 ? burst : spansPerSecond * 2 };
    }
    case 'span_count': {
      const cfg = mapAt(block, path, ['min_spans', 'max_spans']);
      return {
        type,
        minSpans: intAt(cfg, 'min_spans', path, 32),
        maxSpans: intAt(cfg, 'max_spans', path, 32),
      };
    }
    case 'trace_state': {
      const cfg = mapAt(block, path, ['key', 'values']);
      const key = stringAt(cfg, 'key', path);
      // A key=value pair longer than a tracestate member may be never matches: the collector drops it.
      const fits = (v: string) => v !== '' && Buffer.byteLength(key) + Buffer.byteLength(v) < 256;
      return { type, key, values: stringsAt(cfg, 'values', path).filter(fits) };
    }
  }
}

function compileRegex(pattern: string, path: string): UserRegex {
  try {
    return compileUserRegex(pattern, 'search'); // Go's MatchString: unanchored
  } catch (err) {
    throw new SamplingConfigError(path, `invalid regular expression: ${(err as Error).message}`);
  }
}
