import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError, parseGoDuration } from '../config-reader/config-values';
import { Ignored, isMapping, lookupKey, type Section } from '../config-reader/schema-node';
import type { ConfigGetter } from '../config-reader/types';
import { buildHttpServerLimits } from '../http-util/listener-limits';
import { buildLogsConfig } from '../logs/logs-config';
import { buildMetricsConfig } from '../metrics/metrics-config';
import { parseSpec } from '../querier/ingester-discovery';
import { buildSamplingConfig } from '../sampling/sampling-config';
import { buildSearchConfig } from '../search/search-config';
import { buildStorageConfig } from '../store/store-config';
import { buildAuthConfig } from '../tenancy/auth-config';
import {
  DEFAULT_TENANT_LIMITS,
  type NumericTenantLimits,
  TENANT_LIMIT_KEYS,
} from '../tenancy/tenant-limit-keys';
import { CONFIG_SCHEMA } from './config-schema';
import { buildReceiversConfig, DEFAULT_RECEIVER_SECTIONS } from './receivers-config';
import { LOUPE_TARGETS, type LoupeConfig, type LoupeTarget } from './types';

export { ConfigError } from '../config-reader/config-values';

export interface LoadedConfig {
  config: LoupeConfig;
  /** One line per accepted-but-ignored key or questionable setting, for the startup log. */
  warnings: string[];
}

const MiB = 1024 * 1024;

/** Defaults are Tempo's (storage's are in `STORAGE_DEFAULTS`), except where Loupe deliberately differs (marked). */
const DEFAULTS = {
  httpListenPort: 3200, // Tempo's own default is 80; 3200 is what every Tempo example uses
  traceIdlePeriod: '10s',
  maxBlockBytes: 500 * MiB,
  maxBlockDuration: '30m',
  flushCheckPeriod: '10s',
  completeBlockTimeout: '15m',
  blockRetention: '336h',
  compactedBlockRetention: '1h',
  compactionWindow: '1h',
  maxCompactionObjects: 6_000_000,
  maxCompactedBlockBytes: 100 * 1024 * MiB,
  compactionCycle: '30s',
} as const;

/** Marks a section that was present in the file (possibly empty, as `grpc:` alone). */
const SECTION = Symbol('section');
type Values = Map<string, unknown>;

/**
 * Reads the command line as Go's flag package would (`-config.file=x`, `--config.file=x`,
 * `-config.file x`) and loads that file; with no `-config.file`, Loupe runs on defaults with
 * both OTLP receivers open. `-config.expand-env` expands `${VAR}` and `${VAR:-default}` first,
 * as Tempo does. Throws `ConfigError` on anything it cannot honour.
 */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const flags = parseFlags(argv);
  let loaded: LoadedConfig;
  if (flags.configFile === undefined) loaded = { config: defaultConfig(), warnings: [] };
  else {
    let text: string;
    try {
      text = readFileSync(flags.configFile, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file "${flags.configFile}": ${(err as Error).message}`);
    }
    loaded = parseConfigYaml(flags.expandEnv ? expandEnv(text, env) : text, flags.configFile);
  }
  if (flags.target) loaded.config.target = flags.target;
  checkTarget(loaded.config);
  return loaded;
}

/** A querier with no ingesters would silently miss every trace not yet flushed: say so at start. */
function checkTarget(config: LoupeConfig): void {
  for (const spec of config.querier.ingesterAddresses) {
    try {
      parseSpec(spec);
    } catch (err) {
      throw new ConfigError(`config key "querier.ingester_addresses": ${(err as Error).message}`);
    }
  }
  if (config.target === 'querier' && config.querier.ingesterAddresses.length === 0) {
    throw new ConfigError(
      'a -target=querier needs "querier.ingester_addresses" (host:port or dns+host:port of each ingester\'s HTTP API) to read traces not yet flushed',
    );
  }
}

/** The configuration used when no config file is given. */
export function defaultConfig(): LoupeConfig {
  const values: Values = new Map(DEFAULT_RECEIVER_SECTIONS.map((k) => [k, SECTION]));
  return buildConfig(values, 'built-in defaults', []);
}

/** Parses Tempo-style YAML; `source` names the file in messages and in `config.source`. */
export function parseConfigYaml(text: string, source: string): LoadedConfig {
  const raw = parseYaml(text, source);
  const warnings: string[] = [];
  const values: Values = new Map();
  walk(raw, CONFIG_SCHEMA, '', values, warnings);
  checkOverridesForm(raw);
  return { config: buildConfig(values, source, warnings), warnings };
}

interface Flags {
  configFile?: string;
  expandEnv: boolean;
  target?: LoupeTarget;
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = { expandEnv: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') break;
    const match = /^--?([^=-][^=]*)(?:=(.*))?$/s.exec(arg);
    if (!match) {
      throw new ConfigError(
        `unexpected argument "${arg}": Loupe takes flags such as -config.file=tempo.yaml`,
      );
    }
    const [, name, inline] = match;
    if (name === 'config.file') {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new ConfigError('flag needs an argument: -config.file');
      flags.configFile = value;
    } else if (name === 'target') {
      const value = inline ?? argv[++i];
      if (!LOUPE_TARGETS.includes(value as LoupeTarget)) {
        throw new ConfigError(
          `invalid value "${value ?? ''}" for -target: use one of ${LOUPE_TARGETS.join(', ')}`,
        );
      }
      flags.target = value as LoupeTarget;
    } else if (name === 'config.expand-env') {
      // A Go bool flag: bare means true, otherwise only `=value` (never a separate argument).
      if (inline !== undefined && !/^(true|false|1|0|t|f)$/i.test(inline)) {
        throw new ConfigError(`invalid boolean value "${inline}" for -config.expand-env`);
      }
      flags.expandEnv = inline === undefined || /^(true|1|t)$/i.test(inline);
    } else {
      throw new ConfigError(`flag provided but not defined: -${name}`);
    }
  }
  return flags;
}

/** `${VAR}` and `${VAR:-default}`; an unset variable without a default becomes empty, as in Tempo. */
function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => {
      const value = env[name];
      return value !== undefined && value !== '' ? value : (fallback ?? '');
    },
  );
}

function parseYaml(text: string, source: string): Record<string, unknown> {
  // YAML 1.1 as Go's yaml.v2 reads it (`1_000_000` is a number, `yes` is true), minus the 1.1
  // sexagesimal numbers and timestamps Go never produces, so `1:20` and dates stay strings.
  const doc = parseDocument(text, {
    version: '1.1',
    customTags: (tags) =>
      tags.filter((t) =>
        typeof t === 'string'
          ? !['intTime', 'floatTime', 'timestamp'].includes(t)
          : 'format' in t
            ? t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp'
            : true,
      ),
  });
  const [error] = doc.errors;
  if (error) throw new ConfigError(`config file "${source}" is not valid YAML: ${error.message}`);
  const raw: unknown = doc.toJS();
  if (raw === null || raw === undefined) return {};
  if (!isMapping(raw))
    throw new ConfigError(`config file "${source}" must be a YAML mapping of Tempo config keys`);
  return raw;
}

function walk(
  raw: Record<string, unknown>,
  section: Section,
  prefix: string,
  values: Values,
  warnings: string[],
) {
  for (const [key, value] of Object.entries(raw)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const node = lookupKey(section, key);
    if (node === undefined) throw new ConfigError(`unknown config key "${path}" (see docs/configuration.md)`);
    if (node instanceof Ignored) {
      warnings.push(`config key "${path}" is accepted but ignored${node.reason ? ` (${node.reason})` : ''}`);
    } else if (typeof node === 'function') {
      values.set(path, node(value, path));
    } else {
      // A section with no value (`grpc:`) is present with all defaults, as in Go.
      if (value !== null && !isMapping(value)) {
        throw new ConfigError(`config key "${path}" must be a mapping of keys, got ${JSON.stringify(value)}`);
      }
      values.set(path, SECTION);
      walk(value ?? {}, node, path, values, warnings);
    }
  }
}

/** Tempo refuses a file mixing the legacy flat overrides with the `defaults:` form; so do we. */
function checkOverridesForm(raw: Record<string, unknown>) {
  const overrides = raw.overrides;
  if (!isMapping(overrides) || !('defaults' in overrides)) return;
  const either = new Set([
    'defaults',
    'per_tenant_override_config',
    'per_tenant_override_period',
    'user_configurable_overrides',
    'enable_legacy_overrides', // Tempo 3's switch for the flat form; a file may set it with either
  ]);
  const legacy = Object.keys(overrides).find((k) => !either.has(k));
  if (legacy !== undefined) {
    throw new ConfigError(
      `config key "overrides.${legacy}" is the legacy flat form and cannot be mixed with "overrides.defaults"; move it under overrides.defaults`,
    );
  }
}

function buildConfig(values: Values, source: string, warnings: string[]): LoupeConfig {
  const get: ConfigGetter = (path, fallback) =>
    values.has(path) ? (values.get(path) as typeof fallback) : fallback;
  const duration = (path: string, fallback: string) => get<number>(path, parseGoDuration(fallback) ?? 0);

  const storage = buildStorageConfig(get);
  const { walPath } = storage;

  const blockRetentionMs = duration('compactor.compaction.block_retention', DEFAULTS.blockRetention);
  const maxBytesPerTrace = get(
    'overrides.defaults.global.max_bytes_per_trace',
    get<number>('overrides.max_bytes_per_trace', DEFAULT_TENANT_LIMITS.maxBytesPerTrace),
  );

  return {
    target: get<LoupeTarget>('target', 'all'),
    querier: { ingesterAddresses: get<string[]>('querier.ingester_addresses', []) },
    server: {
      httpListenAddress: get('server.http_listen_address', ''),
      httpListenPort: get('server.http_listen_port', DEFAULTS.httpListenPort),
      logLevel: get<LoupeConfig['server']['logLevel']>('server.log_level', 'info'),
      http: buildHttpServerLimits(get),
    },
    multitenancyEnabled: get('multitenancy_enabled', get('auth_enabled', false)),
    receivers: buildReceiversConfig({ has: (path) => values.has(path), get }, warnings),
    ingester: {
      traceIdlePeriodMs: duration('ingester.trace_idle_period', DEFAULTS.traceIdlePeriod),
      maxBlockBytes: get('ingester.max_block_bytes', DEFAULTS.maxBlockBytes),
      maxBlockDurationMs: duration('ingester.max_block_duration', DEFAULTS.maxBlockDuration),
      flushCheckPeriodMs: duration('ingester.flush_check_period', DEFAULTS.flushCheckPeriod),
      completeBlockTimeoutMs: duration('ingester.complete_block_timeout', DEFAULTS.completeBlockTimeout),
    },
    compactor: {
      blockRetentionMs,
      disabled: get('compactor.disabled', false),
      compactedBlockRetentionMs: duration(
        'compactor.compaction.compacted_block_retention',
        DEFAULTS.compactedBlockRetention,
      ),
      windowMs: duration('compactor.compaction.compaction_window', DEFAULTS.compactionWindow),
      maxCompactionObjects: get('compactor.compaction.max_compaction_objects', DEFAULTS.maxCompactionObjects),
      maxBlockBytes: get('compactor.compaction.max_block_bytes', DEFAULTS.maxCompactedBlockBytes),
      cycleMs: duration('compactor.compaction.compaction_cycle', DEFAULTS.compactionCycle),
    },
    storage,
    // 0 disables the limit in Tempo; the ingester compares sizes directly, so 0 becomes "no limit".
    overrides: {
      maxBytesPerTrace: maxBytesPerTrace === 0 ? Number.MAX_SAFE_INTEGER : maxBytesPerTrace,
      tenantLimits: buildTenantLimits(get),
      perTenantFile: get<string | undefined>('overrides.per_tenant_override_config', undefined),
      perTenantPeriodMs: duration('overrides.per_tenant_override_period', '10s'),
    },
    logs: buildLogsConfig(get, { blockRetentionMs, walPath }),
    metrics: buildMetricsConfig(get, { blockRetentionMs, walPath }),
    search: buildSearchConfig(get),
    sampling: buildSamplingConfig(get),
    auth: buildAuthConfig(get),
    source,
  };
}

/** The per-tenant limits set in the config file (2.3+ form or legacy flat), besides max_bytes_per_trace. */
function buildTenantLimits(get: ConfigGetter): Partial<NumericTenantLimits> {
  const limits: Partial<NumericTenantLimits> = {};
  for (const k of TENANT_LIMIT_KEYS) {
    if (k.field === 'maxBytesPerTrace') continue;
    const legacy =
      k.legacy === undefined ? undefined : get<number | undefined>(`overrides.${k.legacy}`, undefined);
    const value = get<number | undefined>(`overrides.defaults.${k.section}.${k.key}`, legacy);
    if (value !== undefined) limits[k.field] = value;
  }
  return limits;
}
