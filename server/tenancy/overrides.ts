import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { isMapping } from '../config-reader/schema-node';
import { compileSamplingPolicies, type SamplingPolicies } from '../sampling/policies';
import { DEFAULT_TENANT_LIMITS, type NumericTenantLimits, TENANT_LIMIT_KEYS } from './tenant-limit-keys';

/** A tenant's tail sampling: its policies (undefined: keep everything, no wait) and dry run. */
export interface TenantSampling {
  policies: SamplingPolicies | undefined;
  dryRun: boolean;
}

/** The limits Loupe applies per tenant; each is Tempo's override of the same name where Tempo has one. */
export interface TenantLimits extends NumericTenantLimits {
  /** Loupe's own: the tenant's `sampling` (policies, dry_run); absent: no tail sampling. */
  sampling?: TenantSampling;
}

/** Per-tenant entries of a runtime overrides file; a tenant's entry may set only some limits. */
export type PerTenantOverrides = ReadonlyMap<string, Partial<TenantLimits>>;

/**
 * Tempo's overrides: defaults from the config's `overrides:` section, and per-tenant entries
 * from the runtime file `overrides.per_tenant_override_config` (re-read every
 * `per_tenant_override_period`). Every limit a module applies comes from `forTenant(id)`, so a
 * new limit (ingestion rate, search limits, sampling policies) is a field here, not a new
 * option threaded through each plugin.
 */
export class Overrides {
  private perTenant: PerTenantOverrides;
  private readonly defaults: TenantLimits;

  /** `defaults`: the config file's; limits it leaves out take `DEFAULT_TENANT_LIMITS`. */
  constructor(defaults: Partial<TenantLimits>, perTenant: PerTenantOverrides = new Map()) {
    this.defaults = { ...DEFAULT_TENANT_LIMITS, ...defaults };
    this.perTenant = perTenant;
  }

  /** The limits of `tenantId`: its own entry over the defaults. */
  forTenant(tenantId: string): TenantLimits {
    const own = this.perTenant.get(tenantId);
    return own ? { ...this.defaults, ...own } : this.defaults;
  }

  /** Swaps in a re-read runtime file; lookups after this see the new entries. */
  replacePerTenant(perTenant: PerTenantOverrides): void {
    this.perTenant = perTenant;
  }
}

/** A runtime overrides file Loupe cannot use; the message names the tenant and key. */
export class OverridesFileError extends Error {}

/**
 * Reads Tempo's runtime overrides file: `overrides: { <tenant>: { global: { max_bytes_per_trace } } }`
 * (Tempo 2.3+), or the legacy flat `overrides: { <tenant>: { max_bytes_per_trace } }`. Keys
 * Loupe does not apply are skipped (they are Tempo's ingestion, read and compactor overrides),
 * as the config file's ignored keys are; a value of the wrong type is refused.
 */
export function parsePerTenantOverrides(text: string, source: string): Map<string, Partial<TenantLimits>> {
  const doc = (parseYaml(text) ?? {}) as { overrides?: unknown };
  const out = new Map<string, Partial<TenantLimits>>();
  if (doc.overrides === undefined || doc.overrides === null) return out;
  if (typeof doc.overrides !== 'object' || Array.isArray(doc.overrides))
    throw new OverridesFileError(`${source}: "overrides" must be a mapping of tenant IDs`);
  for (const [tenantId, entry] of Object.entries(doc.overrides as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new OverridesFileError(`${source}: overrides for tenant "${tenantId}" must be a mapping`);
    const raw = entry as Record<string, unknown>;
    const limits: Partial<TenantLimits> = {};
    if (raw.sampling !== undefined)
      limits.sampling = parseTenantSampling(raw.sampling, `${source}: overrides.${tenantId}.sampling`);
    // Tempo 2.3+ nests limits in sections (global, ingestion, read); the legacy form is flat.
    const nested = ['global', 'ingestion', 'read', 'metrics_generator'].some((section) =>
      isMapping(raw[section]),
    );
    for (const k of TENANT_LIMIT_KEYS) {
      const section = nested ? raw[k.section] : raw;
      const name = nested ? k.key : k.legacy;
      if (name === undefined || !isMapping(section) || section[name] === undefined) continue;
      const path = `overrides.${tenantId}.${nested ? `${k.section}.` : ''}${name}`;
      let value: number;
      try {
        value = k.read(section[name], path);
      } catch (err) {
        throw new OverridesFileError(`${source}: ${(err as Error).message.replace(/^config key /, '')}`);
      }
      // 0 is Tempo's "no limit"; trace sizes are compared directly, so it becomes the largest size.
      limits[k.field] = k.field === 'maxBytesPerTrace' && value === 0 ? Number.MAX_SAFE_INTEGER : value;
    }
    out.set(tenantId, limits);
  }
  return out;
}

/**
 * A tenant's `sampling:` entry: `policies` (the collector's list; empty turns sampling off for
 * the tenant) and `dry_run`. A bad policy refuses the whole file, naming tenant, policy and key.
 */
function parseTenantSampling(value: unknown, where: string): TenantSampling {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new OverridesFileError(`${where} must be a mapping with policies (and dry_run)`);
  const { policies, dry_run: dryRun = false, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined)
    throw new OverridesFileError(`${where}.${unknown}: unsupported key (policies, dry_run)`);
  if (typeof dryRun !== 'boolean') throw new OverridesFileError(`${where}.dry_run must be true or false`);
  if (policies === undefined || policies === null || (Array.isArray(policies) && policies.length === 0))
    return { policies: undefined, dryRun };
  // The file is re-read every period: an unchanged list keeps its compiled policies, and with
  // them its rate limiters' state, instead of starting them afresh each time (per tenant: two
  // tenants with the same list still have a rate limit each).
  const text = `${where}\u0000${JSON.stringify(policies)}`;
  let compiled = COMPILED_POLICIES.get(text);
  if (!compiled) {
    try {
      compiled = compileSamplingPolicies(policies);
    } catch (err) {
      throw new OverridesFileError(`${where}: ${(err as Error).message}`);
    }
    if (COMPILED_POLICIES.size >= MAX_COMPILED_POLICIES) COMPILED_POLICIES.clear();
    COMPILED_POLICIES.set(text, compiled);
  }
  return { policies: compiled, dryRun };
}

const COMPILED_POLICIES = new Map<string, SamplingPolicies>();
const MAX_COMPILED_POLICIES = 1000;

/**
 * Loads the runtime overrides file now and then every `periodMs`, as Tempo does. A file that
 * fails to load at start stops Loupe; a later bad edit is logged and the last good entries stay.
 */
export async function watchPerTenantOverrides(
  overrides: Overrides,
  path: string,
  periodMs: number,
  log: { warn(details: object, message: string): void },
): Promise<{ stop(): void }> {
  const load = async () => parsePerTenantOverrides(await readFile(path, 'utf8'), path);
  overrides.replacePerTenant(await load());
  const timer = setInterval(() => {
    load()
      .then((entries) => overrides.replacePerTenant(entries))
      .catch((err: unknown) =>
        log.warn({ err, path }, 'per-tenant overrides not reloaded; keeping the last good ones'),
      );
  }, periodMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
